// The public runtime: what generated code and services import.
export * from './model';
import { runSpan as runSpanCore } from './helper';
/**
 * A plain property, not a re-export: TypeScript compiles `export { x } from`
 * to a getter, and generated helpers read this one on every call.
 */
export const runSpan = runSpanCore;
export {
  TypedSpan,
  endAround,
  failSpan,
  resetTracerCache,
  SpanKind,
  type SpanDefinition,
  type EventDefinition,
  type AttributeMapper,
  type ReadonlyAttributes,
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
export { runDoctor, diagnose, doctorLines, probeEndpoint, type DoctorReport } from './doctor';
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
