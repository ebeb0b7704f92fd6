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
  return toStoredPrediction(row);
}

/** SQLite's CURRENT_TIMESTAMP is `YYYY-MM-DD HH:MM:SS` in UTC; PostgreSQL gives a Date. Both become ISO 8601. */
function isoTimestamp(value: string | Date | undefined): string {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return '';
  const sqlite = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(value);
  return sqlite ? new Date(`${sqlite[1]}T${sqlite[2]}Z`).toISOString() : value;
}

function toStoredPrediction(row: PredictionRow): StoredPrediction {
  return {
    id: row.id,
    playerId: row.player_id,
    predictionType: row.prediction_type as StoredPrediction['predictionType'],
    value: Number(row.value),
    confidence: Number(row.confidence),
    modelVersion: row.model_version,
    createdAt: isoTimestamp(row.created_at),
  };
}
