import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { shutdown as shutdownTracing } from '@spanwright/runtime';
import { handleClientErrors } from './client-errors';
import { InFlight } from './in-flight';
import type { Logger } from './logger';

/**
 * Starts `app` on host:port (0: a free port) and resolves once it is listening. With a `logger`,
 * requests Node's parser refuses are logged there and answered in JSON (client-errors.ts).
 */
export function listen(app: Koa, port: number, host: string, logger?: Logger): Promise<Server> {
  // First in the chain, so a handler still running after its connection was cut is counted.
  const inFlight = new InFlight();
  app.middleware.unshift(inFlight.middleware);
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    handlers.set(server, inFlight);
    if (logger !== undefined) handleClientErrors(server, logger);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Handlers running, by server, for the stop to wait on. */
const handlers = new WeakMap<Server, InFlight>();

/** How long the stop waits for handlers still running once their connections are closed. */
const HANDLER_GRACE_MS = 5000;

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
 * flight (connections cut after a 1 s grace; their handlers get 5 s more to
 * finish), run `cleanup` (close the database), then
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
    // Holds the event loop open through the stop: once the server is closed it can drain between
    // two steps, and 'beforeExit' would start the tracing shutdown under handlers still running.
    const holdOpen = setInterval(() => {}, 60_000);
    void (async () => {
      // Clean up (close the database) only once the requests in flight have been answered:
      // closing it under them turned each into a 500.
      await closeServer(server, 1000);
      await handlers.get(server)?.idle(HANDLER_GRACE_MS);
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, 'cleanup failed');
      }
      await shutdownTracing();
      clearInterval(holdOpen);
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
