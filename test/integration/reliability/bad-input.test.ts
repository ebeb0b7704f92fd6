/**
 * Bad input, widely, against the compiled service over
 * real HTTP, on SQLite and (with TEST_DATABASE_URL) PostgreSQL: a table of
 * malformed bodies, headers and requests, each with the status and error code
 * it must get; never a 500, the process alive and /healthz 200 after each,
 * and no row written (counted with knex on the service's own database). A
 * malformed `traceparent` is not an error: the request is served in a fresh
 * trace, and writes its row.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { countRows } from '../../../service/db';
import { postgresRequirement, postgresTarget, sqliteTarget, type DatabaseTarget } from '../service/databases';
import { assertBuilt, figure, killAll, PREDICTIONS, startService, TATUM, type ServiceProcess } from './harness';

interface Case {
  readonly title: string;
  readonly method?: string;
  readonly path?: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** `error.code` of the JSON answer; null: no JSON error body (Node answers before the app). */
  readonly code: string | null;
  /** `error.field`, when it matters. */
  readonly field?: string | null;
  /** Rows the request may write: 0 for every failure. */
  readonly rows?: 0 | 1;
  /** A served request's trace id must not be this one (a malformed traceparent starts a fresh trace). */
  readonly notTraceId?: string;
  /** A served request's trace id must be this one (the control: a valid traceparent is honoured). */
  readonly traceId?: string;
}

const json = (value: unknown): string => JSON.stringify(value);
const body = (fields: Record<string, unknown>): string => json({ playerIds: [TATUM], predictionType: 'points', ...fields });
const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
const VALID = body({});
const ZERO_TRACE = '00000000000000000000000000000000';
const A_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const CASES: readonly Case[] = [
  // Not JSON, or not all of it.
  { title: 'truncated JSON inside a string', body: VALID.slice(0, -5), status: 400, code: 'invalid_json' },
  { title: 'truncated JSON inside a key', body: '{"playerI', status: 400, code: 'invalid_json' },
  { title: 'a lone brace', body: '{', status: 400, code: 'invalid_json' },
  { title: 'a trailing comma', body: `{"playerIds": ["${TATUM}"], "predictionType": "points",}`, status: 400, code: 'invalid_json' },
  { title: 'single-quoted JSON', body: `{'playerIds': ['${TATUM}'], 'predictionType': 'points'}`, status: 400, code: 'invalid_json' },
  { title: 'NaN as a value', body: `{"playerIds": ["${TATUM}"], "predictionType": NaN}`, status: 400, code: 'invalid_json' },
  { title: 'two JSON documents', body: `${VALID}${VALID}`, status: 400, code: 'invalid_json' },
  // Not an object.
  { title: 'an empty body', body: '', status: 400, code: 'invalid_body', field: null },
  { title: 'null', body: 'null', status: 400, code: 'invalid_body', field: null },
  { title: 'an array for the object', body: json([{ playerIds: [TATUM], predictionType: 'points' }]), status: 400, code: 'invalid_body' },
  { title: 'a string for the object', body: json('playerIds'), status: 400, code: 'invalid_body' },
  { title: 'a number for the object', body: '42', status: 400, code: 'invalid_body' },
  // Wrong types at every field.
  { title: 'playerIds null', body: body({ playerIds: null }), status: 400, code: 'invalid_type', field: 'playerIds' },
  { title: 'playerIds an object', body: body({ playerIds: { 0: TATUM } }), status: 400, code: 'invalid_type', field: 'playerIds' },
  { title: 'playerIds a number', body: body({ playerIds: Number(TATUM) }), status: 400, code: 'invalid_type', field: 'playerIds' },
  { title: 'playerIds a boolean', body: body({ playerIds: true }), status: 400, code: 'invalid_type', field: 'playerIds' },
  { title: 'playerIds a string', body: body({ playerIds: TATUM }), status: 400, code: 'invalid_type', field: 'playerIds' },
  { title: 'a null player id', body: body({ playerIds: [null] }), status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'a numeric player id', body: body({ playerIds: [Number(TATUM)] }), status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'a nested array player id', body: body({ playerIds: [[TATUM]] }), status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'an object player id', body: body({ playerIds: [{ id: TATUM }] }), status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'predictionType null', body: body({ predictionType: null }), status: 400, code: 'invalid_type', field: 'predictionType' },
  { title: 'predictionType an array', body: body({ predictionType: ['points'] }), status: 400, code: 'invalid_type', field: 'predictionType' },
  { title: 'predictionType an operator object', body: body({ predictionType: { $ne: null } }), status: 400, code: 'invalid_type', field: 'predictionType' },
  { title: 'predictionType a boolean', body: body({ predictionType: false }), status: 400, code: 'invalid_type', field: 'predictionType' },
  // Values.
  { title: 'an empty player id', body: body({ playerIds: [''] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a negative player id', body: body({ playerIds: ['-1'] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a 21-digit player id', body: body({ playerIds: ['999999999999999999999'] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a huge number as a player id (1e400)', body: `{"playerIds": [1e400], "predictionType": "points"}`, status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'a huge number as predictionType', body: `{"playerIds": ["${TATUM}"], "predictionType": 123456789012345678901234567890}`, status: 400, code: 'invalid_type', field: 'predictionType' },
  { title: '51 player ids', body: body({ playerIds: Array.from({ length: 51 }, (_, i) => String(100 + i)) }), status: 400, code: 'invalid_length', field: 'playerIds' },
  { title: 'an upper-case predictionType', body: body({ predictionType: 'POINTS' }), status: 400, code: 'invalid_value', field: 'predictionType' },
  { title: 'an unknown player', body: body({ playerIds: ['999999'] }), status: 404, code: 'player_not_found', field: 'playerIds[0]' },
  // Unicode tricks.
  { title: 'full-width digits in a player id', body: body({ playerIds: ['１６２８３６９'] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a zero-width space after a player id', body: body({ playerIds: [`${TATUM}\u200b`] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a lone surrogate in a player id', body: `{"playerIds": ["\\ud800${TATUM}"], "predictionType": "points"}`, status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'a Cyrillic letter in predictionType', body: body({ predictionType: 'pointѕ' }), status: 400, code: 'invalid_value', field: 'predictionType' },
  { title: 'a NUL after predictionType', body: body({ predictionType: 'points\u0000' }), status: 400, code: 'invalid_value', field: 'predictionType' },
  { title: 'a right-to-left override in a player id', body: body({ playerIds: [`\u202e${TATUM}`] }), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  // Bytes that are not UTF-8.
  { title: 'non-UTF-8 bytes inside a string', body: bytes('{"playerIds": ["', [0xff, 0xfe, 0xc0, 0xaf], '"], "predictionType": "points"}'), status: 400, code: 'invalid_value', field: 'playerIds[0]' },
  { title: 'non-UTF-8 bytes outside strings', body: bytes('{"playerIds": ', [0xc0, 0xaf], '}'), status: 400, code: 'invalid_json' },
  { title: 'a UTF-16 body', body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VALID, 'utf16le')]), status: 400, code: 'invalid_json' },
  // Shape and size.
  { title: 'JSON nested 30,000 deep', body: `{"playerIds": ${'['.repeat(30_000)}${']'.repeat(30_000)}, "predictionType": "points"}`, status: 400, code: 'invalid_type', field: 'playerIds[0]' },
  { title: 'objects nested 10,000 deep', body: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, status: 400, code: 'required', field: 'playerIds' },
  { title: 'a body over 64 KiB', body: body({ note: 'x'.repeat(64 * 1024) }), status: 400, code: 'body_too_large', field: null },
  { title: 'duplicate keys: the last one counts', body: `{"playerIds": ["${TATUM}"], "predictionType": "points", "predictionType": "steals"}`, status: 400, code: 'invalid_value', field: 'predictionType' },
  { title: 'a __proto__ key', body: `{"__proto__": {"playerIds": ["${TATUM}"]}, "predictionType": "points"}`, status: 400, code: 'invalid_json' },
  { title: 'a nested __proto__ key', body: `{"playerIds": ["${TATUM}"], "predictionType": {"__proto__": {"x": 1}}}`, status: 400, code: 'invalid_json' },
  { title: 'constructor.prototype does not lend fields', body: json({ constructor: { prototype: { playerIds: [TATUM] } }, predictionType: 'points' }), status: 400, code: 'required', field: 'playerIds' },
  // Content type and encoding.
  // Only JSON types are read (a form or text/plain would let a cross-site form post without a CORS preflight).
  { title: 'a form body', body: `playerIds=${TATUM}&predictionType=points`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { title: 'an XML body', body: `<prediction><playerId>${TATUM}</playerId></prediction>`, headers: { 'content-type': 'application/xml' }, status: 415, code: 'unsupported_media_type' },
  { title: 'a multipart body', body: `--x\r\nContent-Disposition: form-data; name="playerIds"\r\n\r\n${TATUM}\r\n--x--\r\n`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415, code: 'unsupported_media_type' },
  { title: 'valid JSON sent as text/plain', body: VALID, headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type', field: null },
  { title: 'valid JSON sent as text/plain with a charset', body: VALID, headers: { 'content-type': 'text/plain; charset=utf-8' }, status: 415, code: 'unsupported_media_type' },
  { title: 'valid JSON with no Content-Type', body: VALID, headers: {}, status: 415, code: 'unsupported_media_type' },
  { title: 'valid JSON as application/x-json-ish', body: VALID, headers: { 'content-type': 'application/jsonx' }, status: 415, code: 'unsupported_media_type' },
  { title: 'malformed JSON as application/json stays a 400', body: '{"playerIds": [', status: 400, code: 'invalid_json' },
  { title: 'a +json type is JSON', body: VALID, headers: { 'content-type': 'application/vnd.spanwright+json' }, status: 200, code: null, rows: 1 },
  { title: 'Content-Encoding gzip on a plain body', body: VALID, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, status: 400, code: 'invalid_body' },
  { title: 'an unknown Content-Encoding', body: VALID, headers: { 'content-type': 'application/json', 'content-encoding': 'compress-9' }, status: 400, code: 'unsupported_encoding' },
  // JSON is UTF-8 (RFC 8259): a charset parameter changes nothing, the body is read as UTF-8 and served.
  { title: 'an unknown charset is ignored', body: VALID, headers: { 'content-type': 'application/json; charset=klingon' }, status: 200, code: null, rows: 1 },
  // Headers.
  { title: 'a header of 20 KiB', body: VALID, headers: { 'content-type': 'application/json', 'x-filler': 'x'.repeat(20 * 1024) }, status: 431, code: 'headers_too_large' },
  // Methods and paths.
  { title: 'PUT on the collection', method: 'PUT', body: VALID, status: 405, code: 'method_not_allowed' },
  { title: 'a prediction id of 1,000 characters', method: 'GET', path: `${PREDICTIONS}/${'a'.repeat(1000)}`, status: 404, code: 'prediction_not_found', field: 'id' },
  { title: 'a malformed percent-escape in the id', method: 'GET', path: `${PREDICTIONS}/%E0%A4%A`, status: 404, code: 'prediction_not_found', field: 'id' },
  // Ids that are not UUIDs never reach the database (PostgreSQL refused the NUL byte with a 500).
  ...['%00', '%00abc', `00000000-0000-0000-0000-00000000000%00`, '%FF%FE', '%C0%AF', "1'%20OR%20'1'='1", '%E2%80%AE1', 'null', '-1'].map(
    (id): Case => ({ title: `a prediction id ${id}`, method: 'GET', path: `${PREDICTIONS}/${id}`, status: 404, code: 'prediction_not_found', field: 'id' }),
  ),
  // Methods the router does not know: a JSON 501, not Koa's text/plain one.
  ...['TRACE', 'PROPFIND', 'QUERY', 'MKCOL'].map((method): Case => ({ title: `${method} on the collection`, method, status: 501, code: 'not_implemented', field: null })),
  // A malformed traceparent is ignored: served, in a fresh trace. The control: a valid one is honoured.
  {
    title: 'a valid traceparent (control): served in its trace',
    body: VALID,
    headers: { 'content-type': 'application/json', traceparent: `00-${A_TRACE}-00f067aa0ba902b7-01` },
    status: 200,
    code: null,
    rows: 1,
    traceId: A_TRACE,
  },
  ...(
    [
      ['garbage', 'not-a-traceparent'],
      ['an all-zero trace id', `00-${ZERO_TRACE}-00f067aa0ba902b7-01`],
      ['an all-zero span id', `00-${A_TRACE}-0000000000000000-01`],
      ['version ff', `ff-${A_TRACE}-00f067aa0ba902b7-01`],
      ['upper-case hex', `00-${A_TRACE.toUpperCase()}-00F067AA0BA902B7-01`],
      ['a short trace id', `00-${A_TRACE.slice(2)}-00f067aa0ba902b7-01`],
      ['non-hex flags', `00-${A_TRACE}-00f067aa0ba902b7-zz`],
      ['8 KiB long', `00-${A_TRACE}-00f067aa0ba902b7-01${'-0'.repeat(4096)}`],
    ] as const
  ).map(([what, traceparent]): Case => ({
    title: `a malformed traceparent: ${what}`,
    body: VALID,
    headers: { 'content-type': 'application/json', traceparent, tracestate: '=,,=;;' },
    status: 200,
    code: null,
    rows: 1,
    notTraceId: A_TRACE,
  })),
];

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: any;
}

/**
 * Raw node:http, so bytes, lengths and headers go out exactly as written; untraced, so an SDK
 * another test file installed in this process cannot replace the traceparent.
 */
function send(baseUrl: string, c: Case): Promise<Answer> {
  return context.with(suppressTracing(context.active()), () => sendRaw(baseUrl, c));
}

function sendRaw(baseUrl: string, c: Case): Promise<Answer> {
  const url = new URL(c.path ?? PREDICTIONS, baseUrl);
  const payload = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
  const headers: Record<string, string | number> = { ...(c.headers ?? { 'content-type': 'application/json' }) };
  if (payload !== undefined) headers['content-length'] = payload.length;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: c.method ?? 'POST', headers, agent: false, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Writes `bytes` on a fresh connection (then half-closes it with `halfClose`) and resolves with
 * all that came back before the server closed it.
 */
function rawExchange(baseUrl: string, bytes: string, halfClose = false): Promise<string> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error(`no close within 20 s; got ${JSON.stringify(received)}`)));
    if (halfClose) socket.end(bytes);
    else socket.write(bytes);
  });
}

const MALFORMED = '{"error":{"code":"malformed_request","message":"the request is not valid HTTP/1.1","field":null}}';

/** The status lines and bodies of the HTTP/1.1 answers in `text`, in order. */
function answers(text: string): Array<{ status: number; body: string }> {
  const found: Array<{ status: number; body: string }> = [];
  const pattern = /HTTP\/1\.1 (\d{3})[^\r]*\r\n((?:[^\r]+\r\n)*)\r\n/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const length = Number(/content-length: (\d+)/i.exec(match[2]!)?.[1] ?? 0);
    const body = text.slice(pattern.lastIndex, pattern.lastIndex + length);
    pattern.lastIndex += length;
    found.push({ status: Number(match[1]), body });
  }
  return found;
}

function suite(target: DatabaseTarget): void {
  describe(`reliability: bad input on ${target.name}`, function () {
    this.timeout(120_000);
    let upstream: ServiceProcess | undefined;
    let api: ServiceProcess | undefined;
    let db: Knex | undefined;

    before(async () => {
      assertBuilt();
      await target.setUp();
      upstream = await startService('stats upstream', { entry: 'stats-upstream', env: {} });
      api = await startService('predictions API', { env: { ...target.env, STATS_API_URL: upstream.url } });
      db = target.connect();
    });

    after(async () => {
      await killAll([api, upstream]);
      await db?.destroy();
      await target.tearDown();
    });

    it(`has at least 40 cases`, () => {
      expect(CASES.length).to.be.at.least(40);
    });

    for (const c of CASES) {
      it(`${c.title} → ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
        const before = await countRows(db!, 'predictions');
        const answer = await send(api!.url, c);
        expect(answer.status, answer.text.slice(0, 300)).to.equal(c.status);
        if (c.code !== null) {
          expect(answer.json?.error?.code, answer.text.slice(0, 300)).to.equal(c.code);
          expect(answer.json.error.message).to.be.a('string').and.not.match(/\n\s+at /); // no stack trace
          if (c.field !== undefined) expect(answer.json.error.field).to.equal(c.field);
        }
        if (c.status === 200) {
          expect(answer.json.traceId).to.match(/^[0-9a-f]{32}$/);
          expect(answer.json.traceId).to.not.equal(ZERO_TRACE);
          if (c.notTraceId) expect(answer.json.traceId).to.not.equal(c.notTraceId);
          if (c.traceId) expect(answer.json.traceId).to.equal(c.traceId);
        }
        expect(api!.alive(), 'process alive').to.equal(true);
        const health = await send(api!.url, { title: 'healthz', method: 'GET', path: '/healthz', status: 200, code: null });
        expect(health.status).to.equal(200);
        expect(await countRows(db!, 'predictions'), 'rows written').to.equal(before + (c.rows ?? 0));
      });
    }

    describe('requests Node\'s parser refuses: one pino line, a JSON answer, no raw error on stderr', () => {
      const post = (body: string, extra = ''): string =>
        `POST ${PREDICTIONS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
      const parserLines = (): Array<Record<string, unknown>> =>
        api!
          .stdoutLines()
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((record) => record.msg === 'malformed HTTP request');
      /** The parser lines after the first `from`, once `count` are there: stdout is a pipe, it may come after the answer. */
      const newParserLines = async (from: number, count: number): Promise<Array<Record<string, unknown>>> => {
        for (let waited = 0; parserLines().length < from + count && waited < 5000; waited += 50) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await new Promise((resolve) => setTimeout(resolve, 100)); // and nothing more than `count`
        return parserLines().slice(from);
      };

      it('a request pipelined before garbage is answered (its row written) before the 400', async () => {
        const before = await countRows(db!, 'predictions');
        const logged = parserLines().length;
        const text = await rawExchange(api!.url, `${post(VALID)}GARBAGE / HTTP/1.1\r\n\r\n`);
        const got = answers(text);
        expect(got.map((a) => a.status), text).to.deep.equal([200, 400]);
        expect(JSON.parse(got[0]!.body).predictions).to.have.length(1);
        expect(got[1]!.body).to.equal(MALFORMED);
        expect(await countRows(db!, 'predictions')).to.equal(before + 1);
        expect((await newParserLines(logged, 1)).map((r) => [r.level, r.code, r.reason])).to.deep.equal([[40, 'HPE_INVALID_METHOD', 'Invalid method encountered']]);
      });

      it('an invalid chunk size: a JSON 400, nothing written', async () => {
        const before = await countRows(db!, 'predictions');
        const logged = parserLines().length;
        const text = await rawExchange(
          api!.url,
          `POST ${PREDICTIONS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${VALID}\r\n0\r\n\r\n`,
        );
        expect(answers(text), text).to.deep.equal([{ status: 400, body: MALFORMED }]);
        expect(await countRows(db!, 'predictions')).to.equal(before);
        expect((await newParserLines(logged, 1)).map((r) => r.code)).to.deep.equal(['HPE_INVALID_CHUNK_SIZE']);
      });

      it('a chunked body cut off by the client: logged once, nothing written', async () => {
        const before = await countRows(db!, 'predictions');
        const logged = parserLines().length;
        await rawExchange(
          api!.url,
          `POST ${PREDICTIONS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"pla`,
          true,
        );
        expect(await countRows(db!, 'predictions')).to.equal(before);
        expect((await newParserLines(logged, 1)).map((r) => r.code)).to.deep.equal(['HPE_INVALID_EOF_STATE']);
      });

      it('never printed a raw error or stack trace outside pino', () => {
        expect(api!.stderrLines().filter((line) => /Error|\bat /.test(line))).to.deep.equal([]);
        for (const line of api!.stdoutLines()) expect(() => JSON.parse(line), line).to.not.throw();
      });
    });

    it('served a valid request after all of them', async () => {
      const answer = await send(api!.url, { title: 'valid', body: VALID, status: 200, code: null });
      expect(answer.status).to.equal(200);
      const counts = new Map<number, number>();
      for (const c of CASES) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
      figure(
        `bad input on ${target.name}: ${CASES.length} cases (${[...counts].map(([s, n]) => `${n}× ${s}`).join(', ')}), no 500, process alive, no row from a failed request`,
      );
    });
  });
}

suite(sqliteTarget());
const postgres = postgresRequirement();
if (postgres.url !== undefined) suite(postgresTarget(postgres.url));
else if (postgres.missing !== undefined) {
  describe('reliability: bad input on PostgreSQL', () => {
    it('is required in CI', () => {
      throw new Error(postgres.missing);
    });
  });
}
