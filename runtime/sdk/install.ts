/**
 * The SDK half of `startTracing`: required only when tracing is enabled, so a
 * disabled service never loads the SDK, the exporters or the instrumentations.
 */
import { resourceFromAttributes, defaultResource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { diag } from '@opentelemetry/api';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { ManifestModel } from '../manifest/model';
import type { ResolvedConfig } from '../config/resolve';
import { setTracingEnabled } from '../helpers/state';
import { SpanwrightTracerProvider } from '../sampling/unsampled-provider';
import { createNamedSampler } from '../sampling/sampler';
import { createPropagator } from './propagator';
import { JsonConsoleExporter, writeStdout } from '../export/console-json';
import { TreeConsoleProcessor } from '../export/console-tree';
import { createOtlpExporter } from '../export/otlp';
import { BoundedQueueProcessor, CountingExporter, DropReporter, ExportCounters } from '../export/accounting';
import { createInstrumentations, createSpanProcessors, modulesLoadedEarly, watchedModules } from '../instrumentation/registry';
import { modulesInCache, PATCH_CHECK_AFTER_REQUESTS, patchedModules, patchProblems } from '../instrumentation/patch-check';
import { configHints, configProblems, describeConfig } from '../doctor/describe';
import { installDiagnostics } from './diag-logger';
import { atLeast, type WriteLine } from '../config/log-level';
import { installSignalHandlers, withTimeout } from './shutdown';
import { redactUrl } from '../config/redact';
import { isEsmEntry, preloadCommand } from '../config/main-script';
import { getActiveHandle, setActiveHandle, type StartOptions, type TracingHandle } from './handle';

/** Resource keys (semantic conventions, stable). */
const ATTR_SERVICE_NAME = 'service.name';
const ATTR_SERVICE_VERSION = 'service.version';
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

/**
 * The resource: the SDK defaults, host and process basics (synchronous, and
 * no command line: arguments can hold secrets), OTEL_RESOURCE_ATTRIBUTES,
 * then the service and environment, which win.
 */
function buildResource(config: ResolvedConfig) {
  return defaultResource().merge(
    resourceFromAttributes({
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      ...config.resourceAttributes,
      [ATTR_SERVICE_NAME]: config.serviceName,
      ...(config.serviceVersion !== undefined ? { [ATTR_SERVICE_VERSION]: config.serviceVersion } : {}),
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    }),
  );
}

/**
 * Registers the ESM loader hook so `import`ed packages are instrumented too (Node ≥ 20.6).
 * It runs a loader thread that costs about 40 ms of CPU and 13 MiB at start, so by default
 * (`auto`) only a service whose entry is an ES module gets it.
 */
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

/**
 * Packages loaded before the bootstrap whose instrumentation patches them, so it missed them:
 * koa (route naming) and knex. The database drivers knex loads are not patched themselves, so
 * loading pg or better-sqlite3 early loses nothing. The fix names this entry's preload flag
 * (`--import` for an ES module: an `import` of the bootstrap in the entry comes too late).
 */
function earlyModuleWarnings(config: ResolvedConfig): string[] {
  const watched = new Set(watchedModules(config.instrumentation));
  const missed = modulesLoadedEarly().filter((name) => watched.has(name));
  if (missed.length === 0) return [];
  const fix = preloadCommand(process.argv[1]);
  return missed.map((name) => `spanwright: ${name} was loaded before the tracing bootstrap; its spans will be missing. Load the bootstrap first: ${fix}`);
}

/** Installs the provider, exporters, instrumentations and shutdown handling. */
export function installSdk(
  manifest: ManifestModel,
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
  options: StartOptions,
  stderr: WriteLine,
): TracingHandle {
  setTracingEnabled(true);
  installDiagnostics(config.logLevel, stderr);
  if (atLeast(config.logLevel, 'warn')) for (const line of [...configProblems(config), ...earlyModuleWarnings(config)]) stderr(line);

  const counters = new ExportCounters();
  const processors: SpanProcessor[] = createSpanProcessors(config);
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
    const queryValues = [...new URL(config.otlp.url).searchParams.values()];
    const secrets = [...config.otlp.headers.entries().map(([, value]) => value), ...queryValues].filter((v) => v.length >= 4);
    const scrub = (text: string): string => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
    // A shutdown flush sends every queued batch at once: the exporter must accept that many.
    const concurrencyLimit = Math.max(30, Math.ceil(config.batch.maxQueueSize / config.batch.maxExportBatchSize) + 1);
    const firstFailure = (): void => dropReporter?.reportFirstFailure();
    const exporter = new CountingExporter(createOtlpExporter(config.otlp, concurrencyLimit), counters, config.batch.exportTimeoutMillis, scrub, firstFailure);
    const batch = new BatchSpanProcessor(exporter, { ...config.batch });
    processors.push(new BoundedQueueProcessor(batch, counters, config.batch.maxQueueSize));
    dropReporter = new DropReporter(counters, redactUrl(config.otlp.url), config.dropReportIntervalMillis, stderr);
    dropReporter.start();
  }
  if (env.SPANWRIGHT_STRICT === '1') {
    const { ConformanceSpanProcessor } = require('../conformance/processor') as typeof import('../conformance/processor');
    processors.push(new ConformanceSpanProcessor(manifest, { enabled: true, write: (text) => stderr(text.trimEnd()) }));
  }
  processors.push(...(options.spanProcessors ?? []));

  // The SDK reads OTEL_TRACES_SAMPLER and the limits from process.env again while it merges its defaults,
  // and would report their problems a second time; config/resolve.ts has resolved and reported them.
  diag.disable();
  const provider = new SpanwrightTracerProvider({
    resource: buildResource(config),
    sampler: createNamedSampler(config.sampler.name, config.ratio, config.rules),
    spanLimits: { ...config.spanLimits },
    spanProcessors: processors,
    unsampledShortcut: config.sampler.parentBased,
  });
  installDiagnostics(config.logLevel, stderr);
  provider.register({ propagator: createPropagator(config.propagators) });

  const esmHook = options.esmHook ?? config.esmHook;
  const esmHookOn = esmHook === true || (esmHook === 'auto' && isEsmEntry(process.argv[1]));
  if (esmHookOn) registerEsmHook(stderr, config.logLevel);
  const checkPatches = (): void => {
    if (!atLeast(config.logLevel, 'warn')) return;
    for (const line of patchProblems(instrumentations, { loadedEarly, reportedEarly, esmHook: esmHookOn })) stderr(line);
    if (atLeast(config.logLevel, 'info')) {
      stderr(`spanwright: patched after the first ${PATCH_CHECK_AFTER_REQUESTS} requests: ${patchedModules(instrumentations)}`);
    }
  };
  const instrumentations = createInstrumentations(config, {
    afterFirstRequests: { count: PATCH_CHECK_AFTER_REQUESTS, callback: checkPatches },
  });
  const loadedEarly = modulesInCache(instrumentations);
  // What earlyModuleWarnings already reported at start (for the declared ones among them) is not repeated.
  const reportedEarly = new Set(modulesLoadedEarly());
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
      if (getActiveHandle() === handle) setActiveHandle(undefined);
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
  setActiveHandle(handle);

  if (options.signals !== false) {
    // Whatever ends the process (a service's own process.exit, a crash), nothing goes unreported.
    if (dropReporter !== undefined) {
      const reporter = dropReporter;
      process.once('exit', () => reporter.reportAtExit(atLeast(config.logLevel, 'info')));
    }
    removeSignalHandlers = installSignalHandlers({
      signals: options.signals ?? ['SIGTERM', 'SIGINT'],
      shutdown,
      flush: forceFlush,
      exit: options.exit ?? ((code) => process.exit(code)),
      hookTimeoutMillis: config.shutdownTimeoutMillis,
    });
  }

  if (atLeast(config.logLevel, 'info')) for (const line of [...describeConfig(config), ...configHints(config)]) stderr(line);
  return handle;
}

