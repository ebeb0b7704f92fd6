/**
 * The predictions API as a Koa app. `createApp` takes its database and
 * config and returns the app, so tests can run it in-process; `main.ts`
 * runs it as a server.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import type { Knex } from 'knex';
import type { ServiceConfig } from './config';
import { ApiError, errorMiddleware } from './errors';
import { createLogger, type Logger } from './logger';
import { createPredictions, type PredictionsDependencies } from './predictions';
import { findPrediction } from './repository';
import { StatsCache } from './stats-cache';
import { bodyParseError, MAX_BODY_BYTES, parsePredictionRequest } from './validation';

export type AppConfig = Pick<ServiceConfig, 'statsApiUrl' | 'statsTimeoutMs' | 'statsCacheTtlMs' | 'modelVersion'>;

export interface AppDependencies {
  readonly db: Knex;
  readonly config: AppConfig;
  readonly logger?: Logger;
  /** Shared between apps in tests; a fresh one by default. */
  readonly cache?: StatsCache;
}

export function createApp({ db, config, logger = createLogger('predictions-api'), cache }: AppDependencies): Koa {
  const deps: PredictionsDependencies = {
    db,
    stats: { cache: cache ?? new StatsCache(config.statsCacheTtlMs), baseUrl: config.statsApiUrl, timeoutMs: config.statsTimeoutMs },
    modelVersion: config.modelVersion,
  };
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  // Every body is read as JSON whatever its content type, so a wrong one is a clear 400.
  const parseJsonBody = bodyParser({
    enableTypes: ['json'],
    detectJSON: () => true,
    jsonStrict: false,
    jsonLimit: MAX_BODY_BYTES,
    onError: (error) => {
      throw bodyParseError(error);
    },
  });

  // One routed middleware (the body parsed inside it): one router span a request, with the handler's spans under it.
  router.post('/api/v1/nba/predictions', async (ctx) => {
    await parseJsonBody(ctx, async () => {});
    const request = parsePredictionRequest(ctx.request.body);
    const response = await createPredictions(deps, request);
    logger.info({ count: response.predictions.length, predictionType: request.predictionType }, 'predictions created');
    ctx.body = response;
  });

  router.get('/api/v1/nba/predictions/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    const prediction = id.length <= 36 ? await findPrediction(db, id) : undefined;
    if (prediction === undefined) throw new ApiError(404, 'prediction_not_found', `no prediction with id "${id.slice(0, 40)}"`, 'id');
    ctx.body = { prediction };
  });

  const app = new Koa();
  app.use(errorMiddleware(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
