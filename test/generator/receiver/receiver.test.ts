import * as http from 'node:http';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { startCollector } from '../../support/collector/index';
import type { Collector } from '../../support/collector/index';
import { TRACE_EXPORT_PATH, types } from '../../../generator/receiver/schema';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

/** A one-span request in OTLP/JSON. */
function jsonRequest(name = 'json span'): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
      scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, name, kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
    }],
  });
}

/** The same request in protobuf. */
function protobufRequest(name = 'protobuf span'): Buffer {
  const message = types.ExportTraceServiceRequest.fromObject({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
      scopeSpans: [{ spans: [{ traceId: Buffer.from(TRACE_ID, 'hex'), spanId: Buffer.from(SPAN_ID, 'hex'), name, kind: 2, startTimeUnixNano: 1, endTimeUnixNano: 2 }] }],
    }],
  });
  return Buffer.from(types.ExportTraceServiceRequest.encode(message).finish());
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const PROTO_TYPE = { 'Content-Type': 'application/x-protobuf' };

/** A google.rpc.Status from an OTLP/HTTP error body. */
function rpcStatus(reply: Reply): { code: number; message: string } {
  if (reply.headers['content-type'] === 'application/json') return JSON.parse(reply.body.toString()) as { code: number; message: string };
  expect(reply.headers['content-type']).to.equal('application/x-protobuf');
  const status = types.RpcStatus.toObject(types.RpcStatus.decode(reply.body), { defaults: true });
  return { code: status.code as number, message: status.message as string };
}

describe('collector over the wire', () => {
  let collector: Collector;

  before(async () => {
    collector = await startCollector();
  });
  beforeEach(async () => {
    if (!collector.running) await collector.restart();
    collector.resetFaults();
    collector.clear();
  });
  after(async () => {
    await collector.close();
  });

  describe('OTLP/HTTP', () => {
    it('answers an accepted JSON export 200 with an empty JSON response, and keeps the span', async () => {
      const reply = await request(collector.tracesUrl, { headers: { ...JSON_TYPE, 'x-honeycomb-team': 'k' }, body: jsonRequest() });
      expect([reply.status, reply.headers['content-type'], reply.body.toString()]).to.deep.equal([200, 'application/json', '{}']);
      const [span] = collector.spans();
      expect(span).to.deep.include({ name: 'json span', kind: 'SERVER', protocol: 'http/json', serviceName: 'raw' });
      expect(span.headers['x-honeycomb-team']).to.equal('k');
    });

    it('answers an accepted protobuf export 200 with an empty ExportTraceServiceResponse', async () => {
      const reply = await request(collector.tracesUrl, { headers: PROTO_TYPE, body: protobufRequest() });
      expect([reply.status, reply.headers['content-type'], reply.body.length]).to.deep.equal([200, 'application/x-protobuf', 0]);
      expect(collector.spans().map((s) => [s.name, s.protocol])).to.deep.equal([['protobuf span', 'http/protobuf']]);
    });

    it('accepts gzip bodies in both encodings, and a charset parameter on the content type', async () => {
      const gzip = { 'Content-Encoding': 'gzip' };
      const replies = await Promise.all([
        request(collector.tracesUrl, { headers: { ...PROTO_TYPE, ...gzip }, body: zlib.gzipSync(protobufRequest('a')) }),
        request(collector.tracesUrl, { headers: { ...JSON_TYPE, ...gzip }, body: zlib.gzipSync(jsonRequest('b')) }),
        request(collector.tracesUrl, { headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: jsonRequest('c') }),
      ]);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200, 200]);
      expect(collector.spans().map((s) => s.name).sort()).to.deep.equal(['a', 'b', 'c']);
      expect(collector.requests().map((r) => r.gzip).sort()).to.deep.equal([false, true, true]);
    });

    // Each: what is sent → status, and the google.rpc.Status (or text) that comes back.
    const rejections: Array<[string, { method?: string; path?: string; headers: Record<string, string>; body?: string | Buffer }, number, string | RegExp]> = [
      ['malformed JSON', { headers: JSON_TYPE, body: '{"resourceSpans":' }, 400, /^invalid OTLP\/JSON body: /],
      ['a JSON trace id that is not hex', { headers: JSON_TYPE, body: jsonRequest().replace(TRACE_ID, 'x'.repeat(32)) }, 400, `resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex digits, got "${'x'.repeat(32)}"`],
      ['non-UTF-8 JSON', { headers: JSON_TYPE, body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }, 400, 'invalid OTLP/JSON body: not valid UTF-8'],
      ['garbage protobuf', { headers: PROTO_TYPE, body: Buffer.from([0xff, 0xff, 0xff, 0xff]) }, 400, /^invalid protobuf ExportTraceServiceRequest: /],
      ['JSON sent as protobuf', { headers: PROTO_TYPE, body: jsonRequest() }, 400, /^invalid protobuf ExportTraceServiceRequest: /],
      ['a gzip header on a plain body', { headers: { ...PROTO_TYPE, 'Content-Encoding': 'gzip' }, body: protobufRequest() }, 400, 'invalid gzip body: incorrect header check'],
      ['a truncated gzip body', { headers: { ...JSON_TYPE, 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(jsonRequest()).subarray(0, 20) }, 400, 'invalid gzip body: unexpected end of file'],
      ['an unsupported Content-Encoding', { headers: { ...PROTO_TYPE, 'Content-Encoding': 'br' }, body: protobufRequest() }, 415, 'unsupported Content-Encoding "br": use gzip or none'],
      ['an unsupported Content-Type', { headers: { 'Content-Type': 'text/plain' }, body: 'spans' }, 415, 'unsupported Content-Type "text/plain": use application/x-protobuf or application/json\n'],
      ['no Content-Type', { headers: {}, body: protobufRequest() }, 415, 'unsupported Content-Type "": use application/x-protobuf or application/json\n'],
      ['GET /v1/traces', { method: 'GET', headers: {} }, 405, 'method GET not allowed: use POST /v1/traces\n'],
      ['POST /v1/metrics', { path: '/v1/metrics', headers: PROTO_TYPE, body: protobufRequest() }, 404, 'not found: /v1/metrics (OTLP traces go to POST /v1/traces)\n'],
    ];
    for (const [title, send, status, want] of rejections) {
      it(`answers ${status} to ${title}, keeps nothing, and stays up`, async () => {
        const url = send.path ? `${collector.httpEndpoint}${send.path}` : collector.tracesUrl;
        const reply = await request(url, { method: send.method, headers: send.headers, body: send.body });
        expect(reply.status).to.equal(status);
        const text = reply.headers['content-type']?.startsWith('text/plain') ? reply.body.toString() : rpcStatus(reply).message;
        if (typeof want === 'string') expect(text).to.equal(want);
        else expect(text).to.match(want);
        if (status === 400) {
          expect(rpcStatus(reply).code).to.equal(3); // INVALID_ARGUMENT
          expect(collector.requests().map((r) => [r.outcome, r.error])).to.deep.equal([['invalid', text]]);
        }
        if (status === 405) expect(reply.headers.allow).to.equal('POST');
        expect(collector.spans()).to.deep.equal([]);
        const after = await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() });
        expect(after.status).to.equal(200);
      });
    }

    it('answers 413 to a body over the limit, before or after gunzip', async () => {
      const small = await startCollector({ maxBodyBytes: 1024 });
      try {
        const big = await request(small.tracesUrl, { headers: JSON_TYPE, body: ' '.repeat(4096) });
        expect([big.status, rpcStatus(big)]).to.deep.equal([413, { code: 8, message: 'request body larger than 1024 bytes' }]);
        const bomb = await request(small.tracesUrl, { headers: { ...PROTO_TYPE, 'Content-Encoding': 'gzip' }, body: zlib.gzipSync(Buffer.alloc(1_000_000)) });
        expect([bomb.status, rpcStatus(bomb)]).to.deep.equal([413, { code: 8, message: 'request body larger than 1024 bytes' }]);
        expect((await request(small.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() })).status).to.equal(200);
      } finally {
        await small.close();
      }
    });

    it('refuses with 503, a google.rpc.Status UNAVAILABLE and the Retry-After asked for', async () => {
      collector.refuse(true, { retryAfterSeconds: 7 });
      const reply = await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() });
      expect([reply.status, reply.headers['retry-after'], rpcStatus(reply)]).to.deep.equal([
        503, '7', { code: 14, message: 'collector is refusing exports (test fault)' },
      ]);
      expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['refused']);
      expect(collector.spans()).to.deep.equal([]);
    });

    it('refuses only the next N exports when asked', async () => {
      collector.refuse(true, { times: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() })).status);
      expect(statuses).to.deep.equal([503, 503, 200]);
      expect(collector.faults.refuse).to.equal(false);
    });

    it('drops the connection without an answer when told to', async () => {
      collector.drop();
      const failure = await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() }).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(failure).to.equal('ECONNRESET');
      expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['dropped']);
    });

    it('holds the answer while delaying, having kept the spans on arrival; stop() cuts held exchanges', async () => {
      collector.delay(60_000);
      const pending = request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() }).then(
        (reply) => reply.status,
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect((await collector.waitForSpans(1)).map((s) => s.name)).to.deep.equal(['json span']);
      await collector.stop();
      expect(await pending).to.equal('ECONNRESET');
    });

    it('refuses connections while stopped and takes them again after restart on the same port', async () => {
      const port = collector.httpPort;
      await collector.stop();
      const refused = await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() }).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(refused).to.equal('ECONNREFUSED');
      await collector.restart();
      expect(collector.httpPort).to.equal(port);
      expect((await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest() })).status).to.equal(200);
    });
  });

  describe('gRPC', () => {
    // A client that sends raw bytes, so that malformed messages can be sent at all.
    const RawClient = grpc.makeGenericClientConstructor({
      Export: {
        path: TRACE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    }, 'TraceService');
    let client: grpc.Client;
    const exportRaw = (body: Buffer, metadata = new grpc.Metadata()): Promise<{ code: number; details: string }> =>
      new Promise((resolve) => {
        (client as unknown as { Export: (b: Buffer, m: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void) => void }).Export(
          body, metadata, (err) => resolve({ code: err?.code ?? grpc.status.OK, details: err?.details ?? '' }),
        );
      });

    before(() => {
      client = new RawClient(`127.0.0.1:${collector.grpcPort}`, grpc.credentials.createInsecure());
    });
    after(() => client.close());

    it('answers OK to a valid request and keeps its span with the metadata', async () => {
      const metadata = new grpc.Metadata();
      metadata.set('x-honeycomb-team', 'grpc-key');
      expect(await exportRaw(protobufRequest('over grpc'), metadata)).to.deep.equal({ code: grpc.status.OK, details: '' });
      const [span] = collector.spans();
      expect(span).to.deep.include({ name: 'over grpc', protocol: 'grpc' });
      expect(span.headers['x-honeycomb-team']).to.equal('grpc-key');
    });

    it('answers INVALID_ARGUMENT to malformed protobuf and to a bad id, and stays up', async () => {
      const garbage = await exportRaw(Buffer.from([0xff, 0xff, 0xff]));
      expect(garbage.code).to.equal(grpc.status.INVALID_ARGUMENT);
      expect(garbage.details).to.match(/^invalid protobuf ExportTraceServiceRequest: index out of range/);
      const shortId = protobufRequest();
      const bad = types.ExportTraceServiceRequest.decode(shortId) as unknown as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: Uint8Array }> }> }> };
      bad.resourceSpans[0].scopeSpans[0].spans[0].traceId = Buffer.alloc(3);
      const reply = await exportRaw(Buffer.from(types.ExportTraceServiceRequest.encode(bad).finish()));
      expect(reply).to.deep.equal({ code: grpc.status.INVALID_ARGUMENT, details: 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 3' });
      expect(collector.requests().map((r) => r.outcome)).to.deep.equal(['invalid', 'invalid']);
      expect(await exportRaw(protobufRequest())).to.deep.equal({ code: grpc.status.OK, details: '' });
    });

    it('refuses with UNAVAILABLE when told to', async () => {
      collector.refuse();
      expect(await exportRaw(protobufRequest())).to.deep.equal({
        code: grpc.status.UNAVAILABLE,
        details: 'collector is refusing exports (test fault)',
      });
      expect(collector.spans()).to.deep.equal([]);
    });
  });

  it('stats() counts requests by outcome, spans, traces and duplicates', async () => {
    await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest('same') });
    await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest('same') });
    await request(collector.tracesUrl, { headers: JSON_TYPE, body: '{' });
    collector.refuse(true, { times: 1 });
    await request(collector.tracesUrl, { headers: PROTO_TYPE, body: protobufRequest() });
    expect(collector.stats()).to.deep.equal({
      requests: 4, accepted: 2, refused: 1, dropped: 0, invalid: 1, spans: 2, distinctSpans: 1, duplicateSpans: 1, traces: 1,
    });
  });

  it('waitForSpans rejects with what it has when the spans do not come', async () => {
    await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest('only one') });
    const error = await collector.waitForSpans(2, 20).then(() => undefined, (err: Error) => err.message);
    expect(error).to.equal('waitForSpans(2): 1 span(s) after 20 ms: [only one]');
  });

  it('waitForSpans resolves as soon as the spans arrive', async () => {
    const waiting = collector.waitForSpans(2);
    await request(collector.tracesUrl, { headers: JSON_TYPE, body: jsonRequest('one') });
    await request(collector.tracesUrl, { headers: PROTO_TYPE, body: protobufRequest('two') });
    expect((await waiting).map((s) => s.name)).to.deep.equal(['one', 'two']);
  });

  it('starts on the ports asked for, and says so when a port is taken', async () => {
    const error = await startCollector({ httpPort: collector.httpPort }).then(() => undefined, (err: NodeJS.ErrnoException) => err.code);
    expect(error).to.equal('EADDRINUSE');
  });
});
