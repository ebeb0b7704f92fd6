/**
 * Proof that each declared instrumentation patched what it targets. Once the
 * service has served its first requests (PATCH_CHECK_AFTER_REQUESTS), every
 * module an instrumentation declares (`koa`, `knex`, `pino`, `http`, …) is in
 * one of four states, read from the instrumentation's own module definitions
 * (InstrumentationBase records the version it saw and the exports it patched):
 *
 * - patched: nothing to say;
 * - loaded at a version the instrumentation does not support;
 * - loaded before the bootstrap (in require.cache at start) and not patched;
 * - loaded later (in require.cache) but never seen by the instrumentation's
 *   hook: imported as an ES module without the loader hook;
 * - never loaded: declared in tracing.yaml for a module the service does not use.
 *
 * (Four with the unsupported version.) Each problem is one stderr line saying which and what to do. Pure apart
 * from reading the definitions and require.cache, so tests can drive it.
 */
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { createRequire } from 'node:module';

/**
 * Whether `version` is in `ranges`, by the semver @opentelemetry/instrumentation itself decides with
 * (its dependency, loaded from beside it), so the answer is the instrumentation's.
 */
function supports(ranges: readonly string[], version: string): boolean {
  const semver = createRequire(require.resolve('@opentelemetry/instrumentation'))('semver') as {
    satisfies(version: string, range: string): boolean;
  };
  return ranges.some((range) => range === '*' || semver.satisfies(version, range));
}

/**
 * The module definitions InstrumentationBase (Node) keeps and updates as it patches: its `_modules`
 * field (@opentelemetry/instrumentation 0.223, pinned). The public getModuleDefinitions() calls init()
 * again and returns fresh, never-patched definitions, so it cannot tell.
 */
type WithDefinitions = Instrumentation & { readonly _modules?: readonly InstrumentationModuleDefinition[] };

/** The check runs once, when this many incoming requests have started. */
export const PATCH_CHECK_AFTER_REQUESTS = 5;

interface ModuleState {
  readonly name: string;
  /** The instrumentation packages that target it. */
  readonly by: string[];
  readonly supported: string[];
  patched: boolean;
  /** The version the instrumentation's hook saw, if it saw the module at all. */
  seenVersion: string | undefined;
}

export interface PatchCheckContext {
  /** Modules already in require.cache when the bootstrap ran (see modulesInCache). */
  readonly loadedEarly: ReadonlySet<string>;
  /** Modules whose early load the bootstrap already reported at start (not reported twice). */
  readonly reportedEarly: ReadonlySet<string>;
  /** Whether the ESM loader hook was registered. */
  readonly esmHook: boolean;
  /** Defaults to require.cache. */
  readonly cache?: NodeJS.Require['cache'];
}

/** Node's own modules, always there to load: "never loaded" means nothing for them. */
const BUILTIN = new Set(['http', 'https']);

function inCache(cache: NodeJS.Require['cache'], name: string): boolean {
  const posix = `/node_modules/${name}/`;
  const windows = `\\node_modules\\${name}\\`;
  return Object.keys(cache).some((file) => file.includes(posix) || file.includes(windows));
}

/** The instrumentations' target modules that are in require.cache now (taken at start). */
export function modulesInCache(instrumentations: readonly Instrumentation[], cache: NodeJS.Require['cache'] = require.cache): Set<string> {
  return new Set(collect(instrumentations).map((state) => state.name).filter((name) => !BUILTIN.has(name) && inCache(cache, name)));
}

function collect(instrumentations: readonly Instrumentation[]): ModuleState[] {
  const states = new Map<string, ModuleState>();
  for (const instrumentation of instrumentations) {
    for (const definition of (instrumentation as WithDefinitions)._modules ?? []) {
      let state = states.get(definition.name);
      if (state === undefined) {
        state = { name: definition.name, by: [], supported: [], patched: false, seenVersion: undefined };
        states.set(definition.name, state);
      }
      if (!state.by.includes(instrumentation.instrumentationName)) state.by.push(instrumentation.instrumentationName);
      for (const range of definition.supportedVersions) if (!state.supported.includes(range)) state.supported.push(range);
      const patchedHere = definition.moduleExports !== undefined || definition.files.some((file) => file.moduleExports !== undefined);
      state.patched ||= patchedHere;
      state.seenVersion ??= definition.moduleVersion;
    }
  }
  return [...states.values()];
}

/** One line per declared module that is not patched; empty when all are. */
export function patchProblems(instrumentations: readonly Instrumentation[], context: PatchCheckContext): string[] {
  const cache = context.cache ?? require.cache;
  const lines: string[] = [];
  for (const state of collect(instrumentations)) {
    if (state.patched) continue;
    const by = state.by.join(' and ');
    if (context.loadedEarly.has(state.name)) {
      if (context.reportedEarly.has(state.name)) continue;
      lines.push(
        `spanwright: ${state.name} was loaded before the tracing bootstrap and ${by} could not patch it; its spans are missing. Load the bootstrap first (node --require ./dist/generated/bootstrap.js …)`,
      );
    } else if (state.seenVersion !== undefined && !BUILTIN.has(state.name) && !supports(state.supported, state.seenVersion)) {
      lines.push(
        `spanwright: ${state.name} ${state.seenVersion} is loaded but ${by} supports ${state.supported.join(' || ')}; its spans are missing. Use a supported ${state.name}, or remove it from instrumentation in tracing.yaml`,
      );
    } else if (inCache(cache, state.name)) {
      const advice = context.esmHook
        ? 'import the bootstrap before the service (node --import ./dist/generated/bootstrap.js …)'
        : 'set SPANWRIGHT_ESM_HOOK=true (or leave it unset for an .mjs / "type": "module" entry)';
      lines.push(
        `spanwright: ${state.name} is loaded but ${by} never saw it (imported as an ES module without the loader hook); its spans are missing. Fix: ${advice}`,
      );
    } else if (!BUILTIN.has(state.name)) {
      lines.push(
        `spanwright: ${state.name} is declared in instrumentation but was not loaded within the first ${PATCH_CHECK_AFTER_REQUESTS} requests; nothing of it is traced. Remove it from tracing.yaml if the service does not use ${state.name}`,
      );
    }
  }
  return lines;
}

/** `koa 3.1.1, knex 3.1.0`: the modules that were patched, with the versions seen, for the info line. */
export function patchedModules(instrumentations: readonly Instrumentation[]): string {
  const patched = collect(instrumentations)
    .filter((state) => state.patched)
    .map((state) => (state.seenVersion !== undefined ? `${state.name} ${state.seenVersion}` : state.name));
  return patched.length > 0 ? patched.join(', ') : 'none';
}
