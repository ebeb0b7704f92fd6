/**
 * `npm start`: migrates and seeds the database, starts the stats upstream on
 * STATS_PORT (3001) as its own process with its own service.name unless
 * STATS_API_URL points elsewhere, then the predictions API on PORT (3000).
 * SIGTERM / SIGINT are passed on to both; it exits once they have stopped.
 */
import type { ChildProcess } from 'node:child_process';
import { configFromEnv, DEFAULT_STATS_PORT, intFromEnv } from './config';
import { openDatabase } from './db';
import { spawnEntry, STATS_SERVICE_NAME, stopChild, waitForHealthy } from './launcher';

function fail(message: string): never {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const config = configFromEnv();
  // Migrate and seed once here, so the API starts on a ready database (it checks again, idempotently).
  const db = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema }).catch((error: unknown) =>
    fail(`cannot prepare the database: ${error instanceof Error ? error.message : String(error)}`),
  );
  await db.destroy();

  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (signal: NodeJS.Signals, code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await Promise.all(children.map((child) => stopChild(child, signal)));
    process.exit(code);
  };
  process.once('SIGTERM', () => void stopAll('SIGTERM', 0));
  process.once('SIGINT', () => void stopAll('SIGINT', 0));

  const env = { ...process.env, STATS_API_URL: config.statsApiUrl };
  if (!process.env.STATS_API_URL) {
    const statsPort = intFromEnv(process.env, 'STATS_PORT', DEFAULT_STATS_PORT);
    const upstream = spawnEntry('stats-upstream', {
      ...process.env,
      STATS_PORT: String(statsPort),
      OTEL_SERVICE_NAME: process.env.STATS_SERVICE_NAME || STATS_SERVICE_NAME,
    });
    children.push(upstream);
    upstream.once('exit', (code) => void stopAll('SIGTERM', stopping ? 0 : code || 1));
    const healthy = await waitForHealthy(config.statsApiUrl, upstream).then(
      () => true,
      (error: Error) => {
        process.stderr.write(`npm start: the stats upstream did not come up: ${error.message}\n`);
        return false;
      },
    );
    if (!healthy) return stopAll('SIGTERM', 1);
  }
  const api = spawnEntry('main', env);
  children.push(api);
  // A child that ends on its own takes the other down; npm start then fails.
  api.once('exit', (code) => void stopAll('SIGTERM', stopping ? 0 : code || 1));
}

void main();
