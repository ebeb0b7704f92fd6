/**
 * `@spanwright/runtime`: the user API. What a service (and the spanwright CLI) calls: start and
 * stop tracing, the seed-style helpers, log correlation, conformance checks, doctor. Generated
 * code imports `@spanwright/runtime/generated`; tests `@spanwright/runtime/testing`.
 */
export { startTracing, activeTracing, shutdown, type TracingHandle, type StartOptions } from './sdk/start';
export { onShutdown, type ShutdownSignal } from './sdk/shutdown';
/** The seed-style API: every export of helpers/seed-api.ts. */
export * from './helpers/seed-api';
export { traceFields, traceMixin, createLogger, type TraceFields } from './helpers/log-correlation';
export {
  checkConformance,
  SEMCONV_NAMESPACES,
  type ConformanceOptions,
  type ConformanceResult,
  type ConformanceCoverage,
  type SpanCoverage,
  type EventCoverage,
  type AttributeCoverage,
  type Violation,
  type ViolationRule,
} from './conformance/check';
export { spanFromConsoleJson, type CheckableSpan, type ConsoleJsonSpan } from './conformance/checkable';
export { assertConformance, formatConformanceReport, ConformanceError } from './conformance/report';
export { ConformanceSpanProcessor, type ConformanceProcessorOptions } from './conformance/processor';
export { runDoctor, diagnose, doctorLines, probeEndpoint, type DoctorReport } from './doctor/doctor';
export { describeConfig } from './doctor/describe';
export {
  resolveConfig,
  type ResolvedConfig,
  type ConfigResult,
  type OtlpConfig,
  type OtlpProtocol,
  type ConsoleFormat,
  type LogLevel,
} from './config/resolve';
export type { ExportStats } from './export/counters';
export type * from './manifest/model';
export { INSTRUMENTATIONS, type InstrumentationDefinition } from './instrumentation/registry';
