/**
 * The specification's variables against real parts: a traced HTTP service in a
 * child process (fixtures/call-app.ts) that receives real B3 / W3C / Jaeger
 * headers, calls a real upstream (whose received headers are asserted), and
 * exports to the test collector. Each run ends with SIGTERM, which flushes
 * everything, so "nothing was exported" is a fact, not a timeout.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import { startCollector, type Collector, type ReceivedSpan } from '../../support/collector';
import { get, startChild } from '../child';
import { makeManifest } from '../manifest-fixture';

const manifest = makeManifest({ instrumentation: { http: { ignoreIncomingPaths: [] } } });

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

interface Run {
  readonly status: number;
  /** The trace id the handler saw. */
  readonly body: string;
  readonly spans: ReceivedSpan[];
  /** The headers of the service's one outgoing call. */
  readonly upstream: http.IncomingHttpHeaders;
  readonly stderr: string[];
  readonly stdout: string[];
}

describe('the specification variables in a child process (OTEL_PROPAGATORS, OTEL_TRACES_SAMPLER, OTEL_TRACES_EXPORTER, limits)', function () {
  this.timeout(60_000);
  let collector: Collector;
  let upstream: http.Server;
  let upstreamUrl: string;
  let received: http.IncomingHttpHeaders[] = [];

  before(async () => {
    collector = await startCollector();
    upstream = http.createServer((req, res) => {
      received.push(req.headers);
      res.end('ok');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/stats`;
  });
  after(async () => {
    await collector.close();
    await new Promise((resolve) => upstream.close(resolve));
  });
  beforeEach(() => {
    collector.clear();
    received = [];
  });

  /** One GET /call with `headers`, then SIGTERM (which flushes), then what arrived. */
  async function run(env: NodeJS.ProcessEnv, headers: Record<string, string> = {}): Promise<Run> {
    const child = startChild('call-app.ts', manifest, {
      UPSTREAM_URL: upstreamUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_CONSOLE: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      ...env,
    });
    try {
      const port = Number((await child.waitForLine(/^listening (\d+)$/))[1]);
      const res = await get(port, '/call', { headers });
      child.process.kill('SIGTERM');
      await child.exited;
      expect(received, 'the upstream was called once').to.have.length(1);
      return { ...res, spans: collector.spans(), upstream: received[0]!, stderr: child.stderr, stdout: child.stdout };
    } finally {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    }
  }

  function server(spans: ReceivedSpan[]): ReceivedSpan {
    const found = spans.find((s) => s.kind === 'SERVER');
    expect(found, 'a server span').to.not.equal(undefined);
    return found!;
  }

  describe('OTEL_PROPAGATORS', () => {
    it('unset: W3C traceparent in (the trace continues) and out, no b3', async () => {
      const r = await run({}, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
      const s = server(r.spans);
      expect([s.traceId, s.parentSpanId, r.body]).to.deep.equal([TRACE_ID, PARENT_ID, TRACE_ID]);
      expect(r.upstream.traceparent).to.match(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      expect(r.upstream).to.not.have.property('b3');
    });

    it('b3: an incoming single b3 header continues the trace; one b3 header goes out, no traceparent', async () => {
      const r = await run({ OTEL_PROPAGATORS: 'b3' }, { b3: `${TRACE_ID}-${PARENT_ID}-1` });
      const s = server(r.spans);
      expect([s.traceId, s.parentSpanId]).to.deep.equal([TRACE_ID, PARENT_ID]);
      const call = r.spans.find((x) => x.name === 'call_upstream')!;
      expect(r.upstream.b3).to.match(new RegExp(`^${TRACE_ID}-[0-9a-f]{16}-1$`));
      // The outgoing call's parent is the http client span under call_upstream.
      const client = r.spans.find((x) => x.kind === 'CLIENT')!;
      expect(client.parentSpanId).to.equal(call.spanId);
      expect(r.upstream.b3).to.equal(`${TRACE_ID}-${client.spanId}-1`);
      expect(r.upstream).to.not.have.property('traceparent');
    });

    it('b3multi: incoming x-b3-* headers continue the trace; x-b3-* go out', async () => {
      const r = await run(
        { OTEL_PROPAGATORS: 'b3multi' },
        { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': PARENT_ID, 'x-b3-sampled': '1' },
      );
      const s = server(r.spans);
      expect([s.traceId, s.parentSpanId]).to.deep.equal([TRACE_ID, PARENT_ID]);
      const client = r.spans.find((x) => x.kind === 'CLIENT')!;
      expect([r.upstream['x-b3-traceid'], r.upstream['x-b3-spanid'], r.upstream['x-b3-sampled']]).to.deep.equal([
        TRACE_ID,
        client.spanId,
        '1',
      ]);
      expect(r.upstream).to.not.have.property('b3');
      expect(r.upstream).to.not.have.property('traceparent');
    });

    it('jaeger: uber-trace-id in and out', async () => {
      const r = await run({ OTEL_PROPAGATORS: 'jaeger' }, { 'uber-trace-id': `${TRACE_ID}:${PARENT_ID}:0:1` });
      const s = server(r.spans);
      expect([s.traceId, s.parentSpanId]).to.deep.equal([TRACE_ID, PARENT_ID]);
      const client = r.spans.find((x) => x.kind === 'CLIENT')!;
      expect(r.upstream['uber-trace-id']).to.equal(`${TRACE_ID}:${client.spanId}:0:01`);
    });

    it('tracecontext,b3: either header is read, both go out', async () => {
      const r = await run({ OTEL_PROPAGATORS: 'tracecontext,b3' }, { b3: `${TRACE_ID}-${PARENT_ID}-1` });
      expect(server(r.spans).traceId).to.equal(TRACE_ID);
      const client = r.spans.find((x) => x.kind === 'CLIENT')!;
      expect(r.upstream.traceparent).to.equal(`00-${TRACE_ID}-${client.spanId}-01`);
      expect(r.upstream.b3).to.equal(`${TRACE_ID}-${client.spanId}-1`);
    });

    it('none: an incoming traceparent starts no trace of its own, nothing goes out', async () => {
      const r = await run({ OTEL_PROPAGATORS: 'none' }, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
      const s = server(r.spans);
      expect(s.traceId).to.not.equal(TRACE_ID);
      expect(s.parentSpanId).to.equal(undefined);
      expect(r.upstream).to.not.have.property('traceparent');
      expect(r.upstream).to.not.have.property('b3');
    });

    it('an unknown entry warns once and the rest applies', async () => {
      const r = await run({ OTEL_PROPAGATORS: 'b3,xray' }, { b3: `${TRACE_ID}-${PARENT_ID}-1` });
      expect(server(r.spans).traceId).to.equal(TRACE_ID);
      expect(r.stderr).to.deep.equal([
        'spanwright: OTEL_PROPAGATORS entry "xray" is not supported by spanwright (known: tracecontext, baggage, b3, b3multi, jaeger, none); ignoring it',
      ]);
    });
  });

  describe('OTEL_TRACES_SAMPLER', () => {
    it('always_off: nothing is exported, and the trace id still goes out (sampled flag 00)', async () => {
      const r = await run({ OTEL_TRACES_SAMPLER: 'always_off' });
      expect(r.spans).to.deep.equal([]);
      expect(r.upstream.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      expect(r.body).to.equal(String(r.upstream.traceparent).split('-')[1]);
    });

    it('parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0: a new trace is dropped whole', async () => {
      const r = await run({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
      expect(r.spans).to.deep.equal([]);
      expect(r.stderr).to.deep.equal([]);
    });

    it('parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0: a sampled incoming traceparent is kept', async () => {
      const r = await run(
        { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
        { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
      );
      expect(r.spans.map((s) => s.name).sort()).to.deep.equal(['GET', 'GET', 'call_upstream']);
    });

    // The unsampled shortcut (runtime/sampling/unsampled-provider.ts) answers children of an unsampled parent
    // without the SDK; with a sampler that is not ParentBased that would drop spans it samples.
    for (const env of [{ OTEL_TRACES_SAMPLER: 'always_on' }, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' }]) {
      it(`${env.OTEL_TRACES_SAMPLER}: an unsampled incoming traceparent is overruled, every span recorded (the shortcut is off)`, async () => {
        const r = await run(env, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` });
        expect(r.spans.map((s) => [s.name, s.traceId, (s.flags & 1) === 1]).sort()).to.deep.equal([
          ['GET', TRACE_ID, true],
          ['GET', TRACE_ID, true],
          ['call_upstream', TRACE_ID, true],
        ]);
        expect(r.upstream.traceparent).to.match(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
      });
    }

    it('parentbased_always_on (the shortcut stays on): an unsampled incoming traceparent is followed, nothing exported', async () => {
      const r = await run({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` });
      expect(r.spans).to.deep.equal([]);
      expect(r.upstream.traceparent).to.match(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    });

    it('jaeger_remote is not supported: one warning, the default sampler', async () => {
      const r = await run({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
      expect(r.stderr).to.deep.equal([
        'spanwright: OTEL_TRACES_SAMPLER="jaeger_remote" is not supported by spanwright; using parentbased_traceidratio',
      ]);
      expect(r.spans).to.have.length(3);
    });
  });

  describe('OTEL_TRACES_EXPORTER', () => {
    it('none: an endpoint is set, nothing is exported, one warning says why', async () => {
      const r = await run({ OTEL_TRACES_EXPORTER: 'none' });
      expect(r.spans).to.deep.equal([]);
      expect(collector.requests()).to.deep.equal([]);
      expect(r.stderr).to.deep.equal([
        'spanwright: OTEL_EXPORTER_OTLP_ENDPOINT is set but OTEL_TRACES_EXPORTER=none leaves out otlp; using OTEL_TRACES_EXPORTER=none (no OTLP export)',
      ]);
    });

    it('console: spans on stdout, none to the endpoint', async () => {
      const r = await run({ OTEL_TRACES_EXPORTER: 'console', OTEL_EXPORTER_CONSOLE: '' });
      expect(r.spans).to.deep.equal([]);
      const names = r.stdout.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { name: string }).name);
      expect(names.sort()).to.deep.equal(['GET', 'GET', 'call_upstream']);
    });

    it('otlp,console: both', async () => {
      const r = await run({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_CONSOLE: '' });
      expect(r.spans).to.have.length(3);
      expect(r.stdout.filter((l) => l.startsWith('{'))).to.have.length(3);
    });
  });

  describe('limits and per-signal OTLP variables', () => {
    it('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT and OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT cut every span', async () => {
      const r = await run({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4' });
      const s = server(r.spans);
      expect(Object.keys(s.attributes)).to.have.length(3);
      expect(s.droppedAttributesCount).to.be.greaterThan(0);
      expect(s.attributes['http.request.method']).to.equal('GET');
      expect(s.attributes['url.path']).to.equal('/cal');
    });

    it('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION=gzip and _TRACES_HEADERS reach the receiver', async () => {
      const r = await run({ OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=bets' });
      expect(r.spans).to.have.length(3);
      const [request] = collector.requests();
      expect([request!.gzip, request!.headers['x-team']]).to.deep.equal([true, 'bets']);
    });
  });
});
