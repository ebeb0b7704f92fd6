/**
 * The SDK half of `startTracing`: required only when tracing is enabled, so a
 * disabled service never loads the SDK, the exporters or the instrumentations.
 * In order: diagnostics and start-up warnings, the span pipeline (pipeline.ts),
 * the provider and propagator, the ESM hook, the instrumentations (instrument.ts),
 * the handle and the signal handlers.
 */
import { diag } from '@opentelemetry/api';
import { atLeast, type WriteLine } from '../config/log-level';
import { isEsmEntry } from '../config/main-script';
import type { ResolvedConfig } from '../config/resolve';
import { configHints, configProblems, describeConfig } from '../doctor/describe';
import { setTracingEnabled } from '../helpers/switches';
import type { ManifestModel } from '../manifest/model';
import { createNamedSampler } from '../sampling/sampler';
import { SpanwrightTracerProvider } from '../sampling/unsampled-provider';
import { installDiagnostics } from './diag-logger';
import { registerEsmHook } from './esm-hook';
import { getActiveHandle, setActiveHandle, type StartOptions, type TracingHandle } from './handle';
import { earlyModuleWarnings, installInstrumentations } from './instrument';
import { createSpanPipeline } from './pipeline';
import { createPropagator } from './propagator';
import { buildResource } from './resource';
import { installSignalHandlers, withTimeout } from './shutdown';

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

  const { processors, counters, dropReporter } = createSpanPipeline(manifest, config, env, options, stderr);

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
  const unregisterInstrumentations = installInstrumentations(config, provider, esmHookOn, stderr);

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

