/**
 * Process-wide switches shared by the helpers and the bootstrap. `enabled`
 * is false only when the bootstrap was told to trace nothing
 * (`OTEL_TRACES_ENABLED=false`, `OTEL_SDK_DISABLED=true`): then helpers call
 * their function directly with a shared no-op handle. `parentBased` is true
 * while the bootstrap's provider (whose sampler is ParentBased) is installed:
 * then a helper under a parent that is not sampled skips its span (see
 * unsampled.ts).
 */
export const tracingState = {
  enabled: true,
  parentBased: false,
};

export function setTracingEnabled(enabled: boolean): void {
  tracingState.enabled = enabled;
}

export function setParentBased(parentBased: boolean): void {
  tracingState.parentBased = parentBased;
}
