/**
 * The tests' OTLP collector: the product's receiver (`generator/receiver`), with the names the
 * suites use. Faults (`refuse`, `delay`, `drop`) and `waitForSpans` come with it.
 */
export { OtlpReceiver as Collector, startReceiver as startCollector } from '../../../generator/receiver';
export type { ReceiverOptions as CollectorOptions, ReceiverStats as CollectorStats, Faults } from '../../../generator/receiver';
export { DecodeError, decodeJson, decodeProtobuf, normalizeRequest } from '../../../generator/receiver';
export { formatDuration, formatTrace } from '../../../generator/receiver';
export { buildTraces, buildTree } from '../../../generator/receiver';
export * from '../../../generator/receiver/model';
