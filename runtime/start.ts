/**
 * `startTracing(manifest)`: what `generated/bootstrap.ts` calls before the
 * service loads. Resolves the configuration once (config.ts), prints its
 * warnings, and either installs nothing (tracing disabled) or installs the
 * NodeTracerProvider with the sampler, the exporters, the declared
 * instrumentations and the shutdown handling.
 */
import { resourceFromAttributes, defaultResource } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { ManifestModel } from './model';
import { resolveConfig, type ResolvedConfig } from './config';
import { setTracingEnabled } from './state';
import { createSampler } from './sampler';
import { JsonConsoleExporter, writeStdout, type WriteLine } from './console-json';
import { TreeConsoleProcessor } from './console-tree';
import { createOtlpExporter } from './otlp';
import { BoundedQueueProcessor, CountingExporter, DropReporter, ExportCounters, type ExportStats } from './export-stats';
import { createInstrumentations, modulesLoadedEarly } from './instrumentations';
import { DbSystemFixupProcessor } from './db-system-fixup';
import { configHints, describeConfig } from './describe';
import { atLeast, installDiagnostics, writeStderr } from './diagnostics';
import { installSignalHandlers, withTimeout, type ShutdownSignal } from './shutdown';
import { redactUrl } from './env-values';

/** The stable resource key for the environment (semconv `deployment.environment.name`). */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

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
  /** Register the import-in-the-middle ESM hook when `module.register` exists. Default: true. */
  readonly esmHook?: boolean;
}

const ACTIVE = Symbol.for('spanwright.tracing');
type GlobalWithHandle = typeof globalThis & { [ACTIVE]?: TracingHandle };

function disabledHandle(config: ResolvedConfig): TracingHandle {
  const counters = new ExportCounters();
  return {
    enabled: false,
    config,
    shutdown: async () => {},
    forceFlush: async () => {},
    stats: () => counters.snapshot(),
  };
}

function buildResource(config: ResolvedConfig) {
  return defaultResource().merge(
    resourceFromAttributes({
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName,
      ...(config.serviceVersion !== undefined ? { [ATTR_SERVICE_VERSION]: config.serviceVersion } : {}),
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    }),
  );
}

/** Registers the ESM loader hook so `import`ed packages are instrumented too (Node ≥ 20.6). */
function registerEsmHook(write: WriteLine, logLevel: ResolvedConfig['logLevel']): void {
  const nodeModule = require('node:module') as typeof import('node:module');
  if (typeof nodeModule.register !== 'function') return;
  try {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
  } catch (error) {
    if (atLeast(logLevel, 'info')) {
      write(`spanwright: ESM hook not registered (${error instanceof Error ? error.message : String(error)}); ESM imports are not instrumented`);
    }
  }
}

function earlyModuleWarnings(config: ResolvedConfig): string[] {
  const i = config.instrumentation;
  const watched = new Set<string>([
    ...(i.koa ? ['koa'] : []),
    ...(i.knex ? ['knex', 'pg', 'better-sqlite3'] : []),
  ]);
  return modulesLoadedEarly()
    .filter((name) => watched.has(name))
    .map(
      (name) =>
        `spanwright: ${name} was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first (node --require ./dist/generated/bootstrap.js …)`,
    );
}

/**
 * Sets up OpenTelemetry from the resolved manifest and the environment.
 * Called once, by `generated/bootstrap.ts`, before the service loads; a
 * second call returns the first handle.
 */
export function startTracing(manifest: ManifestModel, options: StartOptions = {}): TracingHandle {
  const holder = globalThis as GlobalWithHandle;
  const existing = holder[ACTIVE];
  if (existing !== undefined) return existing;

  const stderr = options.stderr ?? writeStderr;
  const { config, warnings } = resolveConfig(manifest, options.env ?? process.env);
  // Node runs `--require` preloads again in its ESM loader thread (and in worker threads):
  // only the main thread installs the SDK, the hook and the signal handlers.
  if (!isMainThread) return disabledHandle(config);
  if (config.logLevel !== 'none') for (const line of warnings) stderr(line);

  if (!config.enabled) {
    setTracingEnabled(false);
    if (atLeast(config.logLevel, 'info')) for (const line of describeConfig(config)) stderr(line);
    const handle = disabledHandle(config);
    holder[ACTIVE] = handle;
    return handle;
  }

  setTracingEnabled(true);
  installDiagnostics(config.logLevel, stderr);
  if (atLeast(config.logLevel, 'warn')) for (const line of earlyModuleWarnings(config)) stderr(line);

  const counters = new ExportCounters();
  const processors: SpanProcessor[] = [];
  if (config.instrumentation.knex) processors.push(new DbSystemFixupProcessor());
  const stdout = options.stdout ?? writeStdout;
  if (config.console.enabled) {
    processors.push(
      config.console.format === 'tree'
        ? new TreeConsoleProcessor(stdout)
        : new SimpleSpanProcessor(new JsonConsoleExporter(stdout)),
    );
  }
  let dropReporter: DropReporter | undefined;
  if (config.otlp !== undefined) {
    const secrets = config.otlp.headers.entries().map(([, value]) => value).filter((v) => v.length >= 4);
    const scrub = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
    const exporter = new CountingExporter(createOtlpExporter(config.otlp), counters, config.batch.exportTimeoutMillis, scrub);
    const batch = new BatchSpanProcessor(exporter, { ...config.batch });
    processors.push(new BoundedQueueProcessor(batch, counters, config.batch.maxQueueSize));
    dropReporter = new DropReporter(counters, redactUrl(config.otlp.url), config.dropReportIntervalMillis, stderr);
    dropReporter.start();
  }
  const env = options.env ?? process.env;
  if (env.SPANWRIGHT_STRICT === '1') {
    const { ConformanceSpanProcessor } = require('./conformance') as typeof import('./conformance');
    processors.push(new ConformanceSpanProcessor(manifest, { enabled: true, write: (text) => stderr(text.trimEnd()) }));
  }
  processors.push(...(options.spanProcessors ?? []));

  const provider = new NodeTracerProvider({
    resource: buildResource(config),
    sampler: createSampler(config.ratio, config.rules),
    spanProcessors: processors,
  });
  provider.register();

  if (options.esmHook ?? true) registerEsmHook(stderr, config.logLevel);
  const instrumentations = createInstrumentations(config);
  const unregisterInstrumentations = registerInstrumentations({ instrumentations, tracerProvider: provider });

  let shutdownPromise: Promise<void> | undefined;
  let removeSignalHandlers: () => void = () => {};
  const shutdown = (): Promise<void> => {
    shutdownPromise ??= (async () => {
      dropReporter?.stop();
      removeSignalHandlers();
      const outcome = await withTimeout(provider.shutdown(), config.shutdownTimeoutMillis);
      if (outcome === 'timed out') counters.closeAfterTimeout();
      unregisterInstrumentations();
      dropReporter?.report('before shutdown');
      if (holder[ACTIVE] === handle) delete holder[ACTIVE];
    })();
    return shutdownPromise;
  };
  const forceFlush = async (): Promise<void> => {
    await withTimeout(provider.forceFlush(), config.shutdownTimeoutMillis);
  };

  const handle: TracingHandle = {
    enabled: true,
    config,
    shutdown,
    forceFlush,
    stats: () => counters.snapshot(),
  };
  holder[ACTIVE] = handle;

  if (options.signals !== false) {
    removeSignalHandlers = installSignalHandlers({
      signals: options.signals ?? ['SIGTERM', 'SIGINT'],
      shutdown,
      flush: forceFlush,
      exit: options.exit ?? ((code) => process.exit(code)),
    });
  }

  if (atLeast(config.logLevel, 'info')) for (const line of [...describeConfig(config), ...configHints(config)]) stderr(line);
  return handle;
}

/** The handle of the running tracing setup, if `startTracing` was called. */
export function activeTracing(): TracingHandle | undefined {
  return (globalThis as GlobalWithHandle)[ACTIVE];
}

/** Shuts the running tracing setup down (flush included); does nothing if none. Idempotent. */
export async function shutdown(): Promise<void> {
  await activeTracing()?.shutdown();
}
