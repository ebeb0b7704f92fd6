/**
 * The declared instrumentations, registered on the provider, and the checks that they took: the
 * packages loaded before the bootstrap (said at start) and, after the first requests, what each
 * one patched.
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { TracerProvider } from '@opentelemetry/api';
import { atLeast, type WriteLine } from '../config/log-level';
import { preloadCommand } from '../config/main-script';
import type { ResolvedConfig } from '../config/resolve';
import { modulesInCache, PATCH_CHECK_AFTER_REQUESTS, patchedModules, patchProblems } from '../instrumentation/patch-check';
import { createInstrumentations, modulesLoadedEarly, watchedModules } from '../instrumentation/registry';

/**
 * Packages loaded before the bootstrap whose instrumentation patches them, so it missed them:
 * koa (route naming) and knex. The database drivers knex loads are not patched themselves, so
 * loading pg or better-sqlite3 early loses nothing. The fix names this entry's preload flag
 * (`--import` for an ES module: an `import` of the bootstrap in the entry comes too late).
 */
export function earlyModuleWarnings(config: ResolvedConfig): string[] {
  const watched = new Set(watchedModules(config.instrumentation));
  const missed = modulesLoadedEarly().filter((name) => watched.has(name));
  if (missed.length === 0) return [];
  const fix = preloadCommand(process.argv[1]);
  return missed.map((name) => `spanwright: ${name} was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: ${fix}`);
}

/** Creates and registers the instrumentations; returns what unregisters them. */
export function installInstrumentations(config: ResolvedConfig, provider: TracerProvider, esmHookOn: boolean, stderr: WriteLine): () => void {
  const checkPatches = (): void => {
    if (!atLeast(config.logLevel, 'warn')) return;
    for (const line of patchProblems(instrumentations, { loadedEarly, reportedEarly, esmHook: esmHookOn })) stderr(line);
    if (atLeast(config.logLevel, 'info')) {
      stderr(`spanwright: patched after the first ${PATCH_CHECK_AFTER_REQUESTS} requests: ${patchedModules(instrumentations)}`);
    }
  };
  const instrumentations = createInstrumentations(config, {
    afterFirstRequests: { count: PATCH_CHECK_AFTER_REQUESTS, callback: checkPatches },
  });
  const loadedEarly = modulesInCache(instrumentations);
  // What earlyModuleWarnings already reported at start (for the declared ones among them) is not repeated.
  const reportedEarly = new Set(modulesLoadedEarly());
  return registerInstrumentations({ instrumentations, tracerProvider: provider });
}
