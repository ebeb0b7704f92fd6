import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { PlayerRow } from './db';
import type { PredictionResult } from './prediction';

export interface StoredPrediction extends PredictionResult {
  readonly id: string;
  readonly modelVersion: string;
  readonly createdAt: string;
}

interface PredictionRow {
  id: string;
  player_id: string;
  prediction_type: string;
  value: number;
  confidence: number;
  model_version: string;
  trace_id: string | null;
  created_at?: string | Date;
}

export async function findPlayers(db: Knex, ids: readonly string[]): Promise<Map<string, PlayerRow>> {
  const rows: PlayerRow[] = await db('players').select('id', 'name', 'team', 'position', 'injury_status').whereIn('id', [...ids]);
  return new Map(rows.map((row) => [row.id, row]));
}

/** Writes all predictions of one request in one transaction: all or none. */
export async function insertPredictions(
  db: Knex,
  results: readonly PredictionResult[],
  modelVersion: string,
  traceId: string | null,
): Promise<Array<PredictionResult & { id: string }>> {
  const rows: PredictionRow[] = results.map((result) => ({
    id: randomUUID(),
    player_id: result.playerId,
    prediction_type: result.predictionType,
    value: result.value,
    confidence: result.confidence,
    model_version: modelVersion,
    trace_id: traceId,
  }));
  await db.transaction(async (trx) => {
    await trx('predictions').insert(rows);
  });
  return results.map((result, index) => ({ id: rows[index]!.id, ...result }));
}

export async function findPrediction(db: Knex, id: string): Promise<StoredPrediction | undefined> {
  const row: PredictionRow | undefined = await db('predictions').where({ id }).first();
  if (row === undefined) return undefined;
  const created = row.created_at instanceof Date ? row.created_at.toISOString() : String(row.created_at ?? '');
  return {
    id: row.id,
    playerId: row.player_id,
    predictionType: row.prediction_type as StoredPrediction['predictionType'],
    value: Number(row.value),
    confidence: Number(row.confidence),
    modelVersion: row.model_version,
    createdAt: created,
  };
}
