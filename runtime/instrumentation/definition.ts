/**
 * What one instrumentation declares about itself, in one module: its manifest
 * key and options (schema, defaults), how it is created, what it patches and
 * how doctor and TRACING.md describe it. registry.ts lists them; everything
 * else (the schema's `instrumentation` block, the model, the bootstrap, doctor,
 * docs) is derived from that list.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { InstrumentationModel } from '../manifest/model';
import type { PeerLookup } from './peers';

/** A JSON Schema fragment, as written in schema/tracing.schema.json. */
export type JsonSchema = { readonly description: string } & Readonly<Record<string, unknown>>;

/** One change an instrumentation makes to another library: a row of docs/architecture.md's "What we patch". */
export interface InstrumentationPatch {
  /** The modules patched, as required (`koa`, `knex`), or Node's own (`http`). */
  readonly modules: readonly string[];
  /** What is patched: the row's first cell. */
  readonly what: string;
  /** The package or runtime file that does it: in the row's second cell. */
  readonly where: string;
  readonly why: string;
  /**
   * Loaded before the bootstrap, the module is missed for good: the bootstrap warns at start
   * (modulesLoadedEarly watches it).
   */
  readonly watchLoadOrder?: boolean;
}

export interface InstrumentationHooks {
  /** Called once after the first incoming requests (needs `http`): the patch check. */
  readonly afterFirstRequests?: { readonly count: number; readonly callback: () => void };
}

/** What `create` gets besides its own options. */
export interface CreateContext {
  /** `peer.service` for an outgoing host and port, from the manifest's `peers`. */
  readonly peers: PeerLookup;
  readonly hooks: InstrumentationHooks;
}

/**
 * One instrumentation. Methods (not function properties) so that a list of definitions with
 * different options types is one array type.
 */
export interface InstrumentationDefinition<Options extends object = object> {
  /** The key under `instrumentation:` in tracing.yaml. */
  readonly key: string;
  /** How TRACING.md names it. */
  readonly name: string;
  /** The official OpenTelemetry package it comes from. */
  readonly package: string;
  /** The JSON Schema `description` of its key. */
  readonly description: string;
  /** The JSON Schema of each option of its options object (the object allows no others). */
  readonly options: Readonly<Record<string, JsonSchema>>;
  /** What it changes in other libraries, and why. */
  readonly patches: readonly InstrumentationPatch[];
  /** Another instrumentation it is of little use without, and why (a start-up warning). */
  readonly needs?: { readonly key: string; readonly why: string };
  /** The options object as given (validated by the schema; `true` gives `{}`) → the resolved options: defaults applied. */
  resolve(given: Readonly<Partial<Options>>): Options;
  /** The instrumentations to register; requires its packages here, lazily, so an undeclared one loads nothing. */
  create(options: Options, context: CreateContext): Instrumentation[];
  /** Span processors it needs, placed before the exporters' ones. */
  spanProcessors?(options: Options): SpanProcessor[];
  /** How doctor and the info line name it: `knex (db.query.text ≤ 1000 chars)`. */
  describe(options: Options): string;
  /** The Notes cell of its row in TRACING.md when it is on. */
  notes(options: Options): string;
}

/** The resolved options of `definition` in the model, or undefined when it is off. */
export function optionsOf<Options extends object>(
  definition: InstrumentationDefinition<Options>,
  model: InstrumentationModel,
): Options | undefined {
  // The model holds what definition.resolve returned (generator/model.ts), so the options are its own.
  return model[definition.key] as Options | undefined;
}
