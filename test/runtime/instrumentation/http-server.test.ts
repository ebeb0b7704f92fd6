/**
 * The lean incoming-HTTP instrumentation (runtime/instrumentation/http-server.ts), in process:
 * a real node:http server on loopback, real requests, spans from the SDK with
 * spanwright's ParentBased sampler and provider.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import path from 'node:path';
import { HttpServerInstrumentation, redactQuery, splitTarget } from '../../../runtime/instrumentation/http-server';
import { createIgnoredPathTest } from '../../../runtime/instrumentation/http';
import { createSampler } from '../../../runtime/sampling/sampler';
import { spans as helpers } from '../../../generated/spans';
import { startTestProvider, type TestProvider } from '@spanwright/runtime/testing';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

interface Answer {
  status: number;
  body: string;
}

describe('lean HTTP server instrumentation', () => {
  let provider: TestProvider;
  let instrumentation: HttpServerInstrumentation;
  let http: typeof Http;
  let server: Http.Server;
  let port: number;
  /** What the current test's handler does; set per test. */
  let handler: (req: Http.IncomingMessage, res: Http.ServerResponse) => void;

  before(async () => {
    // Ratio 1, except /dropped at 0: a route rule, as the manifest's environments declare them.
    provider = startTestProvider(createSampler(1, [{ route: '/dropped/*', sampling: 0 }]), { bootstrapProvider: true });
    instrumentation = new HttpServerInstrumentation({ ignore: createIgnoredPathTest(['/healthz']) });
    instrumentation.setTracerProvider(provider.provider);
    instrumentation.enable();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    http = require('node:http') as typeof Http; // required after enable(): the hook patches it now
    expect(isWrapped(http.Server.prototype.emit), 'http.Server.prototype.emit wrapped').to.equal(true);
    server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    instrumentation.disable();
    await provider.stop();
  });

  beforeEach(() => provider.exporter.reset());

  function send(path: string, options: { method?: string; headers?: Http.OutgoingHttpHeaders } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** The spans ended so far, waiting briefly: a span ends on the response's close, just after the client has read it. */
  async function ended(count: number): Promise<ReadableSpan[]> {
    for (let i = 0; i < 100 && provider.spans().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return provider.spans();
  }

  it('records a SERVER span: stable attributes, the incoming parent, the query redacted', async () => {
    handler = (_req, res) => res.end('ok');
    const answer = await send('/items/7?sig=s3cret&page=2', {
      headers: {
        traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
        'user-agent': 'spanwright-test/1',
        'x-forwarded-for': '203.0.113.7, 10.0.0.1',
        host: 'api.example.test:8443',
      },
    });
    expect(answer).to.deep.equal({ status: 200, body: 'ok' });
    const [span] = await ended(1);
    expect(span!.name).to.equal('GET');
    expect(span!.kind).to.equal(SpanKind.SERVER);
    expect(span!.spanContext().traceId).to.equal(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).to.equal(PARENT_ID);
    expect(span!.status.code).to.equal(SpanStatusCode.UNSET);
    const { 'network.peer.port': peerPort, ...rest } = span!.attributes;
    expect(peerPort).to.be.a('number');
    expect(rest).to.deep.equal({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/items/7',
      'url.query': 'sig=REDACTED&page=2',
      'server.address': 'api.example.test',
      'server.port': 8443,
      'client.address': '203.0.113.7',
      'network.peer.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'spanwright-test/1',
      'http.response.status_code': 200,
    });
  });

  it('server.address and server.port from an IPv6 Host header, and no port when the header has none', async () => {
    handler = (_req, res) => res.end();
    await send('/v6', { headers: { host: '[::1]:8080' } });
    await send('/bare', { headers: { host: 'api.example.test' } });
    const spans = await ended(2);
    const v6 = spans.find((s) => s.attributes['url.path'] === '/v6')!;
    const bare = spans.find((s) => s.attributes['url.path'] === '/bare')!;
    expect([v6.attributes['server.address'], v6.attributes['server.port']]).to.deep.equal(['::1', 8080]);
    expect([bare.attributes['server.address'], bare.attributes['server.port']]).to.deep.equal(['api.example.test', undefined]);
  });

  it('a 5xx response marks the span ERROR with error.type, a 4xx does not', async () => {
    handler = (req, res) => {
      res.statusCode = req.url === '/boom' ? 503 : 404;
      res.end();
    };
    await send('/boom');
    await send('/missing');
    const spans = await ended(2);
    const boom = spans.find((s) => s.attributes['url.path'] === '/boom')!;
    const missing = spans.find((s) => s.attributes['url.path'] === '/missing')!;
    expect([boom.status.code, boom.attributes['error.type'], boom.attributes['http.response.status_code']]).to.deep.equal([SpanStatusCode.ERROR, '503', 503]);
    expect([missing.status.code, missing.attributes['error.type'], missing.attributes['http.response.status_code']]).to.deep.equal([SpanStatusCode.UNSET, undefined, 404]);
  });

  it('a connection the client closes before the response marks the span ERROR and still ends it', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    handler = () => arrived(); // never answers
    const req = http.request({ host: '127.0.0.1', port, path: '/slow', agent: false });
    req.on('error', () => {});
    req.end();
    await requestArrived;
    req.destroy();
    const [span] = await ended(1);
    expect(span!.status).to.deep.equal({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was complete' });
    expect(span!.attributes['error.type']).to.equal('connection_closed');
    expect(span!.attributes).to.not.have.property('http.response.status_code');
  });

  it('an unknown method is recorded as _OTHER with the original, and named HTTP', async () => {
    handler = (_req, res) => res.end();
    await send('/purge-me', { method: 'PURGE' });
    const [span] = await ended(1);
    expect(span!.name).to.equal('HTTP');
    expect(span!.attributes).to.include({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });

  it('a not-sampled traceparent: nothing recorded, and the handler still runs in that trace (helpers, outgoing headers)', async () => {
    const seen: Record<string, unknown> = {};
    handler = (_req, res) => {
      helpers.calculatePrediction({ playerCount: 1, predictionType: 'points', sport: 'nba', modelVersion: 'v3' }, (span) => {
        seen.helperTraceId = span.traceId;
        seen.helperRecording = span.isRecording;
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        seen.outgoing = carrier.traceparent;
      });
      res.end();
    };
    await send('/work', { headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(provider.spans()).to.deep.equal([]);
    expect(seen.helperTraceId).to.equal(TRACE_ID);
    expect(seen.helperRecording).to.equal(false);
    expect(seen.outgoing).to.match(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
  });

  it('a route rule that drops a path: no span, and nothing under it is recorded either', async () => {
    handler = (_req, res) => {
      helpers.calculatePrediction({ playerCount: 1, predictionType: 'points', sport: 'nba', modelVersion: 'v3' }, () => {});
      res.end();
    };
    await send('/dropped/1');
    await send('/kept');
    const spans = await ended(2);
    expect(spans.map((s) => [s.name, s.attributes['url.path'] ?? null]).sort()).to.deep.equal([
      ['GET', '/kept'],
      ['calculate_prediction', null],
    ]);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(spans.find((s) => s.name === 'calculate_prediction')!.parentSpanContext?.spanId).to.equal(server.spanContext().spanId);
  });

  it('an ignored path (/healthz) is not traced, and tracing is suppressed under it', async () => {
    let active: unknown = 'unset';
    handler = (_req, res) => {
      helpers.calculatePrediction({ playerCount: 1, predictionType: 'points', sport: 'nba', modelVersion: 'v3' }, (span) => {
        active = span.isRecording;
      });
      res.end();
    };
    await send('/healthz?probe=1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(provider.spans()).to.deep.equal([]);
    expect(active).to.equal(false);
  });

  it('an https server gets the same span, with url.scheme https', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const https = require('node:https') as typeof Https;
    expect(isWrapped(https.Server.prototype.emit), 'https.Server.prototype.emit wrapped').to.equal(true);
    const tls = path.join(__dirname, '..', 'fixtures', 'tls');
    const cert = readFileSync(path.join(tls, 'cert.pem'));
    const secure = https.createServer({ key: readFileSync(path.join(tls, 'key.pem')), cert }, (_req, res) => res.end('secure'));
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    try {
      const securePort = (secure.address() as { port: number }).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: securePort, path: '/secure?x=1', ca: cert, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).to.equal('secure');
      const [span] = await ended(1);
      expect([span!.name, span!.kind]).to.deep.equal(['GET', SpanKind.SERVER]);
      expect(span!.attributes).to.include({ 'url.scheme': 'https', 'url.path': '/secure', 'url.query': 'x=1', 'http.response.status_code': 200 });
    } finally {
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it('the handler runs with the server span active', async () => {
    let activeSpanId: string | undefined;
    handler = (_req, res) => {
      activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
      res.end();
    };
    await send('/active');
    const [span] = await ended(1);
    expect(activeSpanId).to.equal(span!.spanContext().spanId);
  });
});

describe('http-server parts', () => {
  for (const [target, expected] of [
    ['/a/b', { path: '/a/b', query: undefined }],
    ['/a?x=1&y=2', { path: '/a', query: 'x=1&y=2' }],
    ['/a?x=1#frag', { path: '/a', query: 'x=1' }],
    ['/?', { path: '/', query: '' }],
    ['http://h.example:81/p/q?z=9', { path: '/p/q', query: 'z=9' }],
    ['*', { path: '*', query: undefined }],
    ['', { path: '/', query: undefined }],
  ] as const) {
    it(`splitTarget(${JSON.stringify(target)})`, () => {
      expect(splitTarget(target)).to.deep.equal(expected);
    });
  }

  it('redactQuery replaces signature values only, and leaves other queries byte for byte', () => {
    expect(redactQuery('AWSAccessKeyId=AKIA&Signature=abc&x=1')).to.equal('AWSAccessKeyId=REDACTED&Signature=REDACTED&x=1');
    expect(redactQuery('X-Goog-Signature=zz')).to.equal('X-Goog-Signature=REDACTED');
    expect(redactQuery('q=a%20b&page=2')).to.equal('q=a%20b&page=2');
  });
});
