/**
 * Where the runtime's own lines go (stderr), and the OpenTelemetry diag
 * logger set from OTEL_LOG_LEVEL. Export errors are not printed one by one:
 * they are counted (export/accounting.ts) and reported once a period; at
 * OTEL_LOG_LEVEL=debug each one is printed as well.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import type { LogLevel } from '../config/resolve';
import { atLeast, writeStderr, type WriteLine } from '../config/log-level';

const DIAG_LEVELS: Record<LogLevel, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function stderrDiagLogger(write: WriteLine): DiagLogger {
  const line =
    (tag: string) =>
    (message: string, ...args: unknown[]): void =>
      write(`otel ${tag}: ${[message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(' ')}`);
  return {
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    verbose: line('verbose'),
  };
}

/** Installs the diag logger (unless `none`) and the global error handler. */
export function installDiagnostics(level: LogLevel, write: WriteLine = writeStderr): void {
  if (level !== 'none') {
    diag.setLogger(stderrDiagLogger(write), { logLevel: DIAG_LEVELS[level], suppressOverrideMessage: true });
  }
  setGlobalErrorHandler((error) => {
    // Export failures reach here once a batch; they are counted and reported a period at a time.
    if (atLeast(level, 'debug')) diag.debug('OpenTelemetry error:', error instanceof Error ? error.message : String(error));
  });
}
