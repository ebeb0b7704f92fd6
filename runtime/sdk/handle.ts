/** The handle `startTracing` returns, and the process-wide slot that holds it. */
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config/resolve';
import { ExportCounters, type ExportStats } from '../export/counters';
import type { WriteLine } from '../config/log-level';
import type { ShutdownSignal } from './shutdown';

/** What `startTracing` hands back to the generated bootstrap and to services. */
export interface TracingHandle {
  /** Whether an SDK was installed (false with OTEL_TRACES_ENABLED=false / OTEL_SDK_DISABLED=true). */
  readonly enabled: boolean;
  /** The resolved configuration (headers masked in every printable form). */
  readonly config: ResolvedConfig;
  /** Flushes every pending span and shuts the provider down, bounded in time; safe to call twice. */
  shutdown(): Promise<void>;
  /** Exports what has ended so far, bounded in time. */
  forceFlush(): Promise<void>;
  /** OTLP export counts: exported, dropped and why. All zero without OTLP export. */
  stats(): ExportStats;
}

/** Seams for tests and embedders; the bootstrap passes none. */
export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where warnings and diagnostics go (stderr). */
  readonly stderr?: WriteLine;
  /** Where the console exporter writes (stdout). */
  readonly stdout?: WriteLine;
  /** Signals that flush and exit; `false` installs no handler. Default SIGTERM and SIGINT. */
  readonly signals?: readonly ShutdownSignal[] | false;
  readonly exit?: (code: number) => void;
  /** Extra span processors (e.g. an in-memory exporter in tests). */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * Register the import-in-the-middle ESM hook (when `module.register` exists): `true`, `false`, or
   * `'auto'`, only when the main script is an ES module. Default: SPANWRIGHT_ESM_HOOK, else `'auto'`.
   */
  readonly esmHook?: boolean | 'auto';
}

const ACTIVE = Symbol.for('spanwright.tracing');
type GlobalWithHandle = typeof globalThis & { [ACTIVE]?: TracingHandle };

export function getActiveHandle(): TracingHandle | undefined {
  return (globalThis as GlobalWithHandle)[ACTIVE];
}

export function setActiveHandle(handle: TracingHandle | undefined): void {
  const holder = globalThis as GlobalWithHandle;
  if (handle === undefined) delete holder[ACTIVE];
  else holder[ACTIVE] = handle;
}

/** The handle of a setup that installed nothing. */
export function disabledHandle(config: ResolvedConfig): TracingHandle {
  const counters = new ExportCounters();
  return {
    enabled: false,
    config,
    shutdown: async () => {},
    forceFlush: async () => {},
    stats: () => counters.snapshot(),
  };
}
