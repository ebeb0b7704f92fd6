/**
 * The one warning for a service that calls span helpers while tracing was never started (the
 * bootstrap not preloaded): without it the helpers quietly make no spans. Checked when a helper
 * first looks its tracer up, so the hot path pays nothing; printed at most once a process.
 */
import { trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { preloadCommand } from '../config/main-script';
import { envValue, parseBoolean } from '../config/env-values';
import { wasStarted } from './switches';

let checked = false;

/** Whether some tracer provider (ours, or one the service set up itself) is registered globally. */
function providerRegistered(): boolean {
  // The API hands out its proxy, which has a delegate once a provider is set; duck-typed, so a
  // proxy from another copy of @opentelemetry/api is read too. Anything else is a provider.
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return typeof provider.getDelegateTracer !== 'function' || provider.getDelegateTracer('spanwright') !== undefined;
}

/** Tracing turned off on purpose, or warnings silenced: nothing to say. */
function quietOnPurpose(env: NodeJS.ProcessEnv): boolean {
  const sdkDisabled = envValue(env, 'OTEL_SDK_DISABLED');
  const tracesEnabled = envValue(env, 'OTEL_TRACES_ENABLED');
  const logLevel = envValue(env, 'OTEL_LOG_LEVEL')?.toLowerCase();
  return (
    (sdkDisabled !== undefined && parseBoolean(sdkDisabled) === true) ||
    (tracesEnabled !== undefined && parseBoolean(tracesEnabled) === false) ||
    logLevel === 'none' ||
    logLevel === 'error'
  );
}

/** The line, naming the preload for this process's main script. */
export function untracedWarning(entry: string | undefined, cwd?: string): string {
  return `spanwright: a span helper ran but tracing was never started; preload the bootstrap: ${preloadCommand(entry, cwd)}`;
}

/** Called on a helper's first tracer lookup: warns once if tracing was never started. */
export function checkTracingStarted(): void {
  if (checked) return;
  checked = true;
  if (wasStarted() || providerRegistered() || quietOnPurpose(process.env)) return;
  process.stderr.write(`${untracedWarning(process.argv[1])}\n`);
}
