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
import { ApiError, errorMiddleware, logStreamError } from './errors';
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

/** The ids `insertPredictions` gives: randomUUID(). */
const PREDICTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A body must say it is JSON. Reading any type as JSON let a cross-site form (text/plain,
 * which needs no CORS preflight) create predictions. No body at all falls through to the 400.
 */
const requireJsonBody: Koa.Middleware = async (ctx, next) => {
  if (ctx.is('application/json', '+json') === false) {
    const type = ctx.get('content-type');
    throw new ApiError(
      415,
      'unsupported_media_type',
      `request body must be sent as application/json, got ${type === '' ? 'no Content-Type' : JSON.stringify(type.slice(0, 80))}`,
    );
  }
  await next();
};

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

  // Any JSON type that passed requireJsonBody (application/json, application/*+json) is parsed as JSON.
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
    await requireJsonBody(ctx, () => parseJsonBody(ctx, async () => {}));
    const request = parsePredictionRequest(ctx.request.body);
    const response = await createPredictions(deps, request);
    logger.info({ count: response.predictions.length, predictionType: request.predictionType }, 'predictions created');
    ctx.body = response;
  });

  router.get('/api/v1/nba/predictions/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    // Only a UUID can name a prediction; anything else (a NUL byte PostgreSQL refuses, say) never reaches the database.
    const prediction = PREDICTION_ID.test(id) ? await findPrediction(db, id) : undefined;
    if (prediction === undefined) throw new ApiError(404, 'prediction_not_found', `no prediction with id ${JSON.stringify(id.slice(0, 40))}`, 'id');
    ctx.body = { prediction };
  });

  const app = new Koa();
  app.use(errorMiddleware(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  // Errors of the request stream itself (a client gone mid-body): one pino line, not Koa's stack on stderr.
  app.on('error', (error: unknown) => logStreamError(logger, error));
  return app;
}
