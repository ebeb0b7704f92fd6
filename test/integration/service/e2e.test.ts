/**
 * The predictions service end to end: the compiled API and stats upstream run
 * as child processes with the generated bootstrap, over real HTTP, on SQLite
 * and on PostgreSQL. Spans come from the processes' console JSON output.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createStatsApp } from '../../../service/stats-upstream';
import { countRows, SEED_PLAYERS } from '../../../service/db';
import { postgresRequirement, postgresTarget, sqliteTarget, type DatabaseTarget } from './databases';
import {
  assertBuilt,
  request,
  startInProcess,
  startProcess,
  stopProcess,
  type HttpResult,
  type ServiceProcess,
} from './harness';
import { startCollector, type Collector, type ReceivedSpan } from '../../support/collector';
import type { SpanRecord } from './span-log';
import { buildTree, findNode, renderTree, allNodes, type SpanNode } from './span-tree';
import { assertConformance, spanFromConsoleJson } from '@spanwright/runtime';
import { manifest } from '../../../generated/manifest';

const PREDICTIONS = '/api/v1/nba/predictions';
const TATUM = '1628369';
const LEBRON = '2544';
const json = (value: unknown): string => JSON.stringify(value);

interface BadInput {
  readonly title: string;
  readonly body: string | Buffer | (() => ReadableStream<Uint8Array>);
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly error: { code: string; message: string | RegExp; field: string | null };
}

const tooLarge = json({ playerIds: [TATUM], predictionType: 'points', note: 'x'.repeat(64 * 1024) });

/** Every bad input the contract names, with the answer it must get. */
const BAD_INPUTS: readonly BadInput[] = [
  {
    title: 'malformed JSON',
    body: '{"playerIds": [',
    status: 400,
    error: { code: 'invalid_json', message: /^request body is not valid JSON: .+/, field: null },
  },
  {
    title: 'malformed JSON sent as text/plain',
    body: 'playerIds=1628369',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    error: { code: 'unsupported_media_type', message: 'request body must be sent as application/json, got "text/plain"', field: null },
  },
  {
    title: 'valid JSON sent as text/plain (what a cross-site form can send)',
    body: JSON.stringify({ playerIds: ['1628369'], predictionType: 'points' }),
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    status: 415,
    error: { code: 'unsupported_media_type', message: 'request body must be sent as application/json, got "text/plain;charset=UTF-8"', field: null },
  },
  {
    title: 'a prototype-poisoning key',
    body: '{"__proto__": {"admin": true}, "playerIds": ["1628369"], "predictionType": "points"}',
    status: 400,
    error: { code: 'invalid_json', message: 'request body is not valid JSON: Object contains forbidden prototype property', field: null },
  },
  {
    title: 'an empty body',
    body: '',
    status: 400,
    error: { code: 'invalid_body', message: 'request body must be a JSON object, got nothing', field: null },
  },
  {
    title: 'an array instead of an object',
    body: json([TATUM]),
    status: 400,
    error: { code: 'invalid_body', message: 'request body must be a JSON object, got an array', field: null },
  },
  {
    title: 'no playerIds',
    body: json({ predictionType: 'points' }),
    status: 400,
    error: { code: 'required', message: 'playerIds is required', field: 'playerIds' },
  },
  {
    title: 'playerIds not an array',
    body: json({ playerIds: TATUM, predictionType: 'points' }),
    status: 400,
    error: { code: 'invalid_type', message: 'playerIds must be an array of strings, got a string', field: 'playerIds' },
  },
  {
    title: 'a number among playerIds',
    body: json({ playerIds: [TATUM, 2544], predictionType: 'points' }),
    status: 400,
    error: { code: 'invalid_type', message: 'playerIds[1] must be a string, got a number', field: 'playerIds[1]' },
  },
  {
    title: 'empty playerIds',
    body: json({ playerIds: [], predictionType: 'points' }),
    status: 400,
    error: { code: 'invalid_length', message: 'playerIds must have 1 to 50 entries, got 0', field: 'playerIds' },
  },
  {
    title: '51 playerIds',
    body: json({ playerIds: Array.from({ length: 51 }, (_, i) => String(1000 + i)), predictionType: 'points' }),
    status: 400,
    error: { code: 'invalid_length', message: 'playerIds must have 1 to 50 entries, got 51', field: 'playerIds' },
  },
  {
    title: 'a player id that is not numeric',
    body: json({ playerIds: ["1628369' OR 1=1"], predictionType: 'points' }),
    status: 400,
    error: { code: 'invalid_value', message: 'playerIds[0] must be a numeric NBA player id of 1 to 10 digits', field: 'playerIds[0]' },
  },
  {
    title: 'a repeated player id',
    body: json({ playerIds: [TATUM, TATUM], predictionType: 'points' }),
    status: 400,
    error: { code: 'duplicate_value', message: 'playerIds[1] repeats player "1628369"', field: 'playerIds[1]' },
  },
  {
    title: 'no predictionType',
    body: json({ playerIds: [TATUM] }),
    status: 400,
    error: { code: 'required', message: 'predictionType is required', field: 'predictionType' },
  },
  {
    title: 'predictionType not a string',
    body: json({ playerIds: [TATUM], predictionType: 3 }),
    status: 400,
    error: { code: 'invalid_type', message: 'predictionType must be a string, got a number', field: 'predictionType' },
  },
  {
    title: 'an unknown predictionType',
    body: json({ playerIds: [TATUM], predictionType: 'steals' }),
    status: 400,
    error: {
      code: 'invalid_value',
      message: 'predictionType must be one of points, rebounds, assists, got "steals"',
      field: 'predictionType',
    },
  },
  {
    title: 'a body over 64 KiB (Content-Length)',
    body: tooLarge,
    status: 400,
    error: { code: 'body_too_large', message: 'request body must be at most 65536 bytes', field: null },
  },
  {
    title: 'a body over 64 KiB (chunked, no Content-Length)',
    body: () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(tooLarge);
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.subarray(i, i + 8192));
          controller.close();
        },
      }),
    status: 400,
    error: { code: 'body_too_large', message: 'request body must be at most 65536 bytes', field: null },
  },
  {
    title: 'an unknown player',
    body: json({ playerIds: ['999999'], predictionType: 'points' }),
    status: 404,
    error: { code: 'player_not_found', message: 'no player with id "999999"', field: 'playerIds[0]' },
  },
  {
    title: 'a known and an unknown player',
    body: json({ playerIds: [TATUM, '999999'], predictionType: 'assists' }),
    status: 404,
    error: { code: 'player_not_found', message: 'no player with id "999999"', field: 'playerIds[1]' },
  },
];

/** Odd inputs that must never get a 500: all 400 (status and code only). */
const ODD_BODIES: readonly string[] = [
  '{}',
  '0',
  'true',
  '"playerIds"',
  '{"playerIds": null, "predictionType": null}',
  '{"playerIds": [{}], "predictionType": "points"}',
  '{"playerIds": [[["1628369"]]], "predictionType": "points"}',
  '{"playerIds": ["1628369"], "predictionType": ["points"]}',
  '{"playerIds": ["\u0000"], "predictionType": "points"}',
  '{"playerIds": ["99999999999999999999"], "predictionType": "points"}',
  '{"playerIds": ["1628369"], "predictionType": "points", "playerIds": "dup"}',
  `{"a": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
];

async function post(api: ServiceProcess, body: BadInput['body'], headers?: Record<string, string>): Promise<HttpResult> {
  if (typeof body === 'function') {
    const response = await fetch(`${api.url}${PREDICTIONS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body(),
      duplex: 'half',
    } as RequestInit);
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) };
  }
  return request(api.url, 'POST', PREDICTIONS, body, headers);
}

/**
 * Siblings in the order the flow runs them. Not by start time: the SDK takes
 * a span's start from Date.now(), so spans that start within one millisecond
 * cannot be told apart by time (the order in time is asserted separately).
 */
const FLOW_ORDER = ['select', 'load_player_stats', 'GET', 'calculate_prediction', 'apply_injury_adjustment', 'calculate_confidence', 'insert', 'first'];

function flowRank(span: SpanRecord): number {
  const rank = FLOW_ORDER.findIndex((name) => span.name === name || span.name.startsWith(`${name} `));
  return rank === -1 ? FLOW_ORDER.length : rank;
}

function byStart(a: SpanRecord, b: SpanRecord): number {
  const compare = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return flowRank(a) - flowRank(b) || compare(a.start_time, b.start_time) || compare(a.name, b.name);
}

/** Knex names query spans `<operation> <database>.<table>`; the database (a file path on SQLite) is cut. */
function spanName(span: SpanRecord): string {
  if (span.attributes['db.system.name'] === undefined) return span.name;
  return span.name.replace(/^(\w+) (?:.*\.)?(\w+)$/, '$1 … $2');
}

const label = (span: SpanRecord): string => `${spanName(span)} [${span.kind.toLowerCase()}] ${span.service ?? '?'}`;

/** A span as the collector received it, in the console JSON shape the tree helpers read. */
function fromReceived(span: ReceivedSpan): SpanRecord {
  const iso = (nanos: bigint): string => new Date(Number(nanos / 1_000_000n)).toISOString();
  return {
    name: span.name,
    context: { trace_id: span.traceId, span_id: span.spanId },
    parent: span.parentSpanId ?? null,
    kind: span.kind,
    start_time: iso(span.startTimeUnixNano),
    end_time: iso(span.endTimeUnixNano),
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    service: span.serviceName,
  };
}

/** The first pino record of `proc` that matches, waiting up to 5 s for it; undefined if none came. */
async function logRecord(proc: ServiceProcess, match: (log: Record<string, unknown>) => boolean): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = proc.spans.otherLines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find(match);
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The whole trace of one request, from both processes, as a tree. */
async function traceTree(
  processes: readonly ServiceProcess[],
  traceId: string,
  complete: (spans: SpanRecord[]) => boolean,
): Promise<SpanNode[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const spans = processes.flatMap((p) => p.spans.trace(traceId));
    if (complete(spans)) return buildTree(spans, byStart);
    if (Date.now() > deadline) {
      throw new Error(`trace ${traceId} incomplete: ${spans.map(label).join('; ') || 'no spans'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function suite(target: DatabaseTarget): void {
  let upstream: ServiceProcess;
  let api: ServiceProcess;
  let failingApi: ServiceProcess;
  let slowApi: ServiceProcess;
  let failing: { url: string; close(): Promise<void> };
  let hanging: { url: string; close(): Promise<void> };
  let db: Knex;
  let collector: Collector;

  const rowCounts = async (): Promise<{ players: number; predictions: number }> => ({
    players: await countRows(db, 'players'),
    predictions: await countRows(db, 'predictions'),
  });

  before(async function () {
    this.timeout(60_000);
    assertBuilt();
    await target.setUp();
    // The main pair also exports over OTLP (http/protobuf) to the test collector.
    collector = await startCollector();
    const otlp = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // Every span checked against tracing.yaml; a violation is one stderr line.
      SPANWRIGHT_STRICT: '1',
    };
    upstream = await startProcess('stats upstream', 'stats-upstream', { ...otlp, OTEL_SERVICE_NAME: 'stats-upstream' }, 'STATS_PORT');
    // The first API migrates and seeds; the others find the database ready.
    api = await startProcess('API', 'main', { ...otlp, ...target.env, STATS_API_URL: upstream.url }, 'PORT');
    failing = await startInProcess(createStatsApp({ fault: 'error' }));
    hanging = await startInProcess(createStatsApp({ fault: 'timeout' }));
    [failingApi, slowApi] = await Promise.all([
      startProcess('API (upstream fails)', 'main', { ...target.env, STATS_API_URL: failing.url }, 'PORT'),
      startProcess('API (upstream hangs)', 'main', { ...target.env, STATS_API_URL: hanging.url, STATS_TIMEOUT_MS: '300' }, 'PORT'),
    ]);
    db = target.connect();
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([api, failingApi, slowApi, upstream].map((p) => stopProcess(p)));
    await Promise.all([failing?.close(), hanging?.close(), collector?.close()]);
    await db?.destroy();
    await target.tearDown();
  });

  it('migrates and seeds on start, once however many processes start', async () => {
    expect(await rowCounts()).to.deep.equal({ players: SEED_PLAYERS.length, predictions: 0 });
    expect(SEED_PLAYERS.length).to.be.at.least(30);
    const tatum = await db('players').where({ id: TATUM }).first();
    expect(tatum).to.include({ name: 'Jayson Tatum', team: 'BOS', injury_status: 'healthy' });
  });

  it('answers GET /healthz with 200 {"status":"ok"} and traces nothing for it', async () => {
    const before = api.spans.spans.length;
    const health = await request(api.url, 'GET', '/healthz');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });
    // A traced request after it: once its spans are out, the health check's would be too.
    const traced = await request(api.url, 'GET', `${PREDICTIONS}/00000000-0000-0000-0000-000000000000`);
    expect(traced.status).to.equal(404);
    await traceIdOf(api, before, `${PREDICTIONS}/:id`, 404);
    const healthSpans = api.spans.spans.filter((s) => JSON.stringify(s.attributes).includes('/healthz'));
    expect(healthSpans).to.deep.equal([]);
  });

  it('predicts for one player: 200, a stored row, and one trace across both processes', async () => {
    const before = await rowCounts();
    const response = await post(api, json({ playerIds: [TATUM], predictionType: 'points' }));
    expect(response.status, response.text).to.equal(200);
    const { predictions, traceId } = response.body as {
      predictions: Array<Record<string, unknown>>;
      traceId: string;
    };
    expect(traceId).to.match(/^[0-9a-f]{32}$/);
    expect(predictions).to.have.length(1);
    const [prediction] = predictions;
    expect(Object.keys(prediction!).sort()).to.deep.equal(['confidence', 'id', 'playerId', 'predictionType', 'value']);
    expect(prediction).to.include({ playerId: TATUM, predictionType: 'points' });
    expect(prediction!.value).to.be.a('number');
    expect(prediction!.confidence).to.be.within(0, 1);

    expect(await rowCounts()).to.deep.equal({ ...before, predictions: before.predictions + 1 });
    const row = await db('predictions').where({ id: prediction!.id }).first();
    expect(row).to.include({ player_id: TATUM, prediction_type: 'points', trace_id: traceId });
    expect(Number(row.value)).to.equal(prediction!.value);

    const roots = await traceTree([api, upstream], traceId, (spans) =>
      spans.some((s) => s.kind === 'SERVER' && s.service === 'sports-bet-ai-api') &&
      spans.some((s) => s.service === 'stats-upstream'),
    );
    expect(renderTree(roots, label)).to.deep.equal([
      'POST /api/v1/nba/predictions [server] sports-bet-ai-api',
      '  router - /api/v1/nba/predictions [internal] sports-bet-ai-api',
      '    select … players [client] sports-bet-ai-api',
      '    load_player_stats [internal] sports-bet-ai-api',
      '      * cache_miss',
      '      GET [client] sports-bet-ai-api',
      '        GET /api/espn/players/:id [server] stats-upstream',
      '          router - /api/espn/players/:id [internal] stats-upstream',
      '    calculate_prediction [internal] sports-bet-ai-api',
      '      * prediction_generated',
      '      apply_injury_adjustment [internal] sports-bet-ai-api',
      '      calculate_confidence [internal] sports-bet-ai-api',
      '    insert … predictions [client] sports-bet-ai-api',
    ]);

    // The router span (@opentelemetry/instrumentation-koa) sits between the server span and the handler's.
    const routerNode = findNode(roots, 'router - /api/v1/nba/predictions');
    expect(routerNode.span.attributes).to.deep.equal({
      'koa.type': 'router',
      'koa.name': '/api/v1/nba/predictions',
      'http.route': '/api/v1/nba/predictions',
    });
    // The handler's spans started in the flow's order (start times are whole milliseconds).
    const steps = routerNode.children.map((child) => child.span);
    steps.slice(1).forEach((step, i) => expect(step.start_time >= steps[i]!.start_time, step.name).to.equal(true));

    const server = roots[0]!.span;
    expect(server.parent).to.equal(null);
    expect(server.status.code).to.equal('UNSET');
    expect(server.attributes).to.include({
      'http.request.method': 'POST',
      'http.route': '/api/v1/nba/predictions',
      'http.response.status_code': 200,
    });

    const load = findNode(roots, 'load_player_stats').span;
    expect(load.attributes).to.deep.equal({ 'app.player_count': 1, 'app.cache_hits': 0, 'app.cache_misses': 1 });
    expect(load.events.map((e) => [e.name, e.attributes])).to.deep.equal([['cache_miss', { 'app.player_id': TATUM }]]);

    const client = findNode(roots, 'GET');
    expect(client.span.attributes).to.include({
      'peer.service': 'espn',
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.full': `${upstream.url}/api/espn/players/${TATUM}`,
    });
    const remote = client.children[0]!.span;
    expect(remote.attributes).to.include({ 'http.route': '/api/espn/players/:id', 'http.response.status_code': 200 });

    const calculate = findNode(roots, 'calculate_prediction').span;
    expect(calculate.attributes).to.deep.equal({
      'app.player_count': 1,
      'app.prediction_type': 'points',
      'app.sport': 'nba',
      'app.model_version': '2024.1',
    });
    expect(calculate.events).to.have.length(1);
    expect(calculate.events[0]!.attributes).to.deep.equal({
      'app.player_id': TATUM,
      'app.predicted_value': prediction!.value,
      'app.confidence': prediction!.confidence,
    });
    expect(findNode(roots, 'apply_injury_adjustment').span.attributes).to.deep.equal({
      'app.player_id': TATUM,
      'app.team': 'BOS',
      'app.injury_status': 'healthy',
      'app.adjustment_factor': 1,
    });
    expect(findNode(roots, 'calculate_confidence').span.attributes).to.include({
      'app.player_id': TATUM,
      'app.model_confidence': prediction!.confidence,
    });

    for (const [name, operation, table] of [
      ['select … players', 'select', 'players'],
      ['insert … predictions', 'insert', 'predictions'],
    ] as const) {
      const query = allNodes(roots).find((node) => spanName(node.span) === name)!.span;
      expect(query.attributes, name).to.include({
        'db.system.name': target.name === 'SQLite' ? 'sqlite' : 'postgresql',
        'db.operation.name': operation,
        'db.collection.name': table,
      });
      expect(query.attributes['db.query.text'], name).to.match(new RegExp(`^${operation} `, 'i'));
    }
    for (const node of allNodes(roots)) expect(node.span.context.trace_id).to.equal(traceId);

    // pino records written inside the request carry its trace, in both processes. pino and the
    // console exporter write to stdout separately, so a record may arrive after the spans.
    const created = await logRecord(api, (log) => log.msg === 'predictions created' && log.trace_id === traceId);
    expect(created, 'API log line').to.include({ count: 1, predictionType: 'points' });
    expect(created!.span_id).to.equal(routerNode.span.context.span_id);
    const served = await logRecord(upstream, (log) => log.msg === 'stats served' && log.trace_id === traceId);
    expect(served, 'upstream log line').to.include({ playerId: TATUM });
    expect(served!.span_id).to.equal(client.children[0]!.children[0]!.span.context.span_id);
  });

  it('exports the same trace over OTLP: same tree, attributes typed as declared', async () => {
    const response = await post(api, json({ playerIds: ['1630162'], predictionType: 'rebounds' }));
    expect(response.status, response.text).to.equal(200);
    const traceId = response.body.traceId as string;
    const received = await collector.waitFor(
      () => {
        const spans = collector.spans().filter((s) => s.traceId === traceId);
        return spans.length === 11 ? spans : undefined;
      },
      5000,
      () => `trace ${traceId}: ${collector.spans().filter((s) => s.traceId === traceId).map((s) => s.name).join(', ')}`,
    );
    const fromConsole = await traceTree([api, upstream], traceId, (spans) => spans.length === 11);
    const fromOtlp = buildTree(received.map(fromReceived), byStart);
    expect(renderTree(fromOtlp, label)).to.deep.equal(renderTree(fromConsole, label));
    expect(renderTree(fromOtlp, label)).to.have.length(13);

    const typesOf = (name: string): Record<string, string> => received.find((s) => s.name === name)!.attributeTypes;
    expect(typesOf('calculate_prediction')).to.deep.equal({
      'app.player_count': 'int',
      'app.prediction_type': 'string',
      'app.sport': 'string',
      'app.model_version': 'string',
    });
    expect(typesOf('calculate_confidence')).to.deep.equal({
      'app.player_id': 'string',
      'app.games_played': 'int',
      'app.model_confidence': 'double',
    });
    const event = received.find((s) => s.name === 'calculate_prediction')!.events[0]!;
    expect(event.attributeTypes).to.include({ 'app.player_id': 'string', 'app.confidence': 'double' });
    const services = new Set(received.map((s) => s.serviceName));
    expect([...services].sort()).to.deep.equal(['sports-bet-ai-api', 'stats-upstream']);
  });

  it('serves the same player from the cache: cache_hit, no upstream call', async () => {
    const first = await post(api, json({ playerIds: [LEBRON], predictionType: 'rebounds' }));
    expect(first.status, first.text).to.equal(200);
    const second = await post(api, json({ playerIds: [LEBRON], predictionType: 'assists' }));
    expect(second.status, second.text).to.equal(200);
    const roots = await traceTree([api, upstream], second.body.traceId, (spans) =>
      spans.some((s) => s.kind === 'SERVER'),
    );
    const load = findNode(roots, 'load_player_stats');
    expect(load.span.attributes).to.deep.equal({ 'app.player_count': 1, 'app.cache_hits': 1, 'app.cache_misses': 0 });
    expect(load.span.events.map((e) => [e.name, e.attributes])).to.deep.equal([['cache_hit', { 'app.player_id': LEBRON }]]);
    expect(load.children).to.deep.equal([]);
    expect(upstream.spans.trace(second.body.traceId)).to.deep.equal([]);
    // LeBron is questionable: his prediction is scaled down.
    expect(findNode(roots, 'apply_injury_adjustment').span.attributes).to.include({
      'app.injury_status': 'questionable',
      'app.adjustment_factor': 0.85,
    });
  });

  it('predicts for several players in one request, one client call each', async () => {
    const ids = ['203999', '201939', '203081'];
    const response = await post(api, json({ playerIds: ids, predictionType: 'assists' }));
    expect(response.status, response.text).to.equal(200);
    const predictions = response.body.predictions as Array<{ playerId: string; value: number }>;
    expect(predictions.map((p) => p.playerId)).to.deep.equal(ids);
    // Damian Lillard is out: nothing expected from him.
    expect(predictions[2]!.value).to.equal(0);
    const roots = await traceTree([api, upstream], response.body.traceId, (spans) =>
      spans.some((s) => s.kind === 'SERVER' && s.service === 'sports-bet-ai-api') &&
      // A server span and its router span for each upstream call.
      spans.filter((s) => s.service === 'stats-upstream').length === 6,
    );
    const load = findNode(roots, 'load_player_stats');
    expect(load.children.map((c) => [c.span.name, c.span.attributes['peer.service'], c.children.length])).to.deep.equal([
      ['GET', 'espn', 1],
      ['GET', 'espn', 1],
      ['GET', 'espn', 1],
    ]);
    const calculate = findNode(roots, 'calculate_prediction');
    expect(calculate.span.attributes['app.player_count']).to.equal(3);
    expect(calculate.span.events.map((e) => e.attributes['app.player_id'])).to.deep.equal(ids);
    const children = (name: string): unknown[] =>
      calculate.children.filter((c) => c.span.name === name).map((c) => c.span.attributes['app.player_id']);
    expect(calculate.children).to.have.length(6);
    expect(children('apply_injury_adjustment')).to.have.members(ids);
    expect(children('calculate_confidence')).to.have.members(ids);
  });

  it('reads a stored prediction back, and answers 404 for an unknown id', async () => {
    const created = await post(api, json({ playerIds: [TATUM], predictionType: 'rebounds' }));
    const stored = created.body.predictions[0] as Record<string, unknown>;
    const read = await request(api.url, 'GET', `${PREDICTIONS}/${String(stored.id)}`);
    expect(read.status).to.equal(200);
    expect(read.body.prediction).to.include(stored);
    expect(read.body.prediction).to.include({ modelVersion: '2024.1' });
    expect(read.body.prediction.createdAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(read.body.prediction.createdAt) - Date.now())).to.be.below(5 * 60_000);

    for (const id of ['00000000-0000-0000-0000-000000000000', 'x'.repeat(500), "1' OR '1'='1", '\u0000', `${String(stored.id)}\u0000`, '\uFFFD\u202E']) {
      const missing = await request(api.url, 'GET', `${PREDICTIONS}/${encodeURIComponent(id)}`);
      expect(missing.status, id).to.equal(404);
      expect(missing.body.error.code).to.equal('prediction_not_found');
      expect(missing.body.error.field).to.equal('id');
    }
  });

  describe('bad input: the error body, and nothing written', () => {
    for (const input of BAD_INPUTS) {
      it(`${input.status} for ${input.title}`, async () => {
        const before = await rowCounts();
        const response = await post(api, input.body, input.headers);
        expect(response.status, response.text).to.equal(input.status);
        expect(Object.keys(response.body)).to.deep.equal(['error']);
        expect(Object.keys(response.body.error)).to.deep.equal(['code', 'message', 'field']);
        const { message, ...rest } = input.error;
        expect({ code: response.body.error.code, field: response.body.error.field }).to.deep.equal(rest);
        if (message instanceof RegExp) expect(response.body.error.message).to.match(message);
        else expect(response.body.error.message).to.equal(message);
        expect(response.text).not.to.match(/\bat .+:\d+:\d+/); // no stack trace
        expect(await rowCounts()).to.deep.equal(before);
      });
    }

    it('never answers 500 to odd bodies', async () => {
      const before = await rowCounts();
      for (const body of ODD_BODIES) {
        const response = await post(api, body);
        expect([response.status, Object.keys(response.body?.error ?? {})], `${body.slice(0, 60)} → ${response.text}`).to.deep.equal([
          400,
          ['code', 'message', 'field'],
        ]);
      }
      expect(await rowCounts()).to.deep.equal(before);
    });

    it('accepts a body that starts with a UTF-8 byte order mark', async () => {
      const response = await post(api, '\uFEFF' + json({ playerIds: [TATUM], predictionType: 'assists' }));
      expect(response.status, response.text).to.equal(200);
    });

    it('answers unknown routes and methods with JSON 404 / 405 / 501', async () => {
      const route = await request(api.url, 'GET', '/api/v1/nba/nothing');
      expect(route.status).to.equal(404);
      expect(route.body).to.deep.equal({ error: { code: 'not_found', message: 'no route for GET /api/v1/nba/nothing', field: null } });
      const method = await request(api.url, 'DELETE', PREDICTIONS);
      expect(method.status).to.equal(405);
      expect(method.body).to.deep.equal({
        error: { code: 'method_not_allowed', message: 'DELETE is not allowed on /api/v1/nba/predictions', field: null },
      });
      // fetch refuses to send TRACE; the reliability table sends it over node:http.
      for (const verb of ['PROPFIND', 'QUERY', 'MKCOL']) {
        const unknown = await request(api.url, verb, PREDICTIONS);
        expect([unknown.status, unknown.body], verb).to.deep.equal([
          501,
          { error: { code: 'not_implemented', message: `${verb} is not a method this API implements`, field: null } },
        ]);
      }
    });
  });

  describe('upstream failures: 502, the spans ERROR, nothing written', () => {
    it('502 when the upstream answers 503', async () => {
      const before = await rowCounts();
      const response = await post(failingApi, json({ playerIds: ['203507'], predictionType: 'points' }));
      expect(response.status, response.text).to.equal(502);
      expect(response.body).to.deep.equal({
        error: { code: 'upstream_error', message: 'stats upstream answered 503 for player 203507', field: null },
      });
      expect(await rowCounts()).to.deep.equal(before);

      const traceId = await traceIdOf(failingApi, 0, PREDICTIONS, 502);
      const roots = await traceTree([failingApi], traceId, (spans) => spans.some((s) => s.kind === 'SERVER'));
      expect(renderTree(roots, label)).to.deep.equal([
        'POST /api/v1/nba/predictions [server] sports-bet-ai-api',
        '  router - /api/v1/nba/predictions [internal] sports-bet-ai-api',
        '    * exception',
        '    select … players [client] sports-bet-ai-api',
        '    load_player_stats [internal] sports-bet-ai-api',
        '      * cache_miss',
        '      * exception',
        '      GET [client] sports-bet-ai-api',
      ]);
      expect(roots[0]!.span.status.code).to.equal('ERROR');
      expect(roots[0]!.span.attributes['http.response.status_code']).to.equal(502);
      const load = findNode(roots, 'load_player_stats').span;
      expect(load.status).to.deep.equal({ code: 'ERROR', message: 'stats upstream answered 503 for player 203507' });
      const client = findNode(roots, 'GET').span;
      expect(client.attributes).to.include({ 'http.response.status_code': 503, 'peer.service': 'espn' });
      expect(client.status.code).to.equal('ERROR');
    });

    it('502 when the upstream does not answer within STATS_TIMEOUT_MS', async () => {
      const before = await rowCounts();
      const response = await post(slowApi, json({ playerIds: ['203507'], predictionType: 'points' }));
      expect(response.status, response.text).to.equal(502);
      expect(response.body).to.deep.equal({
        error: { code: 'upstream_error', message: 'stats upstream did not answer within 300 ms for player 203507', field: null },
      });
      expect(await rowCounts()).to.deep.equal(before);
      const traceId = await traceIdOf(slowApi, 0, PREDICTIONS, 502);
      const roots = await traceTree([slowApi], traceId, (spans) => spans.some((s) => s.kind === 'SERVER'));
      expect(roots[0]!.span.status.code).to.equal('ERROR');
      expect(findNode(roots, 'load_player_stats').span.status.code).to.equal('ERROR');
      expect(findNode(roots, 'GET').span.status.code).to.equal('ERROR');
    });
  });

  // Mocha runs a suite's own tests before its nested suites: this one stays in a suite of its own, last.
  describe('shutdown', () => {
    it('conformed to tracing.yaml all along: no conformance warning from either process', () => {
      for (const proc of [api, upstream]) {
        expect(proc.stderr.join('').split('\n').filter((line) => line.includes('conformance')), proc.name).to.deep.equal([]);
      }
    });

    it('emitted every span, attribute type and event tracing.yaml declares, as declared (full coverage)', () => {
      const emitted = [api, upstream, failingApi, slowApi].flatMap((proc) => proc.spans.spans.map(spanFromConsoleJson));
      const result = assertConformance(emitted, manifest, { requireFullCoverage: true });
      expect(result.violations).to.deep.equal([]);
      expect(result.coverage.spans.filter((span) => !span.seen).map((span) => span.name)).to.deep.equal([]);
      expect(result.coverage.events.filter((event) => !event.seen).map((event) => event.name)).to.deep.equal([]);
    });

    it('stops cleanly on SIGTERM', async () => {
      expect(await stopProcess(slowApi)).to.equal(0);
    });
  });
}

/** The trace id of the first server span for `route` (and `status`) printed after the first `from` spans. */
async function traceIdOf(proc: ServiceProcess, from: number, route: string, status?: number): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const match = proc.spans.spans
      .slice(from)
      .find(
        (s) =>
          s.kind === 'SERVER' &&
          s.attributes['http.route'] === route &&
          (status === undefined || s.attributes['http.response.status_code'] === status),
      );
    if (match !== undefined) return match.context.trace_id;
    if (Date.now() > deadline) throw new Error(`${proc.name}: no server span for ${route} (${status ?? 'any status'})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('predictions service, end to end', function () {
  this.timeout(30_000);

  describe('on SQLite', () => suite(sqliteTarget()));

  const pg = postgresRequirement();
  if (pg.url !== undefined) {
    describe('on PostgreSQL', () => suite(postgresTarget(pg.url!)));
  } else if (pg.missing !== undefined) {
    it('on PostgreSQL', () => {
      throw new Error(pg.missing);
    });
  } else {
    describe('on PostgreSQL (TEST_DATABASE_URL unset: skipped locally)', () => {
      it('needs TEST_DATABASE_URL', function () {
        this.skip();
      });
    });
  }
});
