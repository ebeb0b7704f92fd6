import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import type Koa from 'koa';
import type { Logger } from './logger';

/** Starts `app` on host:port (0: a free port) and resolves once it is listening. */
export function listen(app: Koa, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Flushes spans still buffered in the installed SDK, if any, so a stop loses none. */
export async function flushSpans(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
  await delegate.forceFlush?.().catch(() => undefined);
}

/**
 * On SIGTERM / SIGINT: stop accepting connections, close idle ones, run
 * `cleanup` (close the database) and let the process end on its own, so the
 * tracing runtime flushes and shuts down when the event loop drains. Should
 * a handle linger, spans are flushed and the process exits 0 after a grace period.
 */
export function stopOnSignals(server: Server, logger: Logger, cleanup: () => Promise<void> = async () => {}): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Clean up (close the database) only once the requests in flight have been answered:
    // closing it under them turned each into a 500.
    server.close(() => {
      void (async () => {
        try {
          await cleanup();
        } catch (error) {
          logger.error({ err: error }, 'cleanup failed');
        }
        setTimeout(() => void flushSpans().finally(() => process.exit(0)), 3000).unref();
      })();
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
