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

const STARTED = Symbol.for('spanwright.started');
type GlobalWithStarted = typeof globalThis & { [STARTED]?: true };

/** Notes that `startTracing` ran in this thread, whatever it then installed (see untraced.ts). */
export function markStarted(): void {
  (globalThis as GlobalWithStarted)[STARTED] = true;
}

export function wasStarted(): boolean {
  return (globalThis as GlobalWithStarted)[STARTED] === true;
}
