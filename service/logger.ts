import pino, { type Logger } from 'pino';

/**
 * The service's pino logger. `LOG_LEVEL` (default info; `silent` turns it off).
 * Records written inside a span carry trace_id / span_id through the pino
 * instrumentation the bootstrap loads.
 */
export function createLogger(name: string, env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ name, level: env.LOG_LEVEL || 'info' });
}

export type { Logger };
