/**
 * The runtime configuration, resolved once from the manifest and the
 * environment into one plain object the rest of the runtime reads. No SDK is
 * touched here, so every rule is testable on its own.
 *
 * Precedence: environment variable > the manifest's `environments.<name>` >
 * built-in default. An invalid value never stops the service: it yields one
 * warning line naming the variable, the value given and the value used.
 */
import type {
  EnvironmentModel,
  InstrumentationModel,
  ManifestModel,
  PeerModel,
  SamplingRuleModel,
} from '../manifest/model';
import { envValue, parseBoolean, parseKeyValueList, parseRatio } from './env-values';
import { MAX_TIMER_MILLIS, quote, readBoolean, readInteger, Warnings } from './env-warnings';
import { ENDPOINT_VARIABLES, resolveOtlp, specDefaultOtlp, type OtlpConfig } from './otlp-endpoint';
import { resolvePropagators, type PropagatorsConfig } from './propagators';
import { resolveSampler, seedRatioSource, type SamplerConfig } from './sampler';
import { resolveExporters, seedConsoleSource, type ExportersChoice } from './exporters';
import { resolveSpanLimits, type SpanLimitsConfig } from './span-limits';

export type { OtlpConfig, OtlpProtocol } from './otlp-endpoint';
export type ConsoleFormat = 'json' | 'tree';
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export const LOG_LEVELS: readonly LogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

export interface BatchConfig {
  readonly scheduledDelayMillis: number;
  readonly exportTimeoutMillis: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

export interface ResolvedConfig {
  /** False: no SDK, helpers call the function directly. */
  readonly enabled: boolean;
  /** The variable that turned tracing off, when `enabled` is false. */
  readonly disabledBy?: 'OTEL_TRACES_ENABLED' | 'OTEL_SDK_DISABLED';
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** `deployment.environment.name`: OTEL_ENVIRONMENT, or `development`. */
  readonly environment: string;
  /** The manifest environment whose settings apply, or undefined for built-in defaults. */
  readonly settingsFrom?: string;
  /** Root-span TraceIdRatioBased ratio (1 for always_on, 0 for always_off). */
  readonly ratio: number;
  /** The environment's route rules; empty for the `always_*` samplers. */
  readonly rules: readonly SamplingRuleModel[];
  /** OTEL_TRACES_SAMPLER and where the sampler and its ratio came from (config/sampler.ts). */
  readonly sampler: SamplerConfig;
  /** OTEL_PROPAGATORS (propagators.ts). */
  readonly propagators: PropagatorsConfig;
  /** Which exporters run and why (config/exporters.ts); `console.enabled` and `otlp` follow it. */
  readonly exporters: ExportersChoice;
  /** OTEL_SPAN_* / OTEL_ATTRIBUTE_* limits (config/span-limits.ts). */
  readonly spanLimits: SpanLimitsConfig;
  readonly console: { readonly enabled: boolean; readonly format: ConsoleFormat };
  /** Unset: no OTLP export. */
  readonly otlp?: OtlpConfig;
  /** The endpoint variables that were set but could not be used (each has its warning); absent when none. */
  readonly otlpUnusable?: readonly string[];
  /** Resource attributes beyond the service and environment ones (OTEL_RESOURCE_ATTRIBUTES). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly batch: BatchConfig;
  readonly logLevel: LogLevel;
  /** Bound on flush + shutdown at SIGTERM/SIGINT or `shutdown()`. */
  readonly shutdownTimeoutMillis: number;
  /** How often dropped spans are reported (one line a period, only when some were dropped). */
  readonly dropReportIntervalMillis: number;
  /** Register the import-in-the-middle loader hook so ES-module imports are instrumented. */
  readonly esmHook: boolean | 'auto';
  readonly instrumentation: InstrumentationModel;
  readonly peers: readonly PeerModel[];
}

export interface ConfigResult {
  readonly config: ResolvedConfig;
  /** One line each, already prefixed `spanwright: `; printed to stderr by the bootstrap. */
  readonly warnings: readonly string[];
}

export const DEFAULTS = {
  environment: 'development',
  ratio: 1,
  console: false,
  consoleFormat: 'json' as ConsoleFormat,
  logLevel: 'warn' as LogLevel,
  batch: {
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30_000,
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
  } satisfies BatchConfig,
  shutdownTimeoutMillis: 5000,
  dropReportIntervalMillis: 60_000,
};


interface EnvironmentChoice {
  readonly name: string;
  readonly settings?: EnvironmentModel;
}

function chooseEnvironment(manifest: ManifestModel, env: NodeJS.ProcessEnv, warnings: Warnings): EnvironmentChoice {
  const declared = manifest.environments;
  const given = envValue(env, 'OTEL_ENVIRONMENT');
  const name = given ?? DEFAULTS.environment;
  if (Object.hasOwn(declared, name)) return { name, settings: declared[name] };
  const fallback = Object.hasOwn(declared, DEFAULTS.environment) ? declared[DEFAULTS.environment] : undefined;
  if (given !== undefined) {
    const names = Object.keys(declared).sort();
    const list = names.length > 0 ? `declared: ${names.join(', ')}` : 'none declared';
    const used = fallback !== undefined ? `the ${DEFAULTS.environment} settings` : 'the built-in defaults';
    warnings.invalid('OTEL_ENVIRONMENT', given, `is not declared in ${manifest.source} (${list})`, used);
  }
  return { name, settings: fallback };
}

function where(choice: EnvironmentChoice): string {
  return choice.settings !== undefined ? ` (environment ${choice.settings.name})` : ' (default)';
}

function readRatio(env: NodeJS.ProcessEnv, choice: EnvironmentChoice, warnings: Warnings): number {
  const fallback = choice.settings?.sampling ?? DEFAULTS.ratio;
  const text = envValue(env, 'OTEL_SAMPLING_RATIO');
  if (text === undefined) return fallback;
  const value = parseRatio(text);
  if (value === undefined) {
    warnings.invalid('OTEL_SAMPLING_RATIO', text, 'is not a number between 0 and 1', `${fallback}${where(choice)}`);
    return fallback;
  }
  return value;
}

function readConsole(env: NodeJS.ProcessEnv, choice: EnvironmentChoice, warnings: Warnings): ResolvedConfig['console'] {
  const enabledDefault = choice.settings?.console ?? DEFAULTS.console;
  const enabled = readBoolean(env, 'OTEL_EXPORTER_CONSOLE', enabledDefault, where(choice), warnings);
  const formatDefault = choice.settings?.consoleFormat ?? DEFAULTS.consoleFormat;
  const text = envValue(env, 'OTEL_EXPORTER_CONSOLE_FORMAT');
  let format = formatDefault;
  if (text !== undefined) {
    const lower = text.toLowerCase();
    if (lower === 'json' || lower === 'tree') format = lower;
    else warnings.invalid('OTEL_EXPORTER_CONSOLE_FORMAT', text, 'is not json or tree', formatDefault);
  }
  return { enabled, format };
}

function readResourceAttributes(env: NodeJS.ProcessEnv, warnings: Warnings): Record<string, string> {
  const text = envValue(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (text === undefined) return {};
  const list = parseKeyValueList(text);
  for (const bad of list.invalid) {
    warnings.add(`OTEL_RESOURCE_ATTRIBUTES entry ${quote(bad.entry)} is not key=value; ignoring it`);
  }
  return Object.fromEntries(list.pairs);
}

function readBatch(env: NodeJS.ProcessEnv, warnings: Warnings): BatchConfig {
  const d = DEFAULTS.batch;
  const scheduledDelayMillis = readInteger(env, 'OTEL_BSP_SCHEDULE_DELAY', d.scheduledDelayMillis, 0, warnings, MAX_TIMER_MILLIS);
  const exportTimeoutMillis = readInteger(env, 'OTEL_BSP_EXPORT_TIMEOUT', d.exportTimeoutMillis, 1, warnings, MAX_TIMER_MILLIS);
  const maxQueueSize = readInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE', d.maxQueueSize, 1, warnings);
  let maxExportBatchSize = readInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', d.maxExportBatchSize, 1, warnings);
  if (maxExportBatchSize > maxQueueSize) {
    warnings.add(
      `OTEL_BSP_MAX_EXPORT_BATCH_SIZE=${maxExportBatchSize} is larger than the queue (OTEL_BSP_MAX_QUEUE_SIZE=${maxQueueSize}); using ${maxQueueSize}`,
    );
    maxExportBatchSize = maxQueueSize;
  }
  return { scheduledDelayMillis, exportTimeoutMillis, maxQueueSize, maxExportBatchSize };
}

function readLogLevel(env: NodeJS.ProcessEnv, warnings: Warnings): LogLevel {
  const text = envValue(env, 'OTEL_LOG_LEVEL');
  if (text === undefined) return DEFAULTS.logLevel;
  const lower = text.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(lower)) return lower as LogLevel;
  warnings.invalid('OTEL_LOG_LEVEL', text, `is not one of ${LOG_LEVELS.join(', ')}`, DEFAULTS.logLevel);
  return DEFAULTS.logLevel;
}

function readEnabled(
  env: NodeJS.ProcessEnv,
  warnings: Warnings,
): Pick<ResolvedConfig, 'enabled' | 'disabledBy'> {
  const sdkDisabled = readBoolean(env, 'OTEL_SDK_DISABLED', false, '', warnings);
  const tracesEnabled = readBoolean(env, 'OTEL_TRACES_ENABLED', true, '', warnings);
  if (sdkDisabled) return { enabled: false, disabledBy: 'OTEL_SDK_DISABLED' };
  if (!tracesEnabled) return { enabled: false, disabledBy: 'OTEL_TRACES_ENABLED' };
  return { enabled: true };
}

/** Resolves the whole runtime configuration; pure apart from reading `env`. */
export function resolveConfig(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const warnings = new Warnings();
  const enabled = readEnabled(env, warnings);
  const choice = chooseEnvironment(manifest, env, warnings);
  const ratio = readRatio(env, choice, warnings);
  const seedConsole = readConsole(env, choice, warnings);
  const seedOtlp = resolveOtlp(env, warnings);
  const propagators = resolvePropagators(env, warnings);
  const sampler = resolveSampler(env, { ratio, from: seedRatioSource(env, choice.settings?.name) }, warnings);
  const exporters = resolveExporters(
    env,
    {
      console: seedConsole.enabled,
      consoleFrom: seedConsoleSource(env, choice.settings?.name),
      otlpFrom: seedOtlp?.urlFrom,
      disabledBy: enabled.disabledBy,
    },
    warnings,
  );
  const spanLimits = resolveSpanLimits(env, warnings);
  const consoleConfig = { ...seedConsole, enabled: exporters.console };
  // OTEL_TRACES_EXPORTER=otlp without an endpoint: the specification's default (its problems were reported above).
  const otlp = !exporters.otlp
    ? undefined
    : (seedOtlp ?? specDefaultOtlp(env));
  const otlpUnusable = seedOtlp === undefined ? ENDPOINT_VARIABLES.filter((name) => envValue(env, name) !== undefined) : [];
  const resourceAttributes = readResourceAttributes(env, warnings);
  const batch = readBatch(env, warnings);
  const logLevel = readLogLevel(env, warnings);
  const shutdownTimeoutMillis = readInteger(
    env,
    'SPANWRIGHT_SHUTDOWN_TIMEOUT_MS',
    DEFAULTS.shutdownTimeoutMillis,
    1,
    warnings,
    MAX_TIMER_MILLIS,
  );
  const dropReportIntervalMillis = readInteger(
    env,
    'SPANWRIGHT_DROP_REPORT_INTERVAL_MS',
    DEFAULTS.dropReportIntervalMillis,
    1,
    warnings,
    MAX_TIMER_MILLIS,
  );

  const esmHookText = envValue(env, 'SPANWRIGHT_ESM_HOOK');
  let esmHook: boolean | 'auto' = 'auto';
  if (esmHookText !== undefined && esmHookText.trim().toLowerCase() !== 'auto') {
    esmHook = parseBoolean(esmHookText) ?? 'auto';
    if (esmHook === 'auto') warnings.invalid('SPANWRIGHT_ESM_HOOK', esmHookText, 'is not true, false or auto', 'auto');
  }

  const serviceName =
    envValue(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? manifest.service.name;
  const serviceVersion = resourceAttributes['service.version'] ?? manifest.service.version;

  const config: ResolvedConfig = {
    ...enabled,
    serviceName,
    ...(serviceVersion !== undefined ? { serviceVersion } : {}),
    environment: choice.name,
    ...(choice.settings !== undefined ? { settingsFrom: choice.settings.name } : {}),
    ratio: sampler.ratio,
    rules: sampler.useRules ? (choice.settings?.rules ?? []) : [],
    sampler,
    propagators,
    exporters,
    spanLimits,
    console: consoleConfig,
    ...(otlp !== undefined ? { otlp } : {}),
    ...(otlpUnusable.length > 0 ? { otlpUnusable } : {}),
    resourceAttributes,
    batch,
    logLevel,
    shutdownTimeoutMillis,
    dropReportIntervalMillis,
    esmHook,
    instrumentation: manifest.instrumentation,
    peers: manifest.peers,
  };
  return { config, warnings: warnings.lines };
}
