/**
 * Runs the predictions API: migrates and seeds the database, then listens on
 * PORT (3000). Load the generated bootstrap first:
 *
 *   node --require dist/generated/bootstrap.js dist/service/main.js
 */
import type { Server } from 'node:http';
import { createApp } from './app';
import { configFromEnv } from './config';
import { openDatabase } from './db';
import { createLogger } from './logger';
import { listen, stopOnSignals } from './server';

export async function runApi(env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  const config = configFromEnv(env);
  const logger = createLogger('predictions-api', env);
  const db = await openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  const server = await listen(createApp({ db, config, logger }), config.port, config.host, logger);
  logger.info({ address: server.address(), statsApiUrl: config.statsApiUrl }, 'predictions API listening');
  stopOnSignals(server, logger, () => db.destroy());
  return server;
}

if (require.main === module) {
  runApi().catch((error: unknown) => {
    process.stderr.write(`predictions API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
