/** The import-in-the-middle loader hook, for services whose `import`s must be instrumented. */
import { pathToFileURL } from 'node:url';
import { atLeast, type WriteLine } from '../config/log-level';
import type { ResolvedConfig } from '../config/resolve';

/**
 * Registers the ESM loader hook so `import`ed packages are instrumented too (Node ≥ 20.6).
 * It runs a loader thread that costs about 40 ms of CPU and 13 MiB at start, so by default
 * (`auto`) only a service whose entry is an ES module gets it.
 */
export function registerEsmHook(write: WriteLine, logLevel: ResolvedConfig['logLevel']): void {
  const nodeModule = require('node:module') as typeof import('node:module');
  if (typeof nodeModule.register !== 'function') return;
  try {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
  } catch (error) {
    if (atLeast(logLevel, 'info')) {
      write(`spanwright: ESM hook not registered (${error instanceof Error ? error.message : String(error)}); ESM imports are not instrumented`);
    }
  }
}
