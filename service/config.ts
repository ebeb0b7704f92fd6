/**
 * Everything the predictions API reads from the environment, resolved once
 * into one object and passed down (tests build it directly).
 */
export interface ServiceConfig {
  /** Port of the predictions API; 0 picks a free one. */
  readonly port: number;
  readonly host: string;
  /** `DATABASE_URL`; unset: the SQLite file `data/predictions.db`. */
  readonly databaseUrl?: string;
  /** PostgreSQL schema the tables live in (`DATABASE_SCHEMA`), for isolated test runs. */
  readonly databaseSchema?: string;
  /** Base URL of the stats upstream, e.g. `http://127.0.0.1:3001`. */
  readonly statsApiUrl: string;
  /** Abort an upstream call after this many milliseconds. */
  readonly statsTimeoutMs: number;
  /** How long fetched stats stay in the cache. */
  readonly statsCacheTtlMs: number;
  /** Recorded on every prediction and on the calculate_prediction span. */
  readonly modelVersion: string;
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_STATS_PORT = 3001;
export const MODEL_VERSION = '2024.1';

/** Reads an integer variable; a bad value falls back to the default with one line on stderr. */
export function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 0) return value;
  process.stderr.write(`${name}=${JSON.stringify(raw)} is not a non-negative integer; using ${fallback}\n`);
  return fallback;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const statsPort = intFromEnv(env, 'STATS_PORT', DEFAULT_STATS_PORT);
  return {
    port: intFromEnv(env, 'PORT', DEFAULT_PORT),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    statsApiUrl: (env.STATS_API_URL || `http://127.0.0.1:${statsPort}`).replace(/\/+$/, ''),
    statsTimeoutMs: intFromEnv(env, 'STATS_TIMEOUT_MS', 2000),
    statsCacheTtlMs: intFromEnv(env, 'STATS_CACHE_TTL_MS', 60_000),
    modelVersion: env.MODEL_VERSION || MODEL_VERSION,
  };
}
