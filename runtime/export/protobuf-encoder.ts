/**
 * OTLP/protobuf encoding of an ExportTraceServiceRequest, in one pass.
 *
 * `@opentelemetry/otlp-transformer`'s serializer walks every span twice (once to
 * estimate the size, once to write) and allocates a Uint8Array per trace and span
 * id. In the service bench it was the largest single cost of exporting, about 4 µs
 * a span. This one writes the message back to front: a nested message's content is
 * written before its length, so every length is known when it is written and
 * nothing is walked twice or shifted. Ids are written from their hex straight into
 * the buffer.
 *
 * The bytes are the same as otlp-transformer 0.223's, field for field (the tests
 * compare both encoders' output on the same spans), so a collector cannot tell them
 * apart. Fields are written in reverse order, so that they come out in field-number
 * order, as otlp-transformer writes them.
 */
import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/** Scope and resource as the SDK hands them over; only what the encoder reads. */
interface Scope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: object;
  readonly droppedAttributesCount?: number;
}
interface Resource {
  readonly attributes: object;
  readonly schemaUrl?: string;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const SPAN_FLAGS_HAS_IS_REMOTE = 0x100;
const SPAN_FLAGS_IS_REMOTE = 0x200;

/** int64 bounds for int_value: -(2^63) and 2^63, exact as doubles. */
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

/** Hex digit values by char code; as otlp-transformer's hexToBinary, other characters count as `code - 55`. */
const HEX = new Int16Array(128).map((_, code) => (code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code - 55));

/** Where a double is turned into its little-endian IEEE 754 bytes. */
const FLOAT_BYTES = new Uint8Array(8);
const FLOAT = new DataView(FLOAT_BYTES.buffer);

function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

/**
 * A buffer written from its end towards its start. `pos` is the first written byte;
 * positions that must survive growth are kept as distances from the end (`mark`).
 */
class BackwardWriter {
  buf: Buffer;
  pos: number;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = size;
  }

  /** Distance of the write position from the end: stable when the buffer grows. */
  mark(): number {
    return this.buf.length - this.pos;
  }

  /** Bytes written since `mark`. */
  since(mark: number): number {
    return this.buf.length - this.pos - mark;
  }

  private grow(needed: number): void {
    const used = this.buf.length - this.pos;
    let size = this.buf.length * 2;
    while (size - used < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, size - used, this.pos);
    this.buf = next;
    this.pos = size - used;
  }

  /** An unsigned varint below 2^32. */
  uint32(value: number): void {
    const v = value >>> 0;
    if (v < 0x80) {
      if (this.pos < 1) this.grow(1);
      this.buf[--this.pos] = v;
      return;
    }
    const size = varintSize(v);
    if (this.pos < size) this.grow(size);
    let p = (this.pos -= size);
    const buf = this.buf;
    let rest = v;
    while (rest > 0x7f) {
      buf[p++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buf[p] = rest;
  }

  tag(field: number, wire: number): void {
    this.uint32((field << 3) | wire);
  }

  /** An int64 varint of an integral number in [-(2^63), 2^63): 10 bytes when negative. */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.uint32(value);
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    let size = 1;
    for (let l = low, h = high; h > 0 || l > 0x7f; size++) {
      l = ((l >>> 7) | (h << 25)) >>> 0;
      h >>>= 7;
    }
    if (this.pos < size) this.grow(size);
    let p = (this.pos -= size);
    const buf = this.buf;
    while (high > 0 || low > 0x7f) {
      buf[p++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[p] = low & 0x7f;
  }

  fixed32(value: number): void {
    if (this.pos < 4) this.grow(4);
    const p = (this.pos -= 4);
    const buf = this.buf;
    buf[p] = value;
    buf[p + 1] = value >>> 8;
    buf[p + 2] = value >>> 16;
    buf[p + 3] = value >>> 24;
  }

  fixed64(low: number, high: number): void {
    if (this.pos < 8) this.grow(8);
    const p = (this.pos -= 8);
    const buf = this.buf;
    buf[p] = low;
    buf[p + 1] = low >>> 8;
    buf[p + 2] = low >>> 16;
    buf[p + 3] = low >>> 24;
    buf[p + 4] = high;
    buf[p + 5] = high >>> 8;
    buf[p + 6] = high >>> 16;
    buf[p + 7] = high >>> 24;
  }

  double(value: number): void {
    if (this.pos < 8) this.grow(8);
    const p = (this.pos -= 8);
    FLOAT.setFloat64(0, value, true);
    this.buf.set(FLOAT_BYTES, p);
  }

  /** A string's UTF-8 bytes and their length (lone surrogates become U+FFFD, as TextEncoder makes them). */
  string(value: string): void {
    const length = value.length;
    if (this.pos < length) this.grow(length);
    const buf = this.buf;
    const end = this.pos;
    let p = end;
    for (let i = length - 1; i >= 0; i--) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) {
        this.utf8(value);
        return;
      }
      buf[--p] = code;
    }
    this.pos = p;
    this.uint32(length);
  }

  private utf8(value: string): void {
    const size = Buffer.byteLength(value, 'utf8');
    if (this.pos < size) this.grow(size);
    this.pos -= size;
    this.buf.write(value, this.pos, size, 'utf8');
    this.uint32(size);
  }

  bytes(value: Uint8Array): void {
    if (this.pos < value.length) this.grow(value.length);
    this.pos -= value.length;
    this.buf.set(value, this.pos);
    this.uint32(value.length);
  }

  /** A trace or span id given in hex, as bytes with their length. */
  hexId(hex: string): void {
    const size = hex.length >>> 1;
    if (this.pos < size) this.grow(size);
    let p = (this.pos -= size);
    const buf = this.buf;
    for (let i = 0; i < hex.length; i += 2) {
      buf[p++] = ((HEX[hex.charCodeAt(i) & 0x7f]! << 4) | HEX[hex.charCodeAt(i + 1) & 0x7f]!) & 0xff;
    }
    this.uint32(size);
  }

  /** Nanoseconds since the epoch of an HrTime, as fixed64. Exact: every product stays below 2^53. */
  hrTime(time: HrTime): void {
    const seconds = time[0];
    const nanos = time[1];
    const fromLow = (seconds & 0xffff) * 1_000_000_000;
    const fromHigh = ((seconds / 0x10000) >>> 0) * 1_000_000_000;
    const low = (fromLow >>> 0) + (((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(fromLow / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.fixed64(low >>> 0, high >>> 0);
  }

  /** Ends a length-delimited field begun at `mark`: its content is what was written since. */
  endField(field: number, mark: number): void {
    this.uint32(this.since(mark));
    this.tag(field, WIRE_LEN);
  }

  stringField(field: number, value: string): void {
    this.string(value);
    this.tag(field, WIRE_LEN);
  }

  /** A string field left out when empty or absent, as proto3 leaves out a default. */
  optionalStringField(field: number, value: string | undefined): void {
    if (value) this.stringField(field, value);
  }

  /** The written bytes: a view, not a copy (the writer is not used again). */
  finish(): Uint8Array {
    return this.buf.subarray(this.pos);
  }
}

/** AnyValue, as otlp-transformer writes it; a value of no OTLP type writes an empty AnyValue. */
function writeAnyValue(w: BackwardWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      w.stringField(1, value);
      return;
    case 'boolean':
      w.uint32(value ? 1 : 0);
      w.tag(2, WIRE_VARINT);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        w.int64(value);
        w.tag(3, WIRE_VARINT);
      } else {
        w.double(value);
        w.tag(4, WIRE_FIXED64);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.bytes(value);
        w.tag(7, WIRE_LEN);
      } else if (Array.isArray(value)) {
        const mark = w.mark();
        for (let i = value.length - 1; i >= 0; i--) {
          const item = w.mark();
          writeAnyValue(w, value[i]);
          w.endField(1, item);
        }
        w.endField(5, mark);
      } else {
        const mark = w.mark();
        writeKeyValues(w, value, 1);
        w.endField(6, mark);
      }
      return;
    default:
      return;
  }
}

/** Repeated KeyValue under `field`, in the object's key order. */
function writeKeyValues(w: BackwardWriter, attributes: object, field: number): void {
  const keys = Object.keys(attributes);
  const values = attributes as Record<string, unknown>;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    const pair = w.mark();
    const value = w.mark();
    writeAnyValue(w, values[key]);
    w.endField(2, value);
    w.stringField(1, key);
    w.endField(field, pair);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | SPAN_FLAGS_HAS_IS_REMOTE | (isRemote ? SPAN_FLAGS_IS_REMOTE : 0);
}

/** trace_state (3), span_id (2) and trace_id (1): the first fields of both Span and Span.Link. */
function writeContextIds(w: BackwardWriter, ctx: SpanContext): void {
  w.optionalStringField(3, ctx.traceState?.serialize());
  w.hexId(ctx.spanId);
  w.tag(2, WIRE_LEN);
  w.hexId(ctx.traceId);
  w.tag(1, WIRE_LEN);
}

/** Span.Event (field 11 of Span). */
function writeEvent(w: BackwardWriter, event: TimedEvent): void {
  const mark = w.mark();
  w.uint32(event.droppedAttributesCount || 0);
  w.tag(4, WIRE_VARINT);
  if (event.attributes) writeKeyValues(w, event.attributes, 3);
  w.stringField(2, event.name);
  w.hrTime(event.time);
  w.tag(1, WIRE_FIXED64);
  w.endField(11, mark);
}

/** Span.Link (field 13 of Span). */
function writeLink(w: BackwardWriter, link: Link): void {
  const mark = w.mark();
  const ctx: SpanContext = link.context;
  w.fixed32(spanFlags(ctx.traceFlags, ctx.isRemote));
  w.tag(6, WIRE_FIXED32);
  w.uint32(link.droppedAttributesCount || 0);
  w.tag(5, WIRE_VARINT);
  if (link.attributes) writeKeyValues(w, link.attributes, 4);
  writeContextIds(w, ctx);
  w.endField(13, mark);
}

/** Span (field 2 of ScopeSpans). */
function writeSpan(w: BackwardWriter, span: ReadableSpan): void {
  const mark = w.mark();
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  // flags (16)
  w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
  w.tag(16, WIRE_FIXED32);
  // status (15): code always, message when set
  const status = w.mark();
  w.uint32(span.status.code);
  w.tag(3, WIRE_VARINT);
  w.optionalStringField(2, span.status.message);
  w.endField(15, status);
  // dropped_links_count (14), links (13)
  w.uint32(span.droppedLinksCount);
  w.tag(14, WIRE_VARINT);
  for (let i = span.links.length - 1; i >= 0; i--) writeLink(w, span.links[i]!);
  // dropped_events_count (12), events (11)
  w.uint32(span.droppedEventsCount);
  w.tag(12, WIRE_VARINT);
  for (let i = span.events.length - 1; i >= 0; i--) writeEvent(w, span.events[i]!);
  // dropped_attributes_count (10), attributes (9)
  w.uint32(span.droppedAttributesCount);
  w.tag(10, WIRE_VARINT);
  if (span.attributes) writeKeyValues(w, span.attributes, 9);
  // end (8), start (7)
  w.hrTime(span.endTime);
  w.tag(8, WIRE_FIXED64);
  w.hrTime(span.startTime);
  w.tag(7, WIRE_FIXED64);
  // kind (6): the API's kinds are one below OTLP's, which keeps 0 for unspecified
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    w.uint32(kind);
    w.tag(6, WIRE_VARINT);
  }
  // name (5), parent_span_id (4), trace_state (3), span_id (2), trace_id (1)
  w.stringField(5, span.name);
  if (parent?.spanId) {
    w.hexId(parent.spanId);
    w.tag(4, WIRE_LEN);
  }
  writeContextIds(w, ctx);
  w.endField(2, mark);
}

/** ScopeSpans (field 2 of ResourceSpans). */
function writeScopeSpans(w: BackwardWriter, scope: Scope, spans: readonly ReadableSpan[]): void {
  const mark = w.mark();
  w.optionalStringField(3, scope.schemaUrl);
  for (let i = spans.length - 1; i >= 0; i--) writeSpan(w, spans[i]!);
  const scopeMark = w.mark();
  if (scope.droppedAttributesCount) {
    w.uint32(scope.droppedAttributesCount);
    w.tag(4, WIRE_VARINT);
  }
  if (scope.attributes) writeKeyValues(w, scope.attributes, 3);
  w.optionalStringField(2, scope.version);
  w.stringField(1, scope.name);
  w.endField(1, scopeMark);
  w.endField(2, mark);
}

/** ResourceSpans (field 1 of the request). */
function writeResourceSpans(w: BackwardWriter, resource: Resource, scopes: Map<Scope, ReadableSpan[]>): void {
  const mark = w.mark();
  w.optionalStringField(3, resource.schemaUrl);
  const groups = [...scopes.entries()];
  for (let i = groups.length - 1; i >= 0; i--) writeScopeSpans(w, groups[i]![0], groups[i]![1]);
  // resource (1): attributes (1), dropped_attributes_count (2) always 0
  const resourceMark = w.mark();
  w.uint32(0);
  w.tag(2, WIRE_VARINT);
  if (resource.attributes) writeKeyValues(w, resource.attributes, 1);
  w.endField(1, resourceMark);
  w.endField(1, mark);
}

/**
 * Each request gets a buffer of its own (the exporter keeps it until it is sent), sized from the
 * last one plus an eighth, so that a steady stream of similar batches is written without growing
 * and without a copy. The unused head of the buffer is the price: an eighth of a request at most
 * while the sizes stay steady.
 */
let nextSize = 64 * 1024;

/**
 * Encodes spans as an OTLP ExportTraceServiceRequest: grouped by resource, then by
 * instrumentation scope (both by identity, in first-seen order), as otlp-transformer groups them.
 */
export function encodeTraceExportRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const byResource = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    const list = scopes.get(span.instrumentationScope);
    if (list === undefined) scopes.set(span.instrumentationScope, [span]);
    else list.push(span);
  }
  const w = new BackwardWriter(nextSize);
  const resources = [...byResource.entries()];
  for (let i = resources.length - 1; i >= 0; i--) writeResourceSpans(w, resources[i]![0], resources[i]![1]);
  const out = w.finish();
  nextSize = Math.max(1024, out.length + (out.length >>> 3));
  return out;
}
