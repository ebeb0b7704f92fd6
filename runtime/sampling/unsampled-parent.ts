/**
 * The one test behind the shortcuts for work under a trace that is not
 * sampled (helpers/span-core.ts, sampling/unsampled-provider.ts). API only: helpers load it with
 * tracing off too.
 */
import { createContextKey, INVALID_TRACEID, TraceFlags, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';

/**
 * On a tracer that answers spans under an unsampled parent itself (the bootstrap's, whose sampler
 * is ParentBased): the SDK tracer behind it. A helper that finds it checks the parent once, then
 * starts its span on the SDK tracer directly.
 */
export const SDK_TRACER = Symbol.for('spanwright.sdkTracer');

export interface ShortcutTracer extends Tracer {
  readonly [SDK_TRACER]: Tracer;
}

/** The key @opentelemetry/core's suppressTracing sets (context keys are Symbol.for their description). */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * The active span of `context` when it is valid, not sampled and not recording, and tracing is
 * not suppressed there: under a ParentBased sampler nothing started in `context` would record.
 */
export function unsampledParent(context: Context): Span | undefined {
  const parent = trace.getSpan(context);
  if (parent === undefined) return undefined;
  const spanContext = parent.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 || spanContext.traceId === INVALID_TRACEID) return undefined;
  if (parent.isRecording() || context.getValue(SUPPRESS_TRACING_KEY) === true) return undefined;
  return parent;
}
