import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { shutdown as shutdownTracing } from '../runtime';
import { handleClientErrors } from './client-errors';
import type { Logger } from './logger';

/**
 * Starts `app` on host:port (0: a free port) and resolves once it is listening. With a `logger`,
 * requests Node's parser refuses are logged there and answered in JSON (client-errors.ts).
 */
export function listen(app: Koa, port: number, host: string, logger?: Logger): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    if (logger !== undefined) handleClientErrors(server, logger);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Resolves once `server` has closed: idle connections at once, busy ones after `graceMs`. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
}

/**
 * On SIGTERM / SIGINT: stop accepting connections and answer the requests in
 * flight (cut after a 1 s grace), run `cleanup` (close the database), then
 * shut the tracing runtime down — flush, bounded by
 * SPANWRIGHT_SHUTDOWN_TIMEOUT_MS, and its report of any span not exported —
 * and only then exit 0. No timer of the service's own cuts that report off.
 */
export function stopOnSignals(server: Server, logger: Logger, cleanup: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (async () => {
      // Clean up (close the database) only once the requests in flight have been answered:
      // closing it under them turned each into a 500.
      await closeServer(server, 1000);
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, 'cleanup failed');
      }
      await shutdownTracing();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
