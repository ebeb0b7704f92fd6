// The public runtime: what generated code and services import.
export * from './model';
export {
  TypedSpan,
  runSpan,
  endAround,
  failSpan,
  toAttributes,
  resetTracerCache,
  SpanKind,
  type SpanDefinition,
  type EventDefinition,
  type KeyTable,
} from './helper';
export { tracingState, setTracingEnabled } from './state';
export {
  startTracing,
  activeTracing,
  shutdown,
  type TracingHandle,
  type StartOptions,
} from './start';
export { onShutdown } from './shutdown';
export {
  resolveConfig,
  type ResolvedConfig,
  type ConfigResult,
  type OtlpConfig,
  type OtlpProtocol,
  type ConsoleFormat,
  type LogLevel,
} from './config';
export { describeConfig } from './describe';
export { runDoctor } from './doctor';
export type { ExportStats } from './export-stats';
export {
  span,
  traced,
  tracedAsync,
  tracedMethod,
  addSpanAttributes,
  addSpanEvent,
  recordException,
  getTraceId,
  getSpanId,
} from './api';
export { traceFields, traceMixin, createLogger, type TraceFields } from './log-correlation';
export * from './conformance';
