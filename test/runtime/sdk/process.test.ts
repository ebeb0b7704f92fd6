/**
 * The runtime in a real child process exporting OTLP to the test collector
 * (test/support/collector): flush on SIGTERM / SIGINT, the exit code, cooperation
 * with a service that handles SIGTERM itself, dropped-span accounting, and
 * tracing turned off.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import { hostname } from 'node:os';
import { startCollector, type Collector } from '../../support/collector';
import { get, getOnce, startChild, type Child } from '../child';
import { ALL_INSTRUMENTATION, makeManifest, without } from '../manifest-fixture';

const manifest = makeManifest({ instrumentation: without(ALL_INSTRUMENTATION, 'koa', 'knex', 'pino') });

/** Nothing leaves before shutdown: the batch delay is a minute. */
function otlpEnv(collector: Collector, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_CONSOLE: 'false',
    OTEL_BSP_SCHEDULE_DELAY: '60000',
    ...extra,
  };
}

async function listening(child: Child): Promise<number> {
  const m = await child.waitForLine(/^listening (\d+)$/);
  return Number(m[1]);
}

describe('runtime in a child process: shutdown and export', function () {
  this.timeout(60_000);
  let collector: Collector;
  let child: Child | undefined;

  before(async () => {
    collector = await startCollector();
  });
  after(async () => {
    await collector.close();
  });
  beforeEach(() => {
    collector.clear();
    collector.resetFaults();
  });
  afterEach(() => {
    if (child !== undefined && child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    child = undefined;
  });

  it('SIGTERM flushes every span of the finished requests, then exits 143', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector));
    const port = await listening(child);
    for (let i = 0; i < 3; i++) expect((await get(port, '/work')).body).to.equal('done');
    expect(collector.spans()).to.have.length(0);
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).to.deep.equal({ code: 143, signal: null });
    const spans = collector.spans();
    // Per request: the HTTP server span, `work`, `inner`.
    expect(spans).to.have.length(9);
    const byTrace = new Map<string, string[]>();
    for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s.name].sort());
    expect([...byTrace.values()]).to.deep.equal([
      ['GET', 'inner', 'work'],
      ['GET', 'inner', 'work'],
      ['GET', 'inner', 'work'],
    ]);
    expect(spans[0]!.resource.attributes).to.include({
      'service.name': 'predictions-api',
      'service.version': '1.2.3',
      'deployment.environment.name': 'development',
      'process.runtime.name': 'nodejs',
      'host.name': hostname(),
      'telemetry.sdk.language': 'nodejs',
    });
    expect(spans[0]!.resource.attributes['process.pid']).to.equal(child.process.pid);
    expect(child.stderr).to.deep.equal([]);
  });

  it('loads only the declared instrumentations and the chosen exporter', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector));
    const port = await listening(child);
    const names = [
      'instrumentation-http',
      'instrumentation-undici',
      'instrumentation-koa',
      'instrumentation-knex',
      'instrumentation-pino',
      'exporter-trace-otlp-http',
      'exporter-trace-otlp-proto',
      'exporter-trace-otlp-grpc',
      'otlp-grpc-exporter-base',
    ];
    expect(JSON.parse((await get(port, `/loaded/${names.join(',')}`)).body)).to.deep.equal({
      'instrumentation-http': true,
      'instrumentation-undici': true,
      'instrumentation-koa': false,
      'instrumentation-knex': false,
      'instrumentation-pino': false,
      'exporter-trace-otlp-http': true,
      'exporter-trace-otlp-proto': false,
      'exporter-trace-otlp-grpc': false,
      'otlp-grpc-exporter-base': false,
    });
  });

  it('SIGINT exits 130 after the flush', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector));
    const port = await listening(child);
    await get(port, '/work');
    child.process.kill('SIGINT');
    expect(await child.exited).to.deep.equal({ code: 130, signal: null });
    expect(collector.spans()).to.have.length(3);
  });

  it('a service with its own SIGTERM handler keeps control; the request in flight finishes and its spans arrive', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { APP_SIGTERM: 'close', SLOW_MS: '400' }));
    const port = await listening(child);
    await getOnce(port, '/work');
    const slow = getOnce(port, '/slow');
    // Let the slow request reach the service before the signal.
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.process.kill('SIGTERM');
    await child.waitForLine(/^closing$/);
    expect((await slow).body).to.equal('slow done');
    expect(await child.exited).to.deep.equal({ code: 0, signal: null });
    const names = collector.spans().map((s) => s.name).sort();
    expect(names).to.deep.equal(['GET', 'GET', 'inner', 'slow', 'work']);
  });

  it('onShutdown: the runtime runs the hook (the server closes, the request in flight finishes), flushes, exits 143', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { APP_SIGTERM: 'hook', SLOW_MS: '400' }));
    const port = await listening(child);
    const slow = getOnce(port, '/slow');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.process.kill('SIGTERM');
    await child.waitForLine(/^closing$/);
    expect((await slow).body).to.equal('slow done');
    expect(await child.exited).to.deep.equal({ code: 143, signal: null });
    expect(collector.spans().map((s) => s.name).sort()).to.deep.equal(['GET', 'slow']);
  });

  it('onShutdown hooks run with tracing disabled too', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { APP_SIGTERM: 'hook', OTEL_TRACES_ENABLED: 'false' }));
    await listening(child);
    child.process.kill('SIGTERM');
    await child.waitForLine(/^closing$/);
    expect(await child.exited).to.deep.equal({ code: 143, signal: null });
    expect(collector.requests()).to.have.length(0);
  });

  it('passes the headers (HONEYCOMB_API_KEY as x-honeycomb-team, OTEL_EXPORTER_OTLP_HEADERS) and the resource attributes', async () => {
    child = startChild(
      'span-app.ts',
      manifest,
      otlpEnv(collector, {
        HONEYCOMB_API_KEY: 'hc-test-key',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=bets',
        OTEL_RESOURCE_ATTRIBUTES: 'team=bets,host.name=box-1,service.name=not-this',
        OTEL_SERVICE_NAME: 'predictions-api',
      }),
    );
    const port = await listening(child);
    await get(port, '/work');
    child.process.kill('SIGTERM');
    await child.exited;
    const [request] = collector.requests();
    expect(request!.headers).to.include({ 'x-honeycomb-team': 'hc-test-key', 'x-tenant': 'bets' });
    expect(collector.spans()[0]!.resource.attributes).to.include({ team: 'bets', 'host.name': 'box-1', 'service.name': 'predictions-api' });
    expect(child.stderr.join('\n')).to.not.include('hc-test-key');
  });

  for (const protocol of ['grpc', 'http/protobuf'] as const) {
    it(`exports over ${protocol}`, async () => {
      const endpoint = protocol === 'grpc' ? collector.grpcEndpoint : collector.httpEndpoint;
      child = startChild('span-app.ts', manifest, otlpEnv(collector, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol }));
      const port = await listening(child);
      await get(port, '/work');
      child.process.kill('SIGTERM');
      await child.exited;
      expect(collector.spans().map((s) => [s.name, s.protocol])).to.have.deep.members([
        ['GET', protocol],
        ['work', protocol],
        ['inner', protocol],
      ]);
    });
  }

  it('counts spans dropped by a full queue and reports them in one line at shutdown', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { OTEL_BSP_MAX_QUEUE_SIZE: '4', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4', SPANWRIGHT_SHUTDOWN_TIMEOUT_MS: '1000' }));
    const port = await listening(child);
    // The collector holds every answer: batches stay in flight, the queue of 4 fills and overflows.
    collector.delay(60_000);
    for (let i = 0; i < 5; i++) await get(port, '/work');
    const stats = JSON.parse((await get(port, '/stats')).body);
    expect(stats.queueFull).to.be.greaterThan(0);
    expect(stats.dropped).to.equal(stats.queueFull);
    collector.resetFaults();
    child.process.kill('SIGTERM');
    await child.exited;
    const lines = child.stderr.filter((l) => l.startsWith('spanwright: dropped'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^spanwright: dropped \d+ spans before shutdown \(queue full: \d+(, [a-z ]+: \d+)*\) exporting to http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
  });

  it('counts spans a refusing collector dropped, one line, and never prints the key', async () => {
    collector.refuse(true);
    child = startChild(
      'span-app.ts',
      manifest,
      otlpEnv(collector, { OTEL_EXPORTER_OTLP_TIMEOUT: '1000', HONEYCOMB_API_KEY: 'hc-secret-key', SPANWRIGHT_SHUTDOWN_TIMEOUT_MS: '3000' }),
    );
    const port = await listening(child);
    for (let i = 0; i < 2; i++) expect((await get(port, '/work')).status).to.equal(200);
    child.process.kill('SIGTERM');
    expect((await child.exited).code).to.equal(143);
    const lines = child.stderr.filter((l) => l.startsWith('spanwright: dropped'));
    expect(lines).to.have.length(1);
    // The first failed export is reported at once; here that is during the shutdown flush, which then has nothing left to add.
    expect(lines[0]).to.match(/^spanwright: dropped 6 spans (at the first failed export|before shutdown) \((export failed|export timed out|not sent within the shutdown bound): 6\)/);
    expect(child.stderr.join('\n')).to.not.include('hc-secret-key');
    expect(collector.spans()).to.have.length(0);
  });

  it('while the collector refuses, reports drops once a period, not once a span', async () => {
    collector.refuse(true);
    child = startChild(
      'span-app.ts',
      manifest,
      otlpEnv(collector, {
        OTEL_BSP_SCHEDULE_DELAY: '10',
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
        SPANWRIGHT_DROP_REPORT_INTERVAL_MS: '500',
      }),
    );
    const port = await listening(child);
    for (let i = 0; i < 4; i++) expect((await get(port, '/work')).body).to.equal('done');
    // The first failed export has a line of its own at once; it may carry every span so far.
    await child.waitForLine(/^spanwright: dropped \d+ spans? at the first failed export/, 15_000, 'stderr');
    // Spans that end after it are dropped later, and reported once a period.
    for (let i = 0; i < 4; i++) expect((await get(port, '/work')).body).to.equal('done');
    const { input: line } = await child.waitForLine(/^spanwright: dropped \d+ spans? in the last 0\.5 s/, 15_000, 'stderr');
    expect(line).to.match(/\(export failed: \d+\) exporting to http:\/\/127\.0\.0\.1:\d+\/v1\/traces; last error: /);
    const stats = JSON.parse((await get(port, '/stats')).body);
    expect(stats.exported).to.equal(0);
    expect(stats.exportFailed).to.be.greaterThan(0);
    child.process.kill('SIGTERM');
    await child.exited;
    // One line a period with drops: far fewer lines than spans.
    const lines = child.stderr.filter((l) => l.startsWith('spanwright: dropped'));
    const reported = lines.reduce((n, l) => n + Number(/dropped (\d+)/.exec(l)![1]), 0);
    // 8 × (server span, work, inner) + the server span of GET /stats.
    expect(reported).to.equal(25);
    expect(lines.length).to.be.lessThan(25);
  });

  it('an unreachable endpoint is reported at the first failed export, not a period later; then counted', async () => {
    // A port nothing listens on: taken, then released.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    child = startChild(
      'span-app.ts',
      manifest,
      otlpEnv(collector, {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
        OTEL_BSP_SCHEDULE_DELAY: '10',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      }),
    );
    const port = await listening(child);
    expect((await get(port, '/work')).body).to.equal('done');
    // The period is the default minute; the line comes within seconds.
    const { input: line } = await child.waitForLine(/^spanwright: dropped \d+ spans? at the first failed export/, 15_000, 'stderr');
    expect(line).to.match(
      new RegExp(`^spanwright: dropped 3 spans at the first failed export \\((export failed|export timed out): 3\\) exporting to http://127\\.0\\.0\\.1:${deadPort}/v1/traces; last error: .+; later drops are reported once every 60 s$`),
    );
    expect((await get(port, '/work')).body).to.equal('done');
    child.process.kill('SIGTERM');
    await child.exited;
    const lines = child.stderr.filter((l) => l.startsWith('spanwright: dropped'));
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(/^spanwright: dropped \d+ spans? before shutdown/);
  });

  it('a route rule drops the whole trace of matching requests in a real server; a sampled traceparent still wins', async () => {
    const withRule = makeManifest({
      instrumentation: manifest.instrumentation,
      environments: { production: { name: 'production', sampling: 1, console: false, rules: [{ route: '/work', sampling: 0 }] } },
    });
    child = startChild('span-app.ts', withRule, otlpEnv(collector, { OTEL_ENVIRONMENT: 'production' }));
    const port = await listening(child);
    await get(port, '/work');
    await get(port, '/work?again=1');
    await get(port, '/stats');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await get(port, '/work', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    child.process.kill('SIGTERM');
    await child.exited;
    const spans = collector.spans();
    expect(spans.map((s) => [s.name, s.attributes['url.path']]).sort()).to.deep.equal([
      ['GET', '/stats'],
      ['GET', '/work'],
      ['inner', undefined],
      ['work', undefined],
    ]);
    expect(spans.filter((s) => s.name !== 'GET' || s.attributes['url.path'] === '/work').every((s) => s.traceId === traceId)).to.equal(true);
  });

  it('OTEL_TRACES_ENABLED=false: no SDK, no spans, the service works the same', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { OTEL_TRACES_ENABLED: 'false' }));
    const port = await listening(child);
    expect((await get(port, '/work')).body).to.equal('done');
    expect(JSON.parse((await get(port, '/stats')).body)).to.include({ exported: 0, dropped: 0 });
    const packages = 'sdk-trace-base,instrumentation-http,exporter-trace-otlp-http';
    expect(JSON.parse((await get(port, `/loaded/${packages}`)).body)).to.deep.equal({
      'sdk-trace-base': false,
      'instrumentation-http': false,
      'exporter-trace-otlp-http': false,
    });
    // The contrast: enabled, the same app has the SDK loaded.
    const enabled = startChild('span-app.ts', manifest, otlpEnv(collector, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }));
    expect(JSON.parse((await get(await listening(enabled), `/loaded/${packages}`)).body)).to.deep.equal({
      'sdk-trace-base': true,
      'instrumentation-http': true,
      'exporter-trace-otlp-http': true,
    });
    enabled.process.kill('SIGKILL');
    await enabled.exited;
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit).to.deep.equal({ code: null, signal: 'SIGTERM' });
    expect(collector.requests()).to.have.length(0);
    expect(child.stderr).to.deep.equal([]);
  });

  it('warns when koa or knex was loaded before the bootstrap', async () => {
    const withKoa = makeManifest({ instrumentation: without(ALL_INSTRUMENTATION, 'pino') });
    child = startChild('span-app.ts', withKoa, otlpEnv(collector), ['koa', 'knex']);
    await listening(child);
    child.process.kill('SIGTERM');
    await child.exited;
    expect(child.stderr).to.deep.equal([
      'spanwright: knex was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: node --import tsx --import ./generated/bootstrap.ts test/runtime/fixtures/span-app.ts',
      'spanwright: koa was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: node --import tsx --import ./generated/bootstrap.ts test/runtime/fixtures/span-app.ts',
    ]);
  });

  it('an invalid value prints one line and the service starts; OTEL_LOG_LEVEL=info prints the configuration', async () => {
    child = startChild(
      'span-app.ts',
      manifest,
      otlpEnv(collector, { OTEL_SAMPLING_RATIO: '1.5', OTEL_LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t' }),
    );
    const port = await listening(child);
    expect((await get(port, '/work')).body).to.equal('done');
    child.process.kill('SIGTERM');
    await child.exited;
    expect(collector.spans()).to.have.length(3);
    const endpoint = collector.httpEndpoint;
    expect(child.stderr).to.deep.equal([
      'spanwright: OTEL_SAMPLING_RATIO="1.5" is not a number between 0 and 1; using 1 (environment development)',
      'spanwright: tracing enabled for predictions-api 1.2.3, environment development (settings: tracing.yaml environments.development)',
      'spanwright: sampling ParentBased(TraceIdRatioBased(1)) (sampler: default, ratio: tracing.yaml environments.development)',
      'spanwright: propagators: tracecontext, baggage (default)',
      'spanwright: console export: off (OTEL_EXPORTER_CONSOLE)',
      `spanwright: OTLP export: http/json to ${endpoint}/v1/traces (from OTEL_EXPORTER_OTLP_ENDPOINT), headers: authorization=***, timeout 10000 ms`,
      'spanwright: batch: every 60000 ms, up to 512 spans a batch, queue 2048, export timeout 30000 ms',
      'spanwright: instrumentations: http, undici/fetch',
      // The last word at exit: every span accounted for.
      'spanwright: spans at exit: 3 ended, 3 exported, 0 dropped',
    ]);
    expect(collector.requests()[0]!.headers.authorization).to.equal('Bearer s3cr3t');
  });

  it('OTEL_SDK_DISABLED=true, OTEL_LOG_LEVEL=info: says so in one line', async () => {
    child = startChild('span-app.ts', manifest, otlpEnv(collector, { OTEL_SDK_DISABLED: 'true', OTEL_LOG_LEVEL: 'info' }));
    await listening(child);
    child.process.kill('SIGTERM');
    await child.exited;
    expect(child.stderr).to.deep.equal(['spanwright: tracing disabled by OTEL_SDK_DISABLED; no SDK installed, helpers run without spans']);
  });
});
