/** The OTLP trace receiver shipped with the CLI: `spanwright dev`, `live-check`, the demo and the tests use it. */
export { OtlpReceiver, startReceiver } from './receiver';
export type { Faults, ReceiverOptions, ReceiverStats } from './receiver';
export { DecodeError, decodeJson, decodeProtobuf, normalizeRequest } from './decode';
export { formatDuration, formatTrace } from './format';
export { TracePrinter } from './printer';
export { buildTraces, buildTree } from './traces';
export * from './model';
export { checkableSpan, jsonAttributes, jsonValue } from './checkable';
