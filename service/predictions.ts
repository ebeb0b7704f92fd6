/**
 * The predictions flow, apart from HTTP: look the players up, get their stats
 * (cache or upstream), run the model, store the results. Throws `ApiError`s
 * the HTTP layer answers as they are; writes nothing unless every step before
 * the insert succeeded.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Knex } from 'knex';
import { ApiError } from './errors';
import { loadPlayerStats, type StatsSource } from './player-stats';
import { calculatePredictions, type PredictionResult } from './prediction';
import { findPlayers, insertPredictions } from './repository';
import { UpstreamError } from './stats-client';
import type { PredictionRequest } from './validation';

export interface PredictionsDependencies {
  readonly db: Knex;
  readonly stats: StatsSource;
  readonly modelVersion: string;
}

export interface PredictionsResponse {
  readonly predictions: ReadonlyArray<PredictionResult & { readonly id: string }>;
  /** The trace this request ran in, or null when it was not traced. */
  readonly traceId: string | null;
}

function currentTraceId(): string | null {
  const context = trace.getActiveSpan()?.spanContext();
  return context !== undefined && isSpanContextValid(context) ? context.traceId : null;
}

export async function createPredictions(deps: PredictionsDependencies, request: PredictionRequest): Promise<PredictionsResponse> {
  const players = await findPlayers(deps.db, request.playerIds);
  request.playerIds.forEach((id, index) => {
    if (!players.has(id)) throw new ApiError(404, 'player_not_found', `no player with id "${id}"`, `playerIds[${index}]`);
  });

  const stats = await loadPlayerStats(deps.stats, request.playerIds).catch((error: unknown) => {
    throw error instanceof UpstreamError ? new ApiError(502, 'upstream_error', error.message) : error;
  });

  const results = calculatePredictions(
    request.playerIds.map((id, index) => ({ player: players.get(id)!, stats: stats[index]! })),
    request.predictionType,
    deps.modelVersion,
  );
  const traceId = currentTraceId();
  const predictions = await insertPredictions(deps.db, results, deps.modelVersion, traceId);
  return { predictions, traceId };
}
