import { expect } from 'chai';
import * as protobuf from 'protobufjs';
import { DecodeError, decodeJson, decodeProtobuf, normalizeRequest } from '../../../generator/receiver/decode';
import type { ReceivedSpan } from '../../../generator/receiver/model';
import { types } from '../../../generator/receiver/schema';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PARENT_ID = 'eee19b7ec3c1b173';
const LINK_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const LINK_SPAN_ID = 'b7ad6b7169203331';
const META = { protocol: 'http/protobuf' as const, headers: { 'x-honeycomb-team': 'k' }, requestId: 7 };

// Wire types and a tag helper: field numbers below are typed in from the OTLP specification,
// independently of generator/receiver/proto, so a wrong number there fails these tests.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;
const tag = (field: number, wire: number): number => (field << 3) | wire;

type Build = (w: protobuf.Writer) => void;
const message = (w: protobuf.Writer, field: number, build: Build): void => {
  w.uint32(tag(field, LEN)).fork();
  build(w);
  w.ldelim();
};
const keyValue = (key: string, value: Build): Build => (w) => {
  w.uint32(tag(1, LEN)).string(key); // KeyValue.key
  message(w, 2, value); // KeyValue.value (AnyValue)
};

/** An ExportTraceServiceRequest written field by field. */
function handWrittenProtobuf(): Uint8Array {
  const w = protobuf.Writer.create();
  message(w, 1, (w) => { // ExportTraceServiceRequest.resource_spans
    message(w, 1, (w) => { // ResourceSpans.resource
      message(w, 1, keyValue('service.name', (w) => w.uint32(tag(1, LEN)).string('hand-written'))); // Resource.attributes
      w.uint32(tag(2, VARINT)).uint32(1); // Resource.dropped_attributes_count
    });
    message(w, 2, (w) => { // ResourceSpans.scope_spans
      message(w, 1, (w) => { // ScopeSpans.scope
        w.uint32(tag(1, LEN)).string('scope-name');
        w.uint32(tag(2, LEN)).string('9.9.9');
        message(w, 3, keyValue('scope.attr', (w) => w.uint32(tag(2, VARINT)).bool(true)));
      });
      message(w, 2, (w) => { // ScopeSpans.spans
        w.uint32(tag(1, LEN)).bytes(Buffer.from(TRACE_ID, 'hex'));
        w.uint32(tag(2, LEN)).bytes(Buffer.from(SPAN_ID, 'hex'));
        w.uint32(tag(3, LEN)).string('vendor=1');
        w.uint32(tag(4, LEN)).bytes(Buffer.from(PARENT_ID, 'hex'));
        w.uint32(tag(5, LEN)).string('GET /players/:id');
        w.uint32(tag(6, VARINT)).int32(3); // SPAN_KIND_CLIENT
        w.uint32(tag(7, FIXED64)).fixed64(protobuf.util.LongBits.from('1700000000123456789').toLong(true));
        w.uint32(tag(8, FIXED64)).fixed64(protobuf.util.LongBits.from('1700000000987654321').toLong(true));
        message(w, 9, keyValue('str', (w) => w.uint32(tag(1, LEN)).string('v')));
        message(w, 9, keyValue('big', (w) => w.uint32(tag(3, VARINT)).int64('9007199254740993')));
        message(w, 9, keyValue('neg', (w) => w.uint32(tag(3, VARINT)).int64(-5)));
        message(w, 9, keyValue('dbl', (w) => w.uint32(tag(4, FIXED64)).double(2.5)));
        message(w, 9, keyValue('raw', (w) => w.uint32(tag(7, LEN)).bytes(Buffer.from([0xde, 0xad]))));
        message(w, 9, keyValue('ints', (w) => message(w, 5, (w) => {
          message(w, 1, (w) => w.uint32(tag(3, VARINT)).int64(1));
          message(w, 1, (w) => w.uint32(tag(3, VARINT)).int64(2));
        })));
        message(w, 9, keyValue('map', (w) => message(w, 6, (w) => {
          message(w, 1, keyValue('inner', (w) => w.uint32(tag(1, LEN)).string('x')));
        })));
        message(w, 9, keyValue('nothing', () => {}));
        w.uint32(tag(10, VARINT)).uint32(2); // dropped_attributes_count
        message(w, 11, (w) => { // events
          w.uint32(tag(1, FIXED64)).fixed64(protobuf.util.LongBits.from('1700000000500000000').toLong(true));
          w.uint32(tag(2, LEN)).string('cache_miss');
          message(w, 3, keyValue('key', (w) => w.uint32(tag(1, LEN)).string('p:1')));
        });
        w.uint32(tag(12, VARINT)).uint32(3); // dropped_events_count
        message(w, 13, (w) => { // links
          w.uint32(tag(1, LEN)).bytes(Buffer.from(LINK_TRACE_ID, 'hex'));
          w.uint32(tag(2, LEN)).bytes(Buffer.from(LINK_SPAN_ID, 'hex'));
          message(w, 4, keyValue('why', (w) => w.uint32(tag(1, LEN)).string('batch')));
          w.uint32(tag(6, FIXED32)).fixed32(0x301);
        });
        w.uint32(tag(14, VARINT)).uint32(4); // dropped_links_count
        message(w, 15, (w) => { // status
          w.uint32(tag(2, LEN)).string('upstream failed');
          w.uint32(tag(3, VARINT)).int32(2); // STATUS_CODE_ERROR
        });
        w.uint32(tag(16, FIXED32)).fixed32(0x101); // flags: sampled, parent remoteness known
      });
    });
  });
  return w.finish();
}

/** The same request in OTLP/JSON, as the specification spells it. */
const HAND_WRITTEN_JSON = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hand-written' } }], droppedAttributesCount: 1 },
    scopeSpans: [{
      scope: { name: 'scope-name', version: '9.9.9', attributes: [{ key: 'scope.attr', value: { boolValue: true } }] },
      spans: [{
        traceId: TRACE_ID.toUpperCase(), // hex is case-insensitive
        spanId: SPAN_ID,
        traceState: 'vendor=1',
        parentSpanId: PARENT_ID,
        name: 'GET /players/:id',
        kind: 3,
        startTimeUnixNano: '1700000000123456789',
        endTimeUnixNano: '1700000000987654321',
        attributes: [
          { key: 'str', value: { stringValue: 'v' } },
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'neg', value: { intValue: -5 } },
          { key: 'dbl', value: { doubleValue: 2.5 } },
          { key: 'raw', value: { bytesValue: '3q0=' } },
          { key: 'ints', value: { arrayValue: { values: [{ intValue: '1' }, { intValue: 2 }] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'inner', value: { stringValue: 'x' } }] } } },
          { key: 'nothing', value: {} },
        ],
        droppedAttributesCount: 2,
        events: [{ timeUnixNano: '1700000000500000000', name: 'cache_miss', attributes: [{ key: 'key', value: { stringValue: 'p:1' } }] }],
        droppedEventsCount: 3,
        links: [{ traceId: LINK_TRACE_ID, spanId: LINK_SPAN_ID, attributes: [{ key: 'why', value: { stringValue: 'batch' } }], flags: 0x301 }],
        droppedLinksCount: 4,
        status: { message: 'upstream failed', code: 2 },
        flags: 0x101,
        someFutureField: { ignored: true }, // receivers must ignore unknown fields
      }],
    }],
  }],
};

const EXPECTED: Omit<ReceivedSpan, 'protocol' | 'headers' | 'requestId'> = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  parentSpanId: PARENT_ID,
  traceState: 'vendor=1',
  flags: 0x101,
  name: 'GET /players/:id',
  kind: 'CLIENT',
  startTimeUnixNano: 1700000000123456789n,
  endTimeUnixNano: 1700000000987654321n,
  attributes: {
    str: 'v',
    big: 9007199254740993n,
    neg: -5,
    dbl: 2.5,
    raw: Uint8Array.from([0xde, 0xad]),
    ints: [1, 2],
    map: { inner: 'x' },
    nothing: null,
  },
  attributeTypes: {
    str: 'string', big: 'int', neg: 'int', dbl: 'double', raw: 'bytes', ints: 'int[]', map: 'kvlist', nothing: 'empty',
  },
  droppedAttributesCount: 2,
  events: [{
    name: 'cache_miss',
    timeUnixNano: 1700000000500000000n,
    attributes: { key: 'p:1' },
    attributeTypes: { key: 'string' },
    droppedAttributesCount: 0,
  }],
  droppedEventsCount: 3,
  links: [{
    traceId: LINK_TRACE_ID,
    spanId: LINK_SPAN_ID,
    traceState: '',
    flags: 0x301,
    attributes: { why: 'batch' },
    attributeTypes: { why: 'string' },
    droppedAttributesCount: 0,
  }],
  droppedLinksCount: 4,
  status: { code: 'ERROR', message: 'upstream failed' },
  resource: {
    attributes: { 'service.name': 'hand-written' },
    attributeTypes: { 'service.name': 'string' },
    droppedAttributesCount: 1,
    schemaUrl: '',
  },
  serviceName: 'hand-written',
  scope: { name: 'scope-name', version: '9.9.9', attributes: { 'scope.attr': true }, schemaUrl: '' },
};

function decodeError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(DecodeError);
    return (err as Error).message;
  }
  throw new Error('expected a DecodeError');
}

describe('collector decoder', () => {
  describe('protobuf', () => {
    it('decodes a hand-written request: every field at its specification number', () => {
      const spans = normalizeRequest(decodeProtobuf(handWrittenProtobuf()), META);
      expect(spans).to.deep.equal([{ ...EXPECTED, ...META }]);
    });

    it('reads an empty body as an empty request', () => {
      expect(normalizeRequest(decodeProtobuf(new Uint8Array(0)), META)).to.deep.equal([]);
    });

    it('round-trips its own encoding', () => {
      const request = types.ExportTraceServiceRequest.decode(handWrittenProtobuf());
      const again = types.ExportTraceServiceRequest.encode(request).finish();
      expect(normalizeRequest(decodeProtobuf(again), META)).to.deep.equal(normalizeRequest(decodeProtobuf(handWrittenProtobuf()), META));
    });

    const malformed: Array<[string, Uint8Array, string | RegExp]> = [
      ['garbage bytes', Buffer.from([0xff, 0xff, 0xff]), /^invalid protobuf ExportTraceServiceRequest: index out of range/],
      ['a length running past the end', Buffer.from([0x0a, 0x05, 0x01]), /^invalid protobuf ExportTraceServiceRequest: index out of range/],
      ['a truncated request', handWrittenProtobuf().subarray(0, 40), /^invalid protobuf ExportTraceServiceRequest: /],
      ['a 15-byte trace id', spanWithIds(Buffer.alloc(15, 1), Buffer.alloc(8, 1)), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 15'],
      ['a missing span id', spanWithIds(Buffer.alloc(16, 1), Buffer.alloc(0)), 'resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 8 bytes, got 0'],
      ['a 4-byte parent span id', spanWithIds(Buffer.alloc(16, 1), Buffer.alloc(8, 1), Buffer.alloc(4, 1)), 'resourceSpans[0].scopeSpans[0].spans[0].parentSpanId: expected 8 bytes, got 4'],
      ['attribute values nested 40 deep', spanWithNestedValue(40), 'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: attribute value nested deeper than 32 levels'],
      ['attribute values nested 100,000 deep', spanWithNestedValue(100_000), /^invalid protobuf ExportTraceServiceRequest: /],
    ];
    for (const [title, body, want] of malformed) {
      it(`rejects ${title}`, () => {
        const message = decodeError(() => normalizeRequest(decodeProtobuf(body), META));
        if (typeof want === 'string') expect(message).to.equal(want);
        else expect(message).to.match(want);
      });
    }
  });

  describe('JSON', () => {
    it('decodes the same request in OTLP/JSON to the same spans', () => {
      const spans = normalizeRequest(decodeJson(JSON.stringify(HAND_WRITTEN_JSON)), { ...META, protocol: 'http/json' });
      expect(spans).to.deep.equal([{ ...EXPECTED, ...META, protocol: 'http/json' }]);
    });

    it('accepts enum names, numbers for 64-bit fields, and omitted optional fields', () => {
      const body = {
        resourceSpans: [{
          scopeSpans: [{
            spans: [{
              traceId: TRACE_ID, spanId: SPAN_ID, name: 'n', kind: 'SPAN_KIND_SERVER',
              startTimeUnixNano: 1700000000000000, endTimeUnixNano: '1700000000000001',
              status: { code: 'STATUS_CODE_OK' },
            }],
          }],
        }],
      };
      const [span] = normalizeRequest(decodeJson(JSON.stringify(body)), META);
      expect(span).to.deep.include({
        kind: 'SERVER', status: { code: 'OK', message: '' }, parentSpanId: undefined,
        startTimeUnixNano: 1700000000000000n, endTimeUnixNano: 1700000000000001n,
        attributes: {}, events: [], links: [], serviceName: '',
      });
      expect(span.scope).to.deep.equal({ name: '', version: '', attributes: {}, schemaUrl: '' });
    });

    it('accepts an empty object as an empty request', () => {
      expect(normalizeRequest(decodeJson('{}'), META)).to.deep.equal([]);
    });

    const where = 'resourceSpans[0].scopeSpans[0].spans[0]';
    const withSpan = (span: Record<string, unknown>): string =>
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name: 'n', ...span }] }] }] });
    const withValue = (value: unknown): string => withSpan({ attributes: [{ key: 'k', value }] });
    const malformed: Array<[string, string | Uint8Array, string | RegExp]> = [
      ['an empty body', '', /^invalid OTLP\/JSON body: Unexpected end of JSON input/],
      ['a truncated object', '{"resourceSpans":[', /^invalid OTLP\/JSON body: /],
      ['non-UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'invalid OTLP/JSON body: not valid UTF-8'],
      ['a top-level array', '[]', 'invalid OTLP/JSON body: expected a JSON object (ExportTraceServiceRequest)'],
      ['a top-level null', 'null', 'invalid OTLP/JSON body: expected a JSON object (ExportTraceServiceRequest)'],
      ['a top-level string', '"spans"', 'invalid OTLP/JSON body: expected a JSON object (ExportTraceServiceRequest)'],
      ['resourceSpans as a number', '{"resourceSpans":5}', 'invalid OTLP/JSON body: resourceSpans: array expected'],
      ['a resourceSpans entry that is not an object', '{"resourceSpans":[5]}', 'resourceSpans[0]: expected an object, got number'],
      ['arrays nested 100,000 deep where a message belongs', `{"resourceSpans":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'resourceSpans[0]: expected an object, got an array'],
      ['a trace id that is not hex', withSpan({ traceId: 'zz'.repeat(16) }), `${where}.traceId: expected 32 hex digits, got "${'zz'.repeat(16)}"`],
      ['a base64 trace id (protobuf JSON, not OTLP/JSON)', withSpan({ traceId: 'W47/95gDgQPSabYzgT/GDA==' }), `${where}.traceId: expected 32 hex digits, got "W47/95gDgQPSabYzgT/GDA=="`],
      ['a span id of the wrong length', withSpan({ spanId: 'abc' }), `${where}.spanId: expected 16 hex digits, got "abc"`],
      ['a missing trace id', withSpan({ traceId: undefined }), `${where}.traceId: expected 16 bytes, got 0`],
      ['a trace id as a number', withSpan({ traceId: 12 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.traceId: buffer expected'],
      ['a start time that is not a number', withSpan({ startTimeUnixNano: 'soon' }), `${where}.startTimeUnixNano: expected an unsigned 64-bit integer, got "soon"`],
      ['a negative start time', withSpan({ startTimeUnixNano: '-1' }), `${where}.startTimeUnixNano: expected an unsigned 64-bit integer, got "-1"`],
      ['an end time past 64 bits', withSpan({ endTimeUnixNano: '18446744073709551616' }), `${where}.endTimeUnixNano: expected an unsigned 64-bit integer, got "18446744073709551616"`],
      ['an unknown kind name', withSpan({ kind: 'SPAN_KIND_BOGUS' }), `${where}.kind: unknown enum value "SPAN_KIND_BOGUS"`],
      ['a kind number out of range', withSpan({ kind: 9 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.kind: enum value expected'],
      ['an unknown status code name', withSpan({ status: { code: 'FINE' } }), `${where}.status.code: unknown enum value "FINE"`],
      ['a name that is not a string', withSpan({ name: 5 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.name: string expected'],
      ['attributes as an object', withSpan({ attributes: { k: 'v' } }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.attributes: array expected'],
      ['an attribute that is not an object', withSpan({ attributes: ['k=v'] }), `${where}.attributes[0]: expected an object, got string`],
      ['an intValue with a fraction (string)', withValue({ intValue: '12.5' }), `${where}.attributes[0].value.intValue: expected a 64-bit integer, got "12.5"`],
      ['an intValue with a fraction (number)', withValue({ intValue: 1.5 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.attributes.value.intValue: integer|Long expected'],
      ['an intValue past 64 bits', withValue({ intValue: '9223372036854775808' }), `${where}.attributes[0].value.intValue: expected a 64-bit integer, got "9223372036854775808"`],
      ['two members of the value oneof', withValue({ stringValue: 'x', intValue: 3 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.attributes.value.value: multiple values'],
      ['bytes that are not base64', withValue({ bytesValue: 5 }), 'invalid OTLP/JSON body: resourceSpans.scopeSpans.spans.attributes.value.bytesValue: buffer expected'],
      ['an event list entry that is a string', withSpan({ events: ['boom'] }), `${where}.events[0]: expected an object, got string`],
      ['a link with a short trace id', withSpan({ links: [{ traceId: 'ab', spanId: SPAN_ID }] }), `${where}.links[0].traceId: expected 32 hex digits, got "ab"`],
      ['attribute values nested 40 deep', withValue(nestedJsonValue(40)), `${where}.attributes[0].value: attribute value nested deeper than 32 levels`],
    ];
    for (const [title, body, want] of malformed) {
      it(`rejects ${title}`, () => {
        const message = decodeError(() => normalizeRequest(decodeJson(body), META));
        if (typeof want === 'string') expect(message).to.equal(want);
        else expect(message).to.match(want);
      });
    }

    it('ignores deep JSON under an unknown key', () => {
      const body = `{"extension":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      expect(normalizeRequest(decodeJson(body), META)).to.deep.equal([]);
    });
  });
});

function spanWithIds(traceId: Uint8Array, spanId: Uint8Array, parentSpanId?: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  message(w, 1, (w) => message(w, 2, (w) => message(w, 2, (w) => {
    w.uint32(tag(1, LEN)).bytes(traceId);
    w.uint32(tag(2, LEN)).bytes(spanId);
    if (parentSpanId) w.uint32(tag(4, LEN)).bytes(parentSpanId);
    w.uint32(tag(5, LEN)).string('ids');
  })));
  return w.finish();
}

/** A span whose one attribute is an array inside an array … `depth` times. */
function spanWithNestedValue(depth: number): Uint8Array {
  // Built inside out: AnyValue{array_value: ArrayValue{values: [AnyValue{…}]}}.
  let value: Uint8Array = protobuf.Writer.create().uint32(tag(1, LEN)).string('leaf').finish();
  for (let i = 0; i < depth; i++) {
    const array = protobuf.Writer.create().uint32(tag(1, LEN)).bytes(value).finish(); // ArrayValue.values
    value = protobuf.Writer.create().uint32(tag(5, LEN)).bytes(array).finish(); // AnyValue.array_value
  }
  const w = protobuf.Writer.create();
  message(w, 1, (w) => message(w, 2, (w) => message(w, 2, (w) => {
    w.uint32(tag(1, LEN)).bytes(Buffer.alloc(16, 1));
    w.uint32(tag(2, LEN)).bytes(Buffer.alloc(8, 1));
    message(w, 9, (w) => {
      w.uint32(tag(1, LEN)).string('deep');
      w.uint32(tag(2, LEN)).bytes(value);
    });
  })));
  return w.finish();
}

function nestedJsonValue(depth: number): unknown {
  let value: unknown = { stringValue: 'leaf' };
  for (let i = 0; i < depth; i++) value = { arrayValue: { values: [value] } };
  return value;
}
