import type { HrTime, Link, SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { decodeProtobuf } from '../../support/collector';
import { encodeTraceExportRequest } from '../../../runtime/export/protobuf-encoder';
import { random } from '../../support/random';


const STRINGS = [
  '',
  'nba',
  'select `id`, `name` from `players` where `id` in (?, ?)',
  'Luka Dončić',
  '⛹ 🏀 basket', // BMP and astral (a surrogate pair)
  'lone \ud800 high',
  'lone \udc00 low',
  'x'.repeat(127),
  'y'.repeat(128), // a two-byte length
  'z'.repeat(20_000), // a three-byte length
  'ü'.repeat(70), // 140 UTF-8 bytes from 70 chars
];

const NUMBERS = [
  0, -0, 1, 127, 128, -1, -128, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 62,
  -(2 ** 63), 2 ** 63, 0.5, -2.25, 1e300, -1e-300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];

const HRTIMES: HrTime[] = [
  [0, 0],
  [1, 1],
  [1_732_406_400, 123_456_789],
  [1_732_406_400, 999_999_999],
  [65_535, 999_999_999],
  [65_536, 0],
  [1_000_000, 999_999_999], // the low 32 bits carry into the high ones
  [4_294_967_295, 999_999_999],
  [18_446_744_073, 709_551_615], // the largest fixed64 time
];

function pick<T>(rnd: () => number, values: readonly T[]): T {
  return values[Math.floor(rnd() * values.length)]!;
}

/** A listed time, or any time up to the largest fixed64 one. */
function time(rnd: () => number): HrTime {
  return rnd() < 0.5 ? pick(rnd, HRTIMES) : [Math.floor(rnd() * 18_446_744_073), Math.floor(rnd() * 1e9)];
}

function hex(rnd: () => number, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += Math.floor(rnd() * 256).toString(16).padStart(2, '0');
  return rnd() < 0.1 ? out.toUpperCase() : out;
}

/** Any value the encoder may meet: the API's attribute values, plus bytes and key-value lists. */
function value(rnd: () => number, depth = 0): unknown {
  const r = rnd();
  if (r < 0.25) return pick(rnd, STRINGS);
  if (r < 0.45) return pick(rnd, NUMBERS);
  if (r < 0.55) return Math.floor(rnd() * 2 ** 40) - 2 ** 39;
  if (r < 0.65) return rnd() < 0.5;
  if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => pick(rnd, [pick(rnd, STRINGS), null, undefined]));
  if (r < 0.85) return Array.from({ length: Math.floor(rnd() * 4) }, () => pick(rnd, NUMBERS));
  if (r < 0.9) return Uint8Array.from({ length: Math.floor(rnd() * 5) }, () => Math.floor(rnd() * 256));
  if (depth < 2 && r < 0.95) return attributes(rnd, depth + 1);
  if (depth < 2) return [value(rnd, depth + 1), value(rnd, depth + 1)];
  return pick(rnd, [null, undefined]);
}

function attributes(rnd: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(rnd() * 8);
  for (let i = 0; i < count; i++) out[rnd() < 0.2 ? pick(rnd, STRINGS) : `app.key_${i}`] = value(rnd, depth);
  return out;
}

function spanContext(rnd: () => number): SpanContext {
  return {
    traceId: hex(rnd, 16),
    spanId: hex(rnd, 8),
    traceFlags: pick(rnd, [0, 1, 0xff]),
    ...(rnd() < 0.5 ? { isRemote: rnd() < 0.5 } : {}),
    ...(rnd() < 0.3 ? { traceState: new TraceState(pick(rnd, ['', 'vendor=1', 'a=1,b=two'])) } : {}),
  };
}

function count(rnd: () => number): number {
  return pick(rnd, [0, 0, 1, 127, 128, 300, 2 ** 31]);
}

function span(rnd: () => number, resource: ReadableSpan['resource'], scope: ReadableSpan['instrumentationScope']): ReadableSpan {
  const ctx = spanContext(rnd);
  const events: TimedEvent[] = Array.from({ length: Math.floor(rnd() * 3) }, () => ({
    name: pick(rnd, STRINGS),
    time: time(rnd),
    ...(rnd() < 0.7 ? { attributes: attributes(rnd) as TimedEvent['attributes'] } : {}),
    ...(rnd() < 0.3 ? { droppedAttributesCount: count(rnd) } : {}),
  }));
  const links: Link[] = Array.from({ length: Math.floor(rnd() * 3) }, () => ({
    context: spanContext(rnd),
    ...(rnd() < 0.7 ? { attributes: attributes(rnd) as Link['attributes'] } : {}),
    ...(rnd() < 0.3 ? { droppedAttributesCount: count(rnd) } : {}),
  }));
  const parent = rnd() < 0.7 ? spanContext(rnd) : undefined;
  return {
    name: pick(rnd, STRINGS),
    kind: pick(rnd, [0, 1, 2, 3, 4, undefined]) as ReadableSpan['kind'],
    spanContext: () => ctx,
    parentSpanContext: parent,
    startTime: time(rnd),
    endTime: time(rnd),
    status: { code: pick(rnd, [0, 1, 2]), ...(rnd() < 0.5 ? { message: pick(rnd, STRINGS) } : {}) },
    attributes: attributes(rnd) as ReadableSpan['attributes'],
    links,
    events,
    duration: [0, 0],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: count(rnd),
    droppedEventsCount: count(rnd),
    droppedLinksCount: count(rnd),
  };
}

function resource(rnd: () => number): ReadableSpan['resource'] {
  const attrs = attributes(rnd) as ReadableSpan['resource']['attributes'];
  const schemaUrl = rnd() < 0.5 ? 'https://opentelemetry.io/schemas/1.30.0' : undefined;
  return { attributes: attrs, schemaUrl, asyncAttributesPending: false } as unknown as ReadableSpan['resource'];
}

function scope(rnd: () => number): ReadableSpan['instrumentationScope'] {
  return {
    name: pick(rnd, ['sports-bet-ai-api', '@opentelemetry/instrumentation-knex', '']),
    ...(rnd() < 0.6 ? { version: pick(rnd, ['0.67.0', '']) } : {}),
    ...(rnd() < 0.4 ? { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' } : {}),
    ...(rnd() < 0.3 ? { attributes: attributes(rnd) } : {}),
    ...(rnd() < 0.3 ? { droppedAttributesCount: count(rnd) } : {}),
  } as ReadableSpan['instrumentationScope'];
}

/** A batch of spans over up to three resources and three scopes each, interleaved. */
function batch(seed: number, size: number): ReadableSpan[] {
  const rnd = random(seed);
  const resources = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => resource(rnd));
  const scopes = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => scope(rnd));
  return Array.from({ length: size }, () => span(rnd, pick(rnd, resources), pick(rnd, scopes)));
}

function official(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

describe('OTLP/protobuf encoding (runtime/export/protobuf-encoder.ts)', () => {
  it('writes the same bytes as @opentelemetry/otlp-transformer for 300 random batches', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const spans = batch(seed, 1 + (seed % 17));
      const ours = Buffer.from(encodeTraceExportRequest(spans));
      if (!ours.equals(official(spans))) expect.fail(`seed ${seed}: the bytes differ from otlp-transformer's`);
    }
  });

  it('writes bytes a protobuf decoder reads back as the spans, ids, times and values', () => {
    const rnd = random(7);
    const res = { attributes: { 'service.name': 'enc', 'app.n': -5, 'app.big': 2 ** 40 }, asyncAttributesPending: false } as unknown as ReadableSpan['resource'];
    const sc = { name: 'enc-test', version: '1.0.0' };
    const one = span(rnd, res, sc);
    const spans: ReadableSpan[] = [
      {
        ...one,
        name: 'Luka Dončić ⛹',
        kind: 2,
        spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
        parentSpanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true },
        startTime: [1_732_406_400, 123_456_789],
        endTime: [1_732_406_401, 5],
        attributes: { 'app.s': 'x', 'app.i': -7, 'app.d': 0.25, 'app.b': true, 'app.a': ['a', 'b'] },
        status: { code: 2, message: 'boom' },
        events: [],
        links: [],
        droppedAttributesCount: 3,
      },
    ];
    const request = decodeProtobuf(encodeTraceExportRequest(spans));
    expect(request.resourceSpans).to.have.length(1);
    const rs = request.resourceSpans[0]!;
    expect(rs.resource!.attributes.map((a) => a.key)).to.deep.equal(['service.name', 'app.n', 'app.big']);
    expect(rs.scopeSpans[0]!.scope).to.deep.include({ name: 'enc-test', version: '1.0.0' });
    const got = rs.scopeSpans[0]!.spans[0]!;
    expect(Buffer.from(got.traceId).toString('hex')).to.equal('0af7651916cd43dd8448eb211c80319c');
    expect(Buffer.from(got.spanId).toString('hex')).to.equal('b7ad6b7169203331');
    expect(Buffer.from(got.parentSpanId).toString('hex')).to.equal('00f067aa0ba902b7');
    expect(got.name).to.equal('Luka Dončić ⛹');
    expect(got.kind).to.equal(3); // SERVER: the API's 1, plus one
    expect(String(got.startTimeUnixNano)).to.equal('1732406400123456789');
    expect(String(got.endTimeUnixNano)).to.equal('1732406401000000005');
    expect(got.flags).to.equal(0x301); // sampled, has is_remote, is remote
    expect(got.droppedAttributesCount).to.equal(3);
    expect(got.status).to.deep.include({ code: 2, message: 'boom' });
    expect(got.attributes.map((a) => a.key)).to.deep.equal(['app.s', 'app.i', 'app.d', 'app.b', 'app.a']);
    expect(got.attributes[1]!.value!.intValue?.toString()).to.equal('-7');
    expect(got.attributes[2]!.value!.doubleValue).to.equal(0.25);
  });

  it('grows past its first buffer for a large batch, and gives each request a buffer of its own', () => {
    const small = batch(11, 3);
    const large = batch(12, 600); // several MB: past the last size and past any first guess
    const first = encodeTraceExportRequest(small);
    const copy = Buffer.from(first);
    const big = encodeTraceExportRequest(large);
    expect(big.length).to.be.greaterThan(1024 * 1024);
    expect(Buffer.from(big).equals(official(large))).to.equal(true);
    expect(Buffer.from(first).equals(copy), 'an earlier request was overwritten').to.equal(true);
    const again = encodeTraceExportRequest(small); // after the large one: sized from it, written at its end
    expect(Buffer.from(again).equals(official(small))).to.equal(true);
    expect(Buffer.from(big).equals(official(large)), 'an earlier request was overwritten').to.equal(true);
  });

  it('encodes an empty batch as an empty request', () => {
    expect(encodeTraceExportRequest([]).length).to.equal(0);
    expect(official([]).length).to.equal(0);
  });
});
