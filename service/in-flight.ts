/**
 * Requests whose handler is still running or whose response has not closed. A
 * connection cut at shutdown does not stop its handler: it goes on querying the
 * database and ending spans. The stop waits for these (bounded) before closing
 * the database and shutting tracing down, so their rows are whole and their
 * spans are exported, not counted as ended after shutdown.
 */
import type Koa from 'koa';

export class InFlight {
  private count = 0;
  private readonly waiters = new Set<() => void>();

  /**
   * Counts a request from the first middleware until both the whole chain has settled and its
   * response has closed (where the server span ends). The server's own `close` comes earlier:
   * Node emits it when the last socket starts closing, before that socket's responses emit theirs.
   */
  readonly middleware: Koa.Middleware = async (ctx, next) => {
    this.count += 1;
    let pending = 2;
    const release = (): void => {
      pending -= 1;
      if (pending > 0) return;
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters) wake();
    };
    if (ctx.res.destroyed) release();
    else ctx.res.once('close', release);
    try {
      await next();
    } finally {
      release();
    }
  };

  get size(): number {
    return this.count;
  }

  /** Resolves once no handler runs, or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}
