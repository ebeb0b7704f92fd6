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
export { startTracing, type TracingHandle } from './start';
export * from './conformance';
