/**
 * A Koa + Knex service in a child process with the runtime loaded first
 * (`--require`), real HTTP requests, spans received by the test collector and
 * asserted as a tree: names, kinds, parents, attributes.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import { startCollector, type Collector, type ReceivedSpan } from '../../support/collector';
import { get, startChild, type Child } from '../child';
import { ALL_INSTRUMENTATION, makeManifest, without } from '../manifest-fixture';

describe('runtime instrumentation: Koa + Knex + fetch in a child process', function () {
  this.timeout(60_000);
  let collector: Collector;
  let upstream: http.Server;
  let upstreamPort: number;
  const upstreamHeaders: http.IncomingHttpHeaders[] = [];
  let child: Child;
  let port: number;

  before(async () => {
    collector = await startCollector();
    upstream = http.createServer((req, res) => {
      upstreamHeaders.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ points: 27 }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamPort = (upstream.address() as { port: number }).port;
    const manifest = makeManifest({
      instrumentation: { ...ALL_INSTRUMENTATION, knex: { maxQueryLength: 30 } },
      peers: [
        { name: 'stats', host: `127.0.0.1:${upstreamPort}` },
        { name: 'elsewhere', host: '127.0.0.1:1' },
      ],
    });
    child = startChild('koa-app.ts', manifest, {
      UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_CONSOLE: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
    port = Number((await child.waitForLine(/^listening (\d+)$/))[1]);
  });

  after(async () => {
    child.process.kill('SIGTERM');
    await child.exited;
    await collector.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  beforeEach(() => collector.clear());

  function byParent(spans: ReceivedSpan[], parent: ReceivedSpan): ReceivedSpan[] {
    return spans.filter((s) => s.parentSpanId === parent.spanId).sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
  }

  it('POST: server span named METHOD /route, the router span, knex, fetch with peer.service and the custom span under it', async () => {
    const res = await get(port, '/api/v1/nba/predictions', { method: 'POST' });
    expect(res.status).to.equal(200);
    const spans = await collector.waitForSpans(6);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(server.name).to.equal('POST /api/v1/nba/predictions');
    expect(server.parentSpanId).to.equal(undefined);
    expect(server.attributes).to.include({
      'http.route': '/api/v1/nba/predictions',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.path': '/api/v1/nba/predictions',
    });
    expect(new Set(spans.map((s) => s.traceId)).size).to.equal(1);

    // One router layer span between the server span and the handler's (middleware layers are opt-in).
    const koaSpans = byParent(spans, server);
    expect(koaSpans.map((s) => [s.name, s.kind, s.scope.name])).to.deep.equal([
      ['router - /api/v1/nba/predictions', 'INTERNAL', '@opentelemetry/instrumentation-koa'],
    ]);
    const router = koaSpans[0]!;
    expect(router.attributes).to.deep.equal({
      'koa.type': 'router',
      'koa.name': '/api/v1/nba/predictions',
      'http.route': '/api/v1/nba/predictions',
    });
    // Compared as a set: span clocks are not precise enough to order siblings reliably.
    const children = byParent(spans, router);
    expect(children.map((s) => [s.kind, s.scope.name])).to.have.deep.members([
      ['CLIENT', '@opentelemetry/instrumentation-knex'],
      ['CLIENT', '@opentelemetry/instrumentation-undici'],
      ['INTERNAL', 'spanwright'],
      ['CLIENT', '@opentelemetry/instrumentation-knex'],
    ]);
    const knexOp = (op: string) => children.find((s) => s.attributes['db.operation.name'] === op)!;
    const select = knexOp('first');
    const insert = knexOp('insert');
    const fetchSpan = children.find((s) => s.scope.name === '@opentelemetry/instrumentation-undici')!;
    const calculate = children.find((s) => s.scope.name === 'spanwright')!;

    expect(select.attributes).to.include({ 'db.system.name': 'sqlite', 'db.operation.name': 'first', 'db.collection.name': 'players' });
    // `{db.operation.name} {table}`: the SQLite file's path stays in db.namespace, out of the name.
    expect([select.name, insert.name]).to.deep.equal(['first players', 'insert predictions']);
    const selectText = select.attributes['db.query.text'] as string;
    expect(selectText).to.equal('select * from `players` where ..');
    expect(insert.attributes).to.include({ 'db.operation.name': 'insert', 'db.collection.name': 'predictions' });
    // The bound value (the player id) is never recorded by the db spans.
    for (const s of [select, insert]) expect(JSON.stringify(s.attributes)).to.not.include('1628369');

    expect(fetchSpan.name).to.equal('GET');
    expect(fetchSpan.attributes).to.include({
      'peer.service': 'stats',
      'http.request.method': 'GET',
      'url.full': `http://127.0.0.1:${upstreamPort}/api/espn/players/1628369`,
      'http.response.status_code': 200,
    });
    // The upstream got the trace context of the client span.
    expect(upstreamHeaders.at(-1)!.traceparent).to.equal(`00-${server.traceId}-${fetchSpan.spanId}-01`);

    expect(calculate.name).to.equal('calculate_prediction');
    expect(calculate.attributes).to.deep.equal({ 'app.player_count': 1 });
    expect(byParent(spans, calculate)).to.deep.equal([]);
  });

  it('a route registered after app.use(router.routes()): no router span (the official package misses it), yet http.route and its name (koa-route.ts)', async () => {
    await get(port, '/api/v1/nba/predictions', { method: 'POST' });
    await collector.waitForSpans(6);
    collector.clear();
    expect((await get(port, '/api/v1/nba/predictions/1')).status).to.equal(200);
    const spans = await collector.waitForSpans(2);
    const server = spans.find((s) => s.kind === 'SERVER')!;
    expect(server.name).to.equal('GET /api/v1/nba/predictions/:id');
    expect(server.attributes['http.route']).to.equal('/api/v1/nba/predictions/:id');
    // The gap: @opentelemetry/instrumentation-koa patched the router's layers at `use` time only.
    expect(spans.filter((s) => s.scope.name === '@opentelemetry/instrumentation-koa')).to.deep.equal([]);
    expect(byParent(spans, server).map((s) => s.attributes['db.operation.name'])).to.deep.equal(['first']);
  });

  it('an unmatched path keeps the plain method name and no http.route', async () => {
    expect((await get(port, '/nowhere')).status).to.equal(404);
    const [server] = await collector.waitForSpans(1);
    expect(server!.name).to.equal('GET');
    expect(server!.attributes).to.not.have.property('http.route');
    expect(server!.attributes['http.response.status_code']).to.equal(404);
  });

  it('/healthz is never traced', async () => {
    expect((await get(port, '/healthz')).body).to.equal('{"status":"ok"}');
    expect((await get(port, '/nowhere')).status).to.equal(404);
    const spans = await collector.waitForSpans(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(collector.spans().map((s) => s.attributes['url.path'])).to.deep.equal(['/nowhere']);
    expect(spans).to.have.length(1);
  });

  it('pino records written in the request carry its trace and span ids, once each', async () => {
    await get(port, '/api/v1/nba/predictions', { method: 'POST' });
    const spans = await collector.waitForSpans(6);
    // The handler runs inside the router layer span.
    const router = spans.find((s) => s.name.startsWith('router - '))!;
    const line = child.stdout.filter((l) => l.includes('"msg":"predicted"')).at(-1)!;
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record.trace_id).to.equal(router.traceId);
    expect(record.span_id).to.equal(router.spanId);
    expect(record.trace_flags).to.equal('01');
    expect(line.match(/"trace_id"/g)).to.have.length(1);
  });
});

describe('runtime instrumentation: an ES-module Koa service (loader hook)', function () {
  this.timeout(30_000);

  it('names the server span METHOD /route for a Koa app loaded with import', async () => {
    const manifest = makeManifest({ instrumentation: without(ALL_INSTRUMENTATION, 'knex', 'fetch', 'pino') });
    const child = startChild('esm-app.mjs', manifest, { OTEL_EXPORTER_CONSOLE: 'true', OTEL_EXPORTER_CONSOLE_FORMAT: 'json' });
    try {
      const port = Number((await child.waitForLine(/^listening (\d+)$/))[1]);
      expect((await get(port, '/players/7')).body).to.equal('{"id":"7"}');
      const line = await child.waitForLine(/^\{.*"kind":"SERVER"/);
      const span = JSON.parse(line.input!) as { name: string; attributes: Record<string, unknown> };
      expect(span.name).to.equal('GET /players/:id');
      expect(span.attributes['http.route']).to.equal('/players/:id');
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  });
});
