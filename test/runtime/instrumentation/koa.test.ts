/**
 * `instrumentation.koa.layers`: which Koa layers get a span from
 * @opentelemetry/instrumentation-koa, against the real Koa app of
 * fixtures/koa-app.ts in a child process. With every choice the server span is
 * named `METHOD /route` and carries `http.route`.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import type { KoaLayerName } from '../../../runtime/instrumentation/koa';
import { startCollector, type Collector, type ReceivedSpan } from '../../support/collector';
import { get, startChild } from '../child';
import { ALL_INSTRUMENTATION, makeManifest, without } from '../manifest-fixture';

describe('runtime instrumentation: koa layers', function () {
  this.timeout(60_000);
  let collector: Collector;
  let upstream: http.Server;
  let upstreamUrl: string;

  before(async () => {
    collector = await startCollector();
    upstream = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ points: 27 }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  });
  after(async () => {
    await collector.close();
    await new Promise((resolve) => upstream.close(resolve));
  });
  beforeEach(() => collector.clear());

  /** The POST's spans as `parent name > name` pairs below the server span, and the server span. */
  async function postTree(layers: readonly KoaLayerName[]): Promise<{ server: ReceivedSpan; edges: string[] }> {
    const manifest = makeManifest({ instrumentation: { ...without(ALL_INSTRUMENTATION, 'pino'), koa: { layers } } });
    const child = startChild('koa-app.ts', manifest, {
      UPSTREAM_URL: upstreamUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_CONSOLE: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    try {
      const port = Number((await child.waitForLine(/^listening (\d+)$/))[1]);
      expect((await get(port, '/api/v1/nba/predictions', { method: 'POST' })).status).to.equal(200);
      child.process.kill('SIGTERM');
      await child.exited;
    } finally {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    }
    const spans = collector.spans();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const server = spans.find((s) => s.kind === 'SERVER')!;
    const edges = spans
      .filter((s) => s !== server)
      .map((s) => `${byId.get(s.parentSpanId!)?.name ?? '?'} > ${s.name}`)
      .sort();
    return { server, edges };
  }

  const handlerSpans = (parent: string) =>
    [`${parent} > GET`, `${parent} > calculate_prediction`, `${parent} > first players`, `${parent} > insert predictions`];

  it('[router, middleware]: the middleware span, then the router span, then the handler', async () => {
    const { server, edges } = await postTree(['router', 'middleware']);
    expect(server.name).to.equal('POST /api/v1/nba/predictions');
    expect(server.attributes['http.route']).to.equal('/api/v1/nba/predictions');
    expect(edges).to.deep.equal(
      [
        'POST /api/v1/nba/predictions > middleware - timing',
        'middleware - timing > router - /api/v1/nba/predictions',
        ...handlerSpans('router - /api/v1/nba/predictions'),
      ].sort(),
    );
  });

  it('[middleware]: the middleware span only', async () => {
    const { server, edges } = await postTree(['middleware']);
    expect(server.name).to.equal('POST /api/v1/nba/predictions');
    expect(edges).to.deep.equal(['POST /api/v1/nba/predictions > middleware - timing', ...handlerSpans('middleware - timing')].sort());
  });

  it('[]: no Koa span, the server span still named after the route', async () => {
    const { server, edges } = await postTree([]);
    expect(server.name).to.equal('POST /api/v1/nba/predictions');
    expect(server.attributes['http.route']).to.equal('/api/v1/nba/predictions');
    expect(edges).to.deep.equal(handlerSpans('POST /api/v1/nba/predictions').sort());
  });
});
