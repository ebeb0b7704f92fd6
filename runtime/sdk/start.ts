/**
 * `startTracing(manifest)`: what `generated/bootstrap.ts` calls before the
 * service loads. Resolves the configuration once (config/resolve.ts), prints its
 * warnings, and either installs nothing (tracing disabled: the SDK is never
 * even loaded) or installs the NodeTracerProvider with the sampler, the
 * exporters, the declared instrumentations and the shutdown handling
 * (sdk/install.ts).
 */
import { isMainThread } from 'node:worker_threads';
import type { ManifestModel } from '../manifest/model';
import { resolveConfig } from '../config/resolve';
import { markStarted, setTracingEnabled } from '../helpers/switches';
import { describeConfig } from '../doctor/describe';
import { atLeast, writeStderr } from '../config/log-level';
import { installSignalHandlers } from './shutdown';
import {
  disabledHandle,
  getActiveHandle,
  setActiveHandle,
  type StartOptions,
  type TracingHandle,
} from './handle';

export type { StartOptions, TracingHandle } from './handle';

/**
 * Sets up OpenTelemetry from the resolved manifest and the environment.
 * Called once, by `generated/bootstrap.ts`, before the service loads; a
 * second call returns the first handle.
 */
export function startTracing(manifest: ManifestModel, options: StartOptions = {}): TracingHandle {
  const existing = getActiveHandle();
  if (existing !== undefined) return existing;
  markStarted();

  const stderr = options.stderr ?? writeStderr;
  const env = options.env ?? process.env;
  const { config, warnings } = resolveConfig(manifest, env);
  // Node runs `--require` preloads again in its ESM loader thread (and in worker threads):
  // only the main thread installs the SDK, the hook and the signal handlers.
  if (!isMainThread) return disabledHandle(config);
  if (config.logLevel !== 'none') for (const line of warnings) stderr(line);

  if (!config.enabled) {
    setTracingEnabled(false);
    if (atLeast(config.logLevel, 'info')) for (const line of describeConfig(config)) stderr(line);
    const handle = disabledHandle(config);
    setActiveHandle(handle);
    // No SDK, but `onShutdown` hooks still run on the signal; without hooks, nothing changes.
    if (options.signals !== false) {
      installSignalHandlers({
        signals: options.signals ?? ['SIGTERM', 'SIGINT'],
        shutdown: async () => {},
        flush: async () => {},
        exit: options.exit ?? ((code) => process.exit(code)),
        hookTimeoutMillis: config.shutdownTimeoutMillis,
        defaultWhenNoHooks: true,
      });
    }
    return handle;
  }

  const { installSdk } = require('./install') as typeof import('./install');
  return installSdk(manifest, config, env, options, stderr);
}

/** The handle of the running tracing setup, if `startTracing` was called. */
export function activeTracing(): TracingHandle | undefined {
  return getActiveHandle();
}

/** Shuts the running tracing setup down (flush included); does nothing if none. Idempotent. */
export async function shutdown(): Promise<void> {
  await getActiveHandle()?.shutdown();
}
