export { Collector, startCollector } from './collector';
export type { CollectorOptions, CollectorStats, Faults } from './collector';
export { DecodeError, decodeJson, decodeProtobuf, normalizeRequest } from './decode';
export { formatDuration, formatTrace } from './format';
export { buildTraces, buildTree } from './traces';
export * from './model';
