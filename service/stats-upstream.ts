/**
 * The stats upstream: a second Koa app standing in for the ESPN stats API.
 * `GET /api/espn/players/:id` answers deterministic season averages derived
 * from the id. `STATS_FAULT=slow|error|timeout` makes it misbehave for tests.
 *
 *   node --require dist/generated/bootstrap.js dist/service/stats-upstream.js
 */
import type { Server } from 'node:http';
import { createHash } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { DEFAULT_STATS_PORT, intFromEnv } from './config';
import { logStreamError } from './errors';
import { createLogger, type Logger } from './logger';
import { listen, stopOnSignals } from './server';

export const STATS_FAULTS = ['slow', 'error', 'timeout'] as const;
export type StatsFault = (typeof STATS_FAULTS)[number];

export interface PlayerStats {
  readonly playerId: string;
  readonly season: string;
  readonly gamesPlayed: number;
  readonly minutes: number;
  readonly points: number;
  readonly rebounds: number;
  readonly assists: number;
}

export interface StatsUpstreamOptions {
  readonly fault?: StatsFault;
  /** Delay of the `slow` fault. */
  readonly slowMs?: number;
  readonly logger?: Logger;
}

/** Same id, same stats: a number in [min, max) with one decimal, from the id's hash. */
function statFromHash(hash: Buffer, offset: number, min: number, max: number): number {
  const unit = hash.readUInt16BE(offset) / 0x10000;
  return Math.round((min + unit * (max - min)) * 10) / 10;
}

export function statsFor(playerId: string): PlayerStats {
  const hash = createHash('sha256').update(playerId).digest();
  return {
    playerId,
    season: '2024-25',
    gamesPlayed: 40 + (hash.readUInt8(0) % 43),
    minutes: statFromHash(hash, 2, 24, 38),
    points: statFromHash(hash, 4, 8, 34),
    rebounds: statFromHash(hash, 6, 2, 13),
    assists: statFromHash(hash, 8, 1, 11),
  };
}

export function createStatsApp(options: StatsUpstreamOptions = {}): Koa {
  const app = new Koa();
  const router = new Router();
  const logger = options.logger ?? createLogger('stats-upstream', { LOG_LEVEL: 'silent' });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/api/espn/players/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    switch (options.fault) {
      case 'error':
        ctx.status = 503;
        ctx.body = { error: { code: 'upstream_unavailable', message: 'stats are unavailable (STATS_FAULT=error)' } };
        return;
      case 'timeout':
        // Never answers; the caller's timeout has to fire. Ends when the client goes away.
        await new Promise<void>((resolve) => ctx.req.once('close', resolve));
        return;
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 500));
        break;
      default:
        break;
    }
    if (!/^\d{1,10}$/.test(id)) {
      ctx.status = 404;
      ctx.body = { error: { code: 'not_found', message: `no player with id "${id}"` } };
      return;
    }
    logger.info({ playerId: id }, 'stats served');
    ctx.body = statsFor(id);
  });
  app.use(router.routes()).use(router.allowedMethods());
  app.on('error', (error: unknown) => logStreamError(logger, error));
  return app;
}

export function faultFromEnv(env: NodeJS.ProcessEnv): StatsFault | undefined {
  const raw = env.STATS_FAULT;
  if (!raw) return undefined;
  if ((STATS_FAULTS as readonly string[]).includes(raw)) return raw as StatsFault;
  process.stderr.write(`STATS_FAULT=${JSON.stringify(raw)} is not one of ${STATS_FAULTS.join(', ')}; using none\n`);
  return undefined;
}

export async function runStatsUpstream(env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  const logger = createLogger('stats-upstream', env);
  const fault = faultFromEnv(env);
  const app = createStatsApp({ fault, slowMs: intFromEnv(env, 'STATS_SLOW_MS', 500), logger });
  const server = await listen(app, intFromEnv(env, 'STATS_PORT', DEFAULT_STATS_PORT), env.HOST || '127.0.0.1', logger);
  logger.info({ address: server.address(), fault }, 'stats upstream listening');
  stopOnSignals(server, logger);
  return server;
}

if (require.main === module) {
  runStatsUpstream().catch((error: unknown) => {
    process.stderr.write(`stats upstream failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
