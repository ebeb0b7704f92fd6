// The public runtime: what generated code and services import.
export * from './manifest/model';
import { runSpan as runSpanCore } from './helpers/span-core';
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
} from './helpers/span-core';
export { tracingState, setTracingEnabled } from './helpers/state';
export {
  startTracing,
  activeTracing,
  shutdown,
  type TracingHandle,
  type StartOptions,
} from './sdk/start';
export { onShutdown } from './sdk/shutdown';
export {
  resolveConfig,
  type ResolvedConfig,
  type ConfigResult,
  type OtlpConfig,
  type OtlpProtocol,
  type ConsoleFormat,
  type LogLevel,
} from './config/resolve';
export { describeConfig } from './doctor/describe';
export { runDoctor, diagnose, doctorLines, probeEndpoint, type DoctorReport } from './doctor/doctor';
export type { ExportStats } from './export/accounting';
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
} from './helpers/seed-api';
export { traceFields, traceMixin, createLogger, type TraceFields } from './helpers/log-correlation';
export * from './conformance/check';
export { INSTRUMENTATIONS, type InstrumentationDefinition } from './instrumentation/registry';
