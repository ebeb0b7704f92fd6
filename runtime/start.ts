import type { ManifestModel } from './model';

/** What `startTracing` hands back to the generated bootstrap and to services. */
export interface TracingHandle {
  /** Whether an SDK was installed (false with OTEL_TRACES_ENABLED=false / OTEL_SDK_DISABLED=true). */
  readonly enabled: boolean;
  /** Flushes every pending span and shuts the provider down; safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Sets up OpenTelemetry from the resolved manifest and the environment.
 * Called once, by `generated/bootstrap.ts`, before the service loads.
 * (Placeholder until the runtime lands: installs nothing.)
 */
export function startTracing(manifest: ManifestModel): TracingHandle {
  void manifest;
  return { enabled: false, shutdown: async () => {} };
}
