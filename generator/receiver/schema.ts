import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Where the .proto files written from the OTLP specification live: beside this module in the
 * source tree, and at `generator/receiver/proto` of the package once compiled into dist/.
 */
export const PROTO_DIR = protoDir();

function protoDir(): string {
  const candidates = [path.join(__dirname, 'proto'), path.join(__dirname, '..', '..', '..', 'generator', 'receiver', 'proto')];
  return candidates.find((dir) => existsSync(path.join(dir, 'opentelemetry'))) ?? candidates[0]!;
}

/** The gRPC method path of OTLP trace export. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports are written from the proto root ("opentelemetry/proto/..."), as protoc -I would take them.
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(
    ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'google/rpc/status.proto'],
    { keepCase: false },
  );
  root.resolveAll();
  return root;
}

const root = loadRoot();

/** The OTLP message types the receiver reads and writes. */
export const types = {
  ExportTraceServiceRequest: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  ExportTraceServiceResponse: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse'),
  Span: root.lookupType('opentelemetry.proto.trace.v1.Span'),
  RpcStatus: root.lookupType('google.rpc.Status'),
  SpanKind: root.lookupEnum('opentelemetry.proto.trace.v1.Span.SpanKind'),
  StatusCode: root.lookupEnum('opentelemetry.proto.trace.v1.Status.StatusCode'),
};

/** `long` as protobufjs hands it out for int64/fixed64 fields (when the `long` package is present). */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}

// The decoded request, as protobufjs builds it with camelCase field names.
export interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
  value?: string; // the oneof's virtual field: which member is set
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbEvent {
  timeUnixNano: LongLike | number;
  name: string;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
export interface PbLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}
export interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: LongLike | number;
  endTimeUnixNano: LongLike | number;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  events: PbEvent[];
  droppedEventsCount: number;
  links: PbLink[];
  droppedLinksCount: number;
  status?: { message: string; code: number } | null;
}
export interface PbScopeSpans {
  scope?: { name: string; version: string; attributes: PbKeyValue[]; droppedAttributesCount: number } | null;
  spans: PbSpan[];
  schemaUrl: string;
}
export interface PbResourceSpans {
  resource?: { attributes: PbKeyValue[]; droppedAttributesCount: number } | null;
  scopeSpans: PbScopeSpans[];
  schemaUrl: string;
}
export interface PbExportRequest {
  resourceSpans: PbResourceSpans[];
}
