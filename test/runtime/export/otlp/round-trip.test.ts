import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { BasicTracerProvider, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { createOtlpExporter } from '../../../../runtime/export/otlp';
import { SecretHeaders } from '../../../../runtime/config/secret-headers';
import { startCollector } from '../../../support/collector';
import type { Collector, Protocol, ReceivedRequest, ReceivedSpan, ReceivedTrace, SpanNode } from '../../../support/collector';
import { exportSpans, hrToNanos, officialExporter, recordSpans, tracingTo } from './exporters';

/** One attribute of every type tracing.yaml knows, with the wire type each must arrive as. */
const EVERY_TYPE: Attributes = {
  'app.sport': 'nba',
  'app.empty': '',
  'app.player_name': 'Luka Dončić ⛹',
  'app.player_count': 42,
  'app.offset': -7,
  'app.max_safe': Number.MAX_SAFE_INTEGER,
  'app.confidence': 0.875,
  'app.tiny': -1.5e-300,
  'app.cached': true,
  'app.fresh': false,
  'app.player_ids': ['1628369', '201939'],
  'app.scores': [31, 0, -4],
  'app.weights': [0.5, 1.25, -3.75],
  'app.flags': [true, false, true],
};
const EVERY_TYPE_WIRE = {
  'app.sport': 'string',
  'app.empty': 'string',
  'app.player_name': 'string',
  'app.player_count': 'int',
  'app.offset': 'int',
  'app.max_safe': 'int',
  'app.confidence': 'double',
  'app.tiny': 'double',
  'app.cached': 'boolean',
  'app.fresh': 'boolean',
  'app.player_ids': 'string[]',
  'app.scores': 'int[]',
  'app.weights': 'double[]',
  'app.flags': 'boolean[]',
};

const RESOURCE: Attributes = {
  'service.name': 'round-trip',
  'service.version': '1.2.3',
  'deployment.environment.name': 'test',
  'app.instance_count': 3,
  'app.regions': ['eu', 'us'],
};

const HEADERS = { 'x-honeycomb-team': 'test-api-key', 'x-tenant': 'spanwright' };

/**
 * A trace with all five kinds, a parent chain three deep, an event with attributes, a recorded
 * exception with ERROR status, an OK status, and a link from the consumer to the producer.
 */
function makeTrace(provider: BasicTracerProvider): void {
  const tracer = provider.getTracer('spanwright.round-trip', '0.1.0');
  const root = tracer.startSpan('POST /api/v1/nba/predictions', { kind: SpanKind.SERVER, attributes: EVERY_TYPE });
  const rootContext = trace.setSpan(ROOT_CONTEXT, root);
  root.addEvent('cache_miss', { 'app.cache.key': 'player:1628369', 'app.cache.size': 3, 'app.cache.ratio': 0.25, 'app.cache.keys': ['a', 'b'] });

  const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'espn', 'http.response.status_code': 200 } }, rootContext);
  client.end();

  const calculate = tracer.startSpan('calculate_prediction', { kind: SpanKind.INTERNAL, attributes: { 'app.player_count': 1 } }, rootContext);
  const adjust = tracer.startSpan('apply_injury_adjustment', {}, trace.setSpan(rootContext, calculate));
  adjust.setStatus({ code: SpanStatusCode.OK });
  adjust.end();
  calculate.recordException(new TypeError('model not loaded'));
  calculate.setStatus({ code: SpanStatusCode.ERROR, message: 'model not loaded' });
  calculate.end();

  const producer = tracer.startSpan('predictions publish', { kind: SpanKind.PRODUCER }, rootContext);
  producer.end();
  const consumer = tracer.startSpan('predictions process', {
    kind: SpanKind.CONSUMER,
    links: [{ context: producer.spanContext(), attributes: { 'app.link.reason': 'batch', 'app.link.position': 0 } }],
  }, rootContext);
  consumer.end();

  root.setStatus({ code: SpanStatusCode.OK });
  root.end();
}

const KIND_NAMES = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'];

/** Asserts that `got` carries everything the SDK put in `want`. */
function expectSameSpan(got: ReceivedSpan, want: ReadableSpan): void {
  const where = `span ${want.name}`;
  expect(got.traceId, where).to.equal(want.spanContext().traceId);
  expect(got.parentSpanId, where).to.equal(want.parentSpanContext?.spanId);
  expect(got.flags & 0xff, where).to.equal(want.spanContext().traceFlags);
  expect(got.name).to.equal(want.name);
  expect(got.kind, where).to.equal(KIND_NAMES[want.kind]);
  expect(got.startTimeUnixNano, where).to.equal(hrToNanos(want.startTime));
  expect(got.endTimeUnixNano, where).to.equal(hrToNanos(want.endTime));
  expect(got.attributes, where).to.deep.equal(want.attributes);
  expect(got.events.map((e) => ({ name: e.name, time: e.timeUnixNano, attributes: e.attributes })), where).to.deep.equal(
    want.events.map((e) => ({ name: e.name, time: hrToNanos(e.time), attributes: e.attributes ?? {} })),
  );
  expect(got.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: l.attributes })), where).to.deep.equal(
    want.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: l.attributes ?? {} })),
  );
  expect(got.status, where).to.deep.equal({ code: STATUS_NAMES[want.status.code], message: want.status.message ?? '' });
  expect(got.resource.attributes, where).to.deep.equal(want.resource.attributes);
  expect(got.scope, where).to.deep.include({ name: want.instrumentationScope.name, version: want.instrumentationScope.version });
}

/** A tree as nested [name, kind, children] for structural comparison. */
function shape(node: SpanNode): unknown {
  return [node.span.name, node.span.kind, node.children.map(shape)];
}

/**
 * `official`: the @opentelemetry exporter package. `spanwright`: what the bootstrap builds
 * (createOtlpExporter), which for the protobuf protocols encodes with runtime/export/protobuf-encoder.ts.
 */
type Sender = 'official' | 'spanwright';

const CASES: Array<{ protocol: Protocol; gzip: boolean; sender: Sender }> = [
  { protocol: 'grpc', gzip: false, sender: 'official' },
  { protocol: 'grpc', gzip: true, sender: 'official' },
  { protocol: 'http/protobuf', gzip: false, sender: 'official' },
  { protocol: 'http/protobuf', gzip: true, sender: 'official' },
  { protocol: 'http/json', gzip: false, sender: 'official' },
  { protocol: 'http/json', gzip: true, sender: 'official' },
  { protocol: 'grpc', gzip: false, sender: 'spanwright' },
  { protocol: 'grpc', gzip: true, sender: 'spanwright' },
  { protocol: 'http/protobuf', gzip: false, sender: 'spanwright' },
  { protocol: 'http/protobuf', gzip: true, sender: 'spanwright' },
];

/**
 * The exporter the bootstrap would build for `protocol`. Compression comes from the
 * environment, as in a service (OTEL_EXPORTER_OTLP_COMPRESSION), read when the exporter is made.
 */
function spanwrightExporter(protocol: Protocol, collector: Collector, gzip: boolean): SpanExporter {
  const before = process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
  process.env.OTEL_EXPORTER_OTLP_COMPRESSION = gzip ? 'gzip' : 'none';
  try {
    return createOtlpExporter({
      protocol,
      url: protocol === 'grpc' ? collector.grpcEndpoint : collector.tracesUrl,
      urlFrom: 'test',
      headers: new SecretHeaders(Object.entries(HEADERS)),
      timeoutMillis: 10_000,
    });
  } finally {
    if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_COMPRESSION;
    else process.env.OTEL_EXPORTER_OTLP_COMPRESSION = before;
  }
}

describe('OTLP round trip: official and spanwright exporters → test collector', () => {
  let collector: Collector;

  before(async () => {
    collector = await startCollector();
  });
  beforeEach(function () {
    // Each protocol's describe() clears once and sends once; its tests then read the result.
    if (this.currentTest?.parent?.title === 'OTLP round trip: official and spanwright exporters → test collector') collector.clear();
  });
  after(async () => {
    await collector.close();
  });

  for (const { protocol, gzip, sender } of CASES) {
    describe(`${sender} ${protocol}${gzip ? ' + gzip' : ''}`, () => {
      let spans: ReceivedSpan[];
      let sent: ReadableSpan[];
      let requests: ReceivedRequest[];
      let traces: ReceivedTrace[];

      before(async () => {
        collector.clear();
        const exporter =
          sender === 'official' ? officialExporter(protocol, collector, { headers: HEADERS, gzip }) : spanwrightExporter(protocol, collector, gzip);
        const tracing = tracingTo(exporter, RESOURCE);
        makeTrace(tracing.provider);
        await tracing.provider.forceFlush();
        sent = tracing.sent.getFinishedSpans();
        spans = await collector.waitForSpans(sent.length, 5000);
        await tracing.provider.shutdown();
        requests = collector.requests();
        traces = collector.traces();
      });

      it('delivers every span exactly once, each exactly as the SDK recorded it', () => {
        expect(sent).to.have.length(6);
        expect(spans.map((s) => s.spanId).sort()).to.deep.equal(sent.map((s) => s.spanContext().spanId).sort());
        for (const want of sent) {
          expectSameSpan(spans.find((s) => s.spanId === want.spanContext().spanId)!, want);
        }
      });

      it('keeps every attribute type apart: int from double, each array type', () => {
        const root = spans.find((s) => s.kind === 'SERVER')!;
        expect(root.attributes).to.deep.equal(EVERY_TYPE);
        expect(root.attributeTypes).to.deep.equal(EVERY_TYPE_WIRE);
        const event = root.events[0];
        expect(event.name).to.equal('cache_miss');
        expect(event.attributeTypes).to.deep.equal({
          'app.cache.key': 'string',
          'app.cache.size': 'int',
          'app.cache.ratio': 'double',
          'app.cache.keys': 'string[]',
        });
      });

      it('rebuilds the tree from parent links: all five kinds under the server span', () => {
        expect(traces).to.have.length(1);
        expect(traces[0].roots.map(shape)).to.deep.equal([
          ['POST /api/v1/nba/predictions', 'SERVER', [
            ['GET', 'CLIENT', []],
            ['calculate_prediction', 'INTERNAL', [['apply_injury_adjustment', 'INTERNAL', []]]],
            ['predictions publish', 'PRODUCER', []],
            ['predictions process', 'CONSUMER', []],
          ]],
        ]);
      });

      it('carries the recorded exception and the ERROR status with its message', () => {
        const failed = spans.find((s) => s.name === 'calculate_prediction')!;
        expect(failed.status).to.deep.equal({ code: 'ERROR', message: 'model not loaded' });
        expect(failed.events).to.have.length(1);
        expect(failed.events[0].name).to.equal('exception');
        expect(failed.events[0].attributes).to.include({ 'exception.type': 'TypeError', 'exception.message': 'model not loaded' });
        expect(failed.events[0].attributes['exception.stacktrace']).to.be.a('string').and.match(/^TypeError: model not loaded\n\s+at /);
        expect(spans.find((s) => s.name === 'apply_injury_adjustment')!.status).to.deep.equal({ code: 'OK', message: '' });
        expect(spans.find((s) => s.name === 'GET')!.status).to.deep.equal({ code: 'UNSET', message: '' });
      });

      it('carries the link from consumer to producer with its attributes', () => {
        const producer = spans.find((s) => s.kind === 'PRODUCER')!;
        const consumer = spans.find((s) => s.kind === 'CONSUMER')!;
        expect(consumer.links).to.have.length(1);
        expect(consumer.links[0]).to.deep.include({
          traceId: producer.traceId,
          spanId: producer.spanId,
          attributes: { 'app.link.reason': 'batch', 'app.link.position': 0 },
          attributeTypes: { 'app.link.reason': 'string', 'app.link.position': 'int' },
        });
      });

      it('carries resource attributes, the scope and the service name', () => {
        for (const span of spans) {
          expect(span.serviceName).to.equal('round-trip');
          expect(span.resource.attributes).to.include({ 'service.version': '1.2.3', 'deployment.environment.name': 'test', 'app.instance_count': 3 });
          expect(span.resource.attributes['app.regions']).to.deep.equal(['eu', 'us']);
          expect(span.resource.attributeTypes).to.include({ 'app.instance_count': 'int', 'app.regions': 'string[]' });
          expect(span.scope).to.deep.equal({ name: 'spanwright.round-trip', version: '0.1.0', attributes: {}, schemaUrl: '' });
        }
      });

      it(`arrives over ${protocol} with the custom headers${gzip && protocol !== 'grpc' ? ', gzip-encoded' : ''}`, () => {
        for (const span of spans) {
          expect(span.protocol).to.equal(protocol);
          expect(span.headers).to.include(HEADERS);
        }
        const accepted = requests.filter((r) => r.outcome === 'accepted');
        expect(accepted.length).to.be.greaterThan(0);
        for (const request of accepted) {
          expect(request.protocol).to.equal(protocol);
          if (protocol !== 'grpc') {
            expect(request.gzip).to.equal(gzip);
            expect(request.headers['content-encoding']).to.equal(gzip ? 'gzip' : undefined);
          }
        }
      });
    });
  }

  it('receives a double attribute with an integral value as int: OTel JS encodes numbers by value', async () => {
    // Worth knowing for `type: double` attributes: 2.0 leaves the SDK as intValue 2.
    const spans = recordSpans((provider) => {
      provider.getTracer('t').startSpan('integral double', { attributes: { 'app.ratio': 2.0, 'app.mixed': [1.0, 2.5] } }).end();
    });
    const exporter = officialExporter('http/protobuf', collector);
    expect(await exportSpans(exporter, spans)).to.deep.equal({ code: 0 });
    const [span] = await collector.waitForSpans(1);
    expect(span.attributeTypes).to.deep.equal({ 'app.ratio': 'int', 'app.mixed': 'array' });
    expect(span.attributes).to.deep.equal({ 'app.ratio': 2, 'app.mixed': [1, 2.5] });
    await exporter.shutdown();
  });

  it('keeps spans from several services apart by resource', async () => {
    const send = async (service: string): Promise<void> => {
      const exporter = officialExporter('grpc', collector);
      const tracing = tracingTo(exporter, { 'service.name': service });
      tracing.provider.getTracer('t').startSpan(`${service} work`).end();
      await tracing.provider.forceFlush();
      await tracing.provider.shutdown();
    };
    await send('predictions-api');
    await send('stats-upstream');
    const spans = await collector.waitForSpans(2);
    expect(spans.map((s) => [s.serviceName, s.name])).to.deep.equal([
      ['predictions-api', 'predictions-api work'],
      ['stats-upstream', 'stats-upstream work'],
    ]);
  });
});
