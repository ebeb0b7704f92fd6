/** What the OTLP receiver keeps of each export, normalized across gRPC, http/protobuf and http/json. */

/** An OTLP AnyValue as a plain JS value: int64 is a number when it is a safe integer, else a bigint. */
export type AttributeValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

/**
 * The wire type of each attribute, named as tracing.yaml names types, so that a test can tell
 * an int 2 from a double 2.5 and a string[] from an int[]. Mixed or nested arrays are `array`.
 */
export type AttributeType =
  | 'string'
  | 'int'
  | 'double'
  | 'boolean'
  | 'bytes'
  | 'string[]'
  | 'int[]'
  | 'double[]'
  | 'boolean[]'
  | 'array'
  | 'kvlist'
  | 'empty';

export type Attributes = Record<string, AttributeValue>;
export type AttributeTypes = Record<string, AttributeType>;

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';
export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
  attributeTypes: AttributeTypes;
  droppedAttributesCount: number;
}

export interface ReceivedLink {
  traceId: string;
  spanId: string;
  traceState: string;
  flags: number;
  attributes: Attributes;
  attributeTypes: AttributeTypes;
  droppedAttributesCount: number;
}

export interface ReceivedResource {
  attributes: Attributes;
  attributeTypes: AttributeTypes;
  droppedAttributesCount: number;
  schemaUrl: string;
}

export interface ReceivedScope {
  name: string;
  version: string;
  attributes: Attributes;
  schemaUrl: string;
}

/** One span as the receiver got it. Ids are lowercase hex; times are nanoseconds since the epoch. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId: string | undefined;
  traceState: string;
  /** Low 8 bits: W3C trace flags (1 = sampled); 0x100/0x200: parent remoteness known / remote. */
  flags: number;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  attributeTypes: AttributeTypes;
  droppedAttributesCount: number;
  events: ReceivedEvent[];
  droppedEventsCount: number;
  links: ReceivedLink[];
  droppedLinksCount: number;
  status: { code: StatusCodeName; message: string };
  resource: ReceivedResource;
  /** The resource's `service.name`, or '' when it has none. */
  serviceName: string;
  scope: ReceivedScope;
  /** How the span arrived. */
  protocol: Protocol;
  /** Headers (gRPC: metadata) of the export request that carried the span, keys lowercase. */
  headers: Record<string, string>;
  /** Sequence number of that request (see `OtlpReceiver.requests()`). */
  requestId: number;
}

/** What became of one export request. */
export type RequestOutcome = 'accepted' | 'refused' | 'dropped' | 'invalid';

export interface ReceivedRequest {
  id: number;
  protocol: Protocol;
  headers: Record<string, string>;
  /** The HTTP body came with `Content-Encoding: gzip`. Always false over gRPC: grpc-js decompresses out of sight. */
  gzip: boolean;
  outcome: RequestOutcome;
  /** Spans kept from this request (0 unless accepted). */
  spanCount: number;
  /** Why the request was rejected (outcome `invalid`), as sent back to the exporter. */
  error?: string;
  /** Milliseconds (performance.now()) when it arrived. */
  receivedAt: number;
}

/** The spans of one trace, with the parent links resolved. */
export interface SpanNode {
  span: ReceivedSpan;
  children: SpanNode[];
}

export interface ReceivedTrace {
  traceId: string;
  spans: ReceivedSpan[];
  /** Spans whose parent is unset or was not received, in start order; children in start order. */
  roots: SpanNode[];
}
