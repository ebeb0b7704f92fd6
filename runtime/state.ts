/**
 * Process-wide switches shared by the helpers and the bootstrap. `enabled`
 * is false only when the bootstrap was told to trace nothing
 * (`OTEL_TRACES_ENABLED=false`, `OTEL_SDK_DISABLED=true`): then helpers call
 * their function directly with a shared no-op handle.
 */
export const tracingState = {
  enabled: true,
};

export function setTracingEnabled(enabled: boolean): void {
  tracingState.enabled = enabled;
}
