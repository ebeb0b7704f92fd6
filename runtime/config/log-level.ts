/** OTEL_LOG_LEVEL ordering and the stderr sink; no SDK dependency. */
import type { LogLevel } from './resolve';

export type WriteLine = (line: string) => void;

export const writeStderr: WriteLine = (line) => {
  process.stderr.write(`${line}\n`);
};

const ORDER: Record<LogLevel, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 };

/** Whether `level` lets `wanted` through. */
export function atLeast(level: LogLevel, wanted: LogLevel): boolean {
  return ORDER[level] >= ORDER[wanted];
}
