/**
 * Log correlation, like the seed's TraceIdFilter: every pino record written
 * inside a span carries `trace_id`, `span_id` and `trace_flags` (the keys the
 * OpenTelemetry pino instrumentation uses), so logs and traces join up.
 */
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Logger, LoggerOptions, DestinationStream } from 'pino';

export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
  /** `01` sampled, `00` not, as in a traceparent. */
  readonly trace_flags: string;
}

/** The active span's ids, or `{}` outside a span. */
export function traceFields(): TraceFields | Record<string, never> {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const ctx = span.spanContext();
  if (!isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.traceFlags.toString(16).padStart(2, '0') };
}

/** A pino `mixin` that adds the trace fields; chains an existing mixin. */
export function traceMixin(next?: LoggerOptions['mixin']): NonNullable<LoggerOptions['mixin']> {
  return (mergeObject, level, logger) => ({
    ...(next !== undefined ? next(mergeObject, level, logger) : {}),
    ...traceFields(),
  });
}

/**
 * A pino logger whose records carry the trace fields. pino is required here,
 * lazily, so the runtime does not load it for services that log otherwise.
 */
export function createLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const pino = require('pino') as typeof import('pino');
  const withMixin: LoggerOptions = { ...options, mixin: traceMixin(options.mixin) };
  return destination !== undefined ? pino.pino(withMixin, destination) : pino.pino(withMixin);
}
