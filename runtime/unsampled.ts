/**
 * The one test behind the shortcuts for work under a trace that is not
 * sampled (helper.ts, unsampled-shortcut.ts). API only: helpers load it with
 * tracing off too.
 */
import { createContextKey, INVALID_TRACEID, TraceFlags, trace, type Context, type Span } from '@opentelemetry/api';

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
