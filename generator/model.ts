/**
 * Stage 3: the validated manifest → the resolved ManifestModel (runtime/manifest/model.ts).
 * Defaults are applied here and only here; refs are inlined, OpenTelemetry
 * keys and TypeScript names worked out, and everything sorted by name so the
 * output does not depend on the order of the YAML.
 */
import type {
  AttributeModel,
  EnvironmentModel,
  EventModel,
  InstrumentationDefinition,
  InstrumentationModel,
  ManifestModel,
  PeerModel,
  SpanModel,
} from '@spanwright/runtime';
import { INSTRUMENTATIONS } from '@spanwright/runtime';
import { positionOf, type LoadedManifest } from './load';
import { camelCase } from './names';
import type { RawAttribute, RawEnvironment, RawManifest, RawSpan, RawSwitch } from './raw';

/** Defaults of the manifest, in one place. */
export const DEFAULTS = {
  attributePrefix: 'app',
  kind: 'internal',
  sampling: 1,
  console: false,
  /** Used when the manifest declares no environment at all. */
  environments: { development: { sampling: 1, console: true } } as Readonly<Record<string, RawEnvironment>>,
} as const;

type Path = readonly (string | number)[];

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** `source`: how the manifest is named in the model, headers and JSDoc (e.g. `tracing.yaml`). */
export function buildModel(loaded: LoadedManifest, source: string): ManifestModel {
  const raw = loaded.data as RawManifest;
  const prefix = raw.service.attributePrefix ?? DEFAULTS.attributePrefix;
  const shared = raw.attributes ?? {};
  const location = (path: Path): { line: number; col: number } => {
    const { line, col } = positionOf(loaded, path, { key: true });
    return { line, col };
  };

  const attribute = (path: Path, name: string, decl: RawAttribute): AttributeModel => {
    const target = decl.ref !== undefined ? (shared[decl.ref] ?? {}) : decl;
    const description = decl.description ?? (decl.ref !== undefined ? target.description : undefined);
    const required = decl.required ?? (decl.ref !== undefined ? target.required : undefined) ?? false;
    return {
      name,
      tsName: camelCase(name),
      key: target.key ?? `${prefix}.${decl.ref ?? name}`,
      type: target.type ?? 'string',
      ...(target.type === 'enum' ? { values: [...(target.values ?? [])] } : {}),
      required,
      ...(description !== undefined ? { description } : {}),
      ...(decl.ref !== undefined ? { ref: decl.ref } : {}),
      ...(decl.renamed_from !== undefined ? { renamedFrom: decl.renamed_from } : {}),
      location: location(path),
    };
  };

  const attributes = (owner: Path, decls: Readonly<Record<string, RawAttribute | null>> | undefined): AttributeModel[] =>
    Object.entries(decls ?? {})
      .map(([name, decl]) => attribute([...owner, 'attributes', name], name, decl ?? {}))
      .sort(byName);

  const span = (name: string, decl: RawSpan): SpanModel => {
    const path = ['spans', name];
    const events: EventModel[] = Object.entries(decl.events ?? {})
      .map(([eventName, event]): EventModel => ({
        name: eventName,
        tsName: camelCase(eventName),
        ...(event?.description !== undefined ? { description: event.description } : {}),
        attributes: attributes([...path, 'events', eventName], event?.attributes),
        ...(event?.renamed_from !== undefined ? { renamedFrom: event.renamed_from } : {}),
        location: location([...path, 'events', eventName]),
      }))
      .sort(byName);
    return {
      name,
      tsName: camelCase(name),
      kind: decl.kind ?? DEFAULTS.kind,
      ...(decl.description !== undefined ? { description: decl.description } : {}),
      attributes: attributes(path, decl.attributes),
      events,
      ...(decl.parents !== undefined ? { parents: [...decl.parents] } : {}),
      ...(decl.renamed_from !== undefined ? { renamedFrom: decl.renamed_from } : {}),
      location: location(path),
    };
  };

  const rawEnvironments = raw.environments ?? DEFAULTS.environments;
  const environments: Record<string, EnvironmentModel> = {};
  for (const name of Object.keys(rawEnvironments).sort()) {
    const env = rawEnvironments[name] ?? {};
    environments[name] = {
      name,
      sampling: env.sampling ?? DEFAULTS.sampling,
      console: env.console ?? DEFAULTS.console,
      ...(env.consoleFormat !== undefined ? { consoleFormat: env.consoleFormat } : {}),
      rules: (env.rules ?? []).map((rule) => ({ route: rule.route, sampling: rule.sampling })),
    };
  }

  const peers: PeerModel[] = Object.entries(raw.peers ?? {})
    .map(([name, peer]) => ({ name, host: peer.host }))
    .sort(byName);

  return {
    version: 1,
    source,
    service: {
      name: raw.service.name,
      ...(raw.service.version !== undefined ? { version: raw.service.version } : {}),
      attributePrefix: prefix,
    },
    environments,
    peers,
    instrumentation: instrumentationModel(raw.instrumentation ?? {}),
    attributes: Object.entries(shared)
      .map(([name, decl]) => attribute(['attributes', name], name, decl ?? {}))
      .sort(byName),
    spans: Object.entries(raw.spans ?? {})
      .map(([name, decl]) => span(name, decl ?? {}))
      .sort(byName),
  };
}

/**
 * `true` or an options object turns an instrumentation on, resolved by its definition (defaults
 * applied); absent or `false` leaves it out of the model. In registry order.
 */
export function instrumentationModel(
  raw: NonNullable<RawManifest['instrumentation']>,
  definitions: readonly InstrumentationDefinition[] = INSTRUMENTATIONS,
): InstrumentationModel {
  const model: Record<string, object> = {};
  for (const definition of definitions) {
    const given: RawSwitch<object> = raw[definition.key];
    if (given === true) model[definition.key] = definition.resolve({});
    else if (typeof given === 'object' && given !== null) model[definition.key] = definition.resolve(given);
  }
  return model;
}
