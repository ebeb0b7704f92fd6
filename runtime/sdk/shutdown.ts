/**
 * Flush-and-shutdown on SIGTERM / SIGINT and at natural exit.
 *
 * - No other listener for the signal: the runtime owns the exit. It flushes
 *   and shuts the provider down (bounded by `timeoutMillis`), then exits with
 *   128 + the signal number (143 for SIGTERM, 130 for SIGINT), as a process
 *   killed by the signal would report.
 * - The service has its own listener (a Koa service closing its server): the
 *   service owns the exit. The runtime flushes at once what has ended so far
 *   and shuts down when the event loop drains (`beforeExit`); the process then
 *   ends with its own exit code. A service that calls `process.exit()` itself
 *   awaits `shutdown()` first.
 * - A second signal during shutdown exits at once.
 *
 * `onShutdown(fn)` lets a service keep the runtime in charge and still clean
 * up: on the signal the runtime first runs the hooks (close the server, so the
 * requests in flight finish; close the database), bounded, then flushes and
 * exits. With tracing disabled the hooks still run; with no hook registered
 * the signal then kills the process as it would without the runtime.
 */
import { constants } from 'node:os';

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

export interface SignalHandlingOptions {
  readonly signals: readonly ShutdownSignal[];
  /** Flush + shutdown, bounded, idempotent. */
  readonly shutdown: () => Promise<void>;
  /** Flush what has ended, bounded. */
  readonly flush: () => Promise<void>;
  readonly exit: (code: number) => void;
  /** Bound on the `onShutdown` hooks, run before `shutdown`. */
  readonly hookTimeoutMillis: number;
  /** Tracing disabled: with no hook registered, leave the signal its default effect. */
  readonly defaultWhenNoHooks?: boolean;
}

type ShutdownHook = () => unknown;
const hooks = new Set<ShutdownHook>();

/**
 * Runs `fn` when SIGTERM / SIGINT arrive and the runtime owns the exit, before
 * spans are flushed: the place to close the HTTP server and the database.
 * Returns a function that removes the hook.
 */
export function onShutdown(fn: ShutdownHook): () => void {
  hooks.add(fn);
  return () => {
    hooks.delete(fn);
  };
}

/** Runs every hook at once; resolves when all settle or after `millis`. */
export async function runShutdownHooks(millis: number): Promise<void> {
  if (hooks.size === 0) return;
  const running = [...hooks].map(async (hook) => hook());
  await withTimeout(Promise.allSettled(running), millis);
}

export function exitCodeFor(signal: ShutdownSignal): number {
  return 128 + constants.signals[signal];
}

/** Resolves when `work` settles or after `millis`, whichever comes first; never rejects. */
export async function withTimeout(work: Promise<unknown>, millis: number): Promise<'done' | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), millis);
  });
  try {
    return await Promise.race([work.then(() => 'done' as const, () => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Installs the handlers; returns a function that removes them. */
export function installSignalHandlers(options: SignalHandlingOptions): () => void {
  let shuttingDown = false;
  const handlers = new Map<ShutdownSignal, () => void>();

  // The event loop drained: the process is about to end. Flush first; the export keeps the
  // loop alive until it is done, then the process ends with the code it had.
  const onBeforeExit = (): void => {
    void options.shutdown();
  };
  process.once('beforeExit', onBeforeExit);

  for (const signal of options.signals) {
    const handler = (): void => {
      const code = exitCodeFor(signal);
      if (shuttingDown) {
        options.exit(code);
        return;
      }
      const serviceListens = process.listenerCount(signal) > 1;
      if (serviceListens) {
        void options.flush();
        return;
      }
      if (options.defaultWhenNoHooks === true && hooks.size === 0) {
        // As if the runtime were not there: the default action of the signal.
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
        return;
      }
      shuttingDown = true;
      void runShutdownHooks(options.hookTimeoutMillis)
        .then(() => options.shutdown())
        .finally(() => options.exit(code));
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }

  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}
