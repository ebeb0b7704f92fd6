/**
 * The service's parts in this process: validation, the upstream's data, the
 * stats cache, and the Koa app on an in-memory SQLite database with an
 * in-memory span exporter (the generated helpers' spans; no auto-instrumentation).
 */
import { expect } from 'chai';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Knex } from 'knex';
import { resetTracerCache, setTracingEnabled } from '@spanwright/runtime/testing';
import { createApp, type AppConfig } from '../../../service/app';
import { countRows, openDatabase, SEED_PLAYERS } from '../../../service/db';
import { createLogger } from '../../../service/logger';
import { StatsCache } from '../../../service/stats-cache';
import { createStatsApp, statsFor } from '../../../service/stats-upstream';
import { parsePredictionRequest } from '../../../service/validation';
import { ApiError } from '../../../service/errors';
import { request, startInProcess } from './harness';

describe('service parts, in process', () => {
  describe('parsePredictionRequest', () => {
    const accepted: Array<[string, unknown, unknown]> = [
      ['one id', { playerIds: ['1628369'], predictionType: 'points' }, { playerIds: ['1628369'], predictionType: 'points' }],
      [
        '50 ids, the most allowed',
        { playerIds: Array.from({ length: 50 }, (_, i) => String(i + 1)), predictionType: 'assists' },
        { playerIds: Array.from({ length: 50 }, (_, i) => String(i + 1)), predictionType: 'assists' },
      ],
      ['unknown fields ignored', { playerIds: ['2544'], predictionType: 'rebounds', extra: 1 }, { playerIds: ['2544'], predictionType: 'rebounds' }],
    ];
    for (const [title, body, want] of accepted) {
      it(`accepts ${title}`, () => expect(parsePredictionRequest(body)).to.deep.equal(want));
    }

    const rejected: Array<[string, unknown, { code: string; message: string; field: string | null }]> = [
      ['a number body', 42, { code: 'invalid_body', message: 'request body must be a JSON object, got a number', field: null }],
      ['null ids', { playerIds: null }, { code: 'invalid_type', message: 'playerIds must be an array of strings, got null', field: 'playerIds' }],
      ['an empty id', { playerIds: [''], predictionType: 'points' }, { code: 'invalid_value', message: 'playerIds[0] must be a numeric NBA player id of 1 to 10 digits', field: 'playerIds[0]' }],
      ['an 11-digit id', { playerIds: ['12345678901'], predictionType: 'points' }, { code: 'invalid_value', message: 'playerIds[0] must be a numeric NBA player id of 1 to 10 digits', field: 'playerIds[0]' }],
      ['an object type', { playerIds: ['1'], predictionType: {} }, { code: 'invalid_type', message: 'predictionType must be a string, got an object', field: 'predictionType' }],
      ['a long unknown type, cut in the message', { playerIds: ['1'], predictionType: 'x'.repeat(100) }, { code: 'invalid_value', message: `predictionType must be one of points, rebounds, assists, got "${'x'.repeat(40)}"`, field: 'predictionType' }],
    ];
    for (const [title, body, want] of rejected) {
      it(`rejects ${title}`, () => {
        let thrown: unknown;
        try {
          parsePredictionRequest(body);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(ApiError);
        const error = thrown as ApiError;
        expect({ status: error.status, code: error.code, message: error.message, field: error.field }).to.deep.equal({ status: 400, ...want });
      });
    }
  });

  describe('stats upstream data', () => {
    it('gives the same stats for the same id, different for another, within plausible ranges', () => {
      expect(statsFor('1628369')).to.deep.equal(statsFor('1628369'));
      expect(statsFor('1628369')).not.to.deep.equal(statsFor('2544'));
      for (const player of SEED_PLAYERS) {
        const stats = statsFor(player.id);
        expect(stats.gamesPlayed).to.be.within(40, 82);
        expect(stats.points).to.be.within(8, 34);
        expect(stats.rebounds).to.be.within(2, 13);
        expect(stats.assists).to.be.within(1, 11);
      }
    });
  });

  describe('stats upstream faults', () => {
    const fetchStats = async (app: ReturnType<typeof createStatsApp>, id: string) => {
      const server = await startInProcess(app);
      try {
        return await request(server.url, 'GET', `/api/espn/players/${id}`);
      } finally {
        await server.close();
      }
    };

    it('answers the stats with no fault and with slow, 503 with error, 404 for a non-numeric id', async () => {
      expect((await fetchStats(createStatsApp(), '2544')).body).to.deep.equal(statsFor('2544'));
      expect((await fetchStats(createStatsApp({ fault: 'slow', slowMs: 10 }), '2544')).body).to.deep.equal(statsFor('2544'));
      const failed = await fetchStats(createStatsApp({ fault: 'error' }), '2544');
      expect([failed.status, failed.body.error.code]).to.deep.equal([503, 'upstream_unavailable']);
      const unknown = await fetchStats(createStatsApp(), 'abc');
      expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, 'not_found']);
    });
  });

  describe('StatsCache', () => {
    it('keeps an entry for its ttl, then forgets it', () => {
      let now = 1000;
      const cache = new StatsCache(500, 10, () => now);
      cache.set('1', statsFor('1'));
      now = 1499;
      expect(cache.get('1')).to.deep.equal(statsFor('1'));
      now = 1500;
      expect(cache.get('1')).to.equal(undefined);
    });

    it('drops the oldest entry once full, and caches nothing with ttl 0', () => {
      const cache = new StatsCache(1000, 2);
      cache.set('1', statsFor('1'));
      cache.set('2', statsFor('2'));
      cache.set('3', statsFor('3'));
      expect([cache.get('1'), cache.get('2')?.playerId, cache.get('3')?.playerId]).to.deep.equal([undefined, '2', '3']);
      const none = new StatsCache(0);
      none.set('1', statsFor('1'));
      expect(none.get('1')).to.equal(undefined);
    });
  });

  describe('the Koa app on in-memory SQLite, with an in-memory exporter', () => {
    const exporter = new InMemorySpanExporter();
    let provider: NodeTracerProvider;
    let db: Knex;
    let upstream: { url: string; close(): Promise<void> };
    let api: { url: string; close(): Promise<void> };

    before(async () => {
      trace.disable();
      context.disable();
      provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider.register();
      resetTracerCache();
      setTracingEnabled(true);
      upstream = await startInProcess(createStatsApp());
      db = await openDatabase({ url: 'sqlite::memory:' });
      const config: AppConfig = { statsApiUrl: upstream.url, statsTimeoutMs: 2000, statsCacheTtlMs: 60_000, modelVersion: 'test-1' };
      api = await startInProcess(createApp({ db, config, logger: createLogger('test', { LOG_LEVEL: 'silent' }) }));
    });

    after(async () => {
      await api?.close();
      await upstream?.close();
      await db?.destroy();
      await provider?.shutdown();
      trace.disable();
      context.disable();
      resetTracerCache();
    });

    beforeEach(() => exporter.reset());

    const spanNamed = (spans: readonly ReadableSpan[], name: string): ReadableSpan[] => spans.filter((s) => s.name === name);

    it('nests the helpers: adjustment and confidence under calculate_prediction, one event a player', async () => {
      const response = await request(
        api.url,
        'POST',
        '/api/v1/nba/predictions',
        JSON.stringify({ playerIds: ['1628369', '203081'], predictionType: 'points' }),
      );
      expect(response.status, response.text).to.equal(200);
      const spans = exporter.getFinishedSpans();
      const [calculate] = spanNamed(spans, 'calculate_prediction');
      expect(calculate).to.not.equal(undefined);
      expect(calculate!.attributes).to.deep.equal({
        'app.player_count': 2,
        'app.prediction_type': 'points',
        'app.sport': 'nba',
        'app.model_version': 'test-1',
      });
      const children = spans.filter((s) => s.parentSpanContext?.spanId === calculate!.spanContext().spanId);
      expect(children.map((s) => [s.name, s.attributes['app.player_id']])).to.have.deep.members([
        ['apply_injury_adjustment', '1628369'],
        ['calculate_confidence', '1628369'],
        ['apply_injury_adjustment', '203081'],
        ['calculate_confidence', '203081'],
      ]);
      const [lillard] = spanNamed(spans, 'apply_injury_adjustment').filter((s) => s.attributes['app.player_id'] === '203081');
      expect(lillard!.attributes).to.include({ 'app.injury_status': 'out', 'app.adjustment_factor': 0, 'app.team': 'MIL' });
      expect(calculate!.events.map((e) => e.attributes)).to.deep.equal(
        (response.body.predictions as Array<{ playerId: string; value: number; confidence: number }>).map((p) => ({
          'app.player_id': p.playerId,
          'app.predicted_value': p.value,
          'app.confidence': p.confidence,
        })),
      );
      const [load] = spanNamed(spans, 'load_player_stats');
      expect(load!.events.map((e) => e.name)).to.deep.equal(['cache_miss', 'cache_miss']);
    });

    it('writes nothing when an insert fails part-way, and answers a JSON 500 without internals', async () => {
      // A trigger that rejects the second player's row: the first must be rolled back with it.
      await db.raw(
        "CREATE TRIGGER reject_lebron BEFORE INSERT ON predictions WHEN NEW.player_id = '2544' BEGIN SELECT RAISE(ABORT, 'secret internal detail'); END",
      );
      try {
        const before = await countRows(db, 'predictions');
        const response = await request(
          api.url,
          'POST',
          '/api/v1/nba/predictions',
          JSON.stringify({ playerIds: ['1628369', '2544'], predictionType: 'assists' }),
        );
        expect(response.status).to.equal(500);
        expect(response.body).to.deep.equal({ error: { code: 'internal_error', message: 'internal server error', field: null } });
        expect(response.text).not.to.include('secret');
        expect(await countRows(db, 'predictions')).to.equal(before);
      } finally {
        await db.raw('DROP TRIGGER reject_lebron');
      }
    });

    it('marks load_player_stats ERROR with the upstream message when a fetch fails', async () => {
      const failing = await startInProcess(createStatsApp({ fault: 'error' }));
      const config: AppConfig = { statsApiUrl: failing.url, statsTimeoutMs: 2000, statsCacheTtlMs: 60_000, modelVersion: 'test-1' };
      const broken = await startInProcess(createApp({ db, config, logger: createLogger('test', { LOG_LEVEL: 'silent' }) }));
      try {
        const response = await request(broken.url, 'POST', '/api/v1/nba/predictions', JSON.stringify({ playerIds: ['201939'], predictionType: 'points' }));
        expect(response.status).to.equal(502);
        const [load] = spanNamed(exporter.getFinishedSpans(), 'load_player_stats');
        expect(load!.status).to.deep.equal({ code: 2, message: 'stats upstream answered 503 for player 201939' });
        expect(load!.events.map((e) => e.name)).to.deep.equal(['cache_miss', 'exception']);
        expect(spanNamed(exporter.getFinishedSpans(), 'calculate_prediction')).to.deep.equal([]);
      } finally {
        await broken.close();
        await failing.close();
      }
    });
  });
});
