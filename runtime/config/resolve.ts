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
import {
  envValue,
  parseBoolean,
  parseHttpUrl,
  parseInteger,
  parseKeyValueList,
  parseRatio,
} from './env-values';
import { headerProblem } from './header-rules';
import { redactUrl } from './redact';
import { SecretHeaders } from './secret-headers';
import { resolvePropagators, type PropagatorsConfig } from './propagators';
import { resolveSampler, seedRatioSource, type SamplerConfig } from './sampler';
import { resolveExporters, seedConsoleSource, SPEC_DEFAULT_OTLP_ENDPOINT, type ExportersChoice } from './exporters';
import { resolveSpanLimits, type SpanLimitsConfig } from './span-limits';

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type ConsoleFormat = 'json' | 'tree';
export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export const LOG_LEVELS: readonly LogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

export interface OtlpConfig {
  readonly protocol: OtlpProtocol;
  /** The URL spans are sent to (for http protocols, including `/v1/traces`). */
  readonly url: string;
  /** Which variable the URL came from, for diagnostics. */
  readonly urlFrom: string;
  /** Masked in every printable form. */
  readonly headers: SecretHeaders;
  readonly timeoutMillis: number;
}

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
  /** OTEL_TRACES_SAMPLER and where the sampler and its ratio came from (sampler-env.ts). */
  readonly sampler: SamplerConfig;
  /** OTEL_PROPAGATORS (propagators.ts). */
  readonly propagators: PropagatorsConfig;
  /** Which exporters run and why (exporter-env.ts); `console.enabled` and `otlp` follow it. */
  readonly exporters: ExportersChoice;
  /** OTEL_SPAN_* / OTEL_ATTRIBUTE_* limits (limits-env.ts). */
  readonly spanLimits: SpanLimitsConfig;
  readonly console: { readonly enabled: boolean; readonly format: ConsoleFormat };
  /** Unset: no OTLP export. */
  readonly otlp?: OtlpConfig;
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
  otlpTimeoutMillis: 10_000,
  honeycombEndpoint: 'https://api.honeycomb.io',
  batch: {
    scheduledDelayMillis: 5000,
    exportTimeoutMillis: 30_000,
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
  } satisfies BatchConfig,
  shutdownTimeoutMillis: 5000,
  dropReportIntervalMillis: 60_000,
};

/** Node keeps a timer's delay in a signed 32-bit integer and turns anything larger into 1 ms. */
export const MAX_TIMER_MILLIS = 2_147_483_647;

const quote = (value: string): string => JSON.stringify(value);

/** Collects warnings in the one shape the design fixes. */
class Warnings {
  readonly lines: string[] = [];

  invalid(variable: string, given: string, expected: string, used: string): void {
    this.lines.push(`spanwright: ${variable}=${quote(given)} ${expected}; using ${used}`);
  }

  add(text: string): void {
    this.lines.push(`spanwright: ${text}`);
  }
}

function readBoolean(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: boolean,
  usedNote: string,
  warnings: Warnings,
): boolean {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = parseBoolean(text);
  if (value === undefined) {
    warnings.invalid(name, text, 'is not true or false', `${fallback}${usedNote}`);
    return fallback;
  }
  return value;
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  warnings: Warnings,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = parseInteger(text, min);
  if (value === undefined || value > max) {
    const expected = max < Number.MAX_SAFE_INTEGER ? `is not a whole number from ${min} to ${max}` : `is not a whole number of ${min} or more`;
    warnings.invalid(name, text, expected, String(fallback));
    return fallback;
  }
  return value;
}

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

/** `key=value` pairs from a header variable; malformed entries are reported without their text. */
function readHeaderList(env: NodeJS.ProcessEnv, name: string, grpc: boolean, warnings: Warnings): Array<[string, string]> {
  const text = envValue(env, name);
  if (text === undefined) return [];
  const list = parseKeyValueList(text);
  for (const bad of list.invalid) {
    warnings.add(`${name} entry ${bad.position} of ${list.count} is not key=value (value hidden); ignoring it`);
  }
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of list.pairs) {
    const header = key.toLowerCase();
    const problem = headerProblem(header, value, grpc);
    if (problem === undefined) pairs.push([header, value]);
    else warnings.add(`${name} header ${quote(header)} ${problem}; not sending it`);
  }
  return pairs;
}

/** `/v1/traces` appended to the base URL's path; its query (a token, say) stays a query. */
function joinSignalPath(base: URL): string {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`}v1/traces`;
  return url.href;
}

function readOtlp(env: NodeJS.ProcessEnv, warnings: Warnings): OtlpConfig | undefined {
  const honeycombKey = envValue(env, 'HONEYCOMB_API_KEY');
  let urlFrom: string | undefined;
  let url: URL | undefined;
  let isBase = false;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const parsed = parseHttpUrl(text);
    if (parsed === undefined || parsed.port === '0') {
      const next = name === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : undefined;
      const nextSet = next !== undefined && envValue(env, next) !== undefined;
      warnings.invalid(
        name,
        redactUrl(text),
        parsed === undefined ? 'is not an http:// or https:// URL' : 'has port 0, which nothing can be reached on',
        nextSet ? next : honeycombKey !== undefined ? DEFAULTS.honeycombEndpoint : 'no OTLP export',
      );
      continue;
    }
    urlFrom = name;
    url = parsed;
    isBase = name === 'OTEL_EXPORTER_OTLP_ENDPOINT';
    break;
  }
  if (url === undefined && honeycombKey !== undefined) {
    url = new URL(DEFAULTS.honeycombEndpoint);
    urlFrom = 'HONEYCOMB_API_KEY';
    isBase = true;
  }
  if (url === undefined || urlFrom === undefined) return undefined;

  const inferred: OtlpProtocol = url.port === '4317' ? 'grpc' : 'http/protobuf';
  let protocol: OtlpProtocol = inferred;
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const text = envValue(env, name);
    if (text === undefined) continue;
    const lower = text.toLowerCase();
    if ((PROTOCOLS as readonly string[]).includes(lower)) {
      protocol = lower as OtlpProtocol;
    } else {
      const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
      warnings.invalid(name, text, `is not ${PROTOCOLS.slice(0, -1).join(', ')} or ${PROTOCOLS.at(-1)}`, `${inferred} (port ${port})`);
    }
    break;
  }

  const grpc = protocol === 'grpc';
  const headers = new Map<string, string>([
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_HEADERS', grpc, warnings),
    ...readHeaderList(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', grpc, warnings),
  ]);
  if (honeycombKey !== undefined) {
    const problem = headerProblem('x-honeycomb-team', honeycombKey, grpc);
    if (problem === undefined) headers.set('x-honeycomb-team', honeycombKey);
    else warnings.add(`HONEYCOMB_API_KEY ${problem.replace(/^has a value with/, 'has')}; not sending x-honeycomb-team`);
  }
  // Credentials in the URL become a Basic header, so the URL itself holds no secret.
  if (url.username !== '' || url.password !== '') {
    if (!headers.has('authorization')) {
      const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.set('authorization', `Basic ${Buffer.from(basic).toString('base64')}`);
    }
    url.username = '';
    url.password = '';
  }

  const timeoutName = envValue(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined
    ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const timeoutMillis = readInteger(env, timeoutName, DEFAULTS.otlpTimeoutMillis, 1, warnings, MAX_TIMER_MILLIS);

  const finalUrl = isBase && protocol !== 'grpc' ? joinSignalPath(url) : url.href;
  return { protocol, url: finalUrl, urlFrom, headers: new SecretHeaders(headers), timeoutMillis };
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

/** OTLP to the specification's default endpoint, for OTEL_TRACES_EXPORTER=otlp with none given. */
function specDefaultOtlp(env: NodeJS.ProcessEnv): OtlpConfig | undefined {
  // The other OTLP variables' problems were reported by the first readOtlp.
  const otlp = readOtlp({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: SPEC_DEFAULT_OTLP_ENDPOINT }, new Warnings());
  return otlp === undefined ? undefined : { ...otlp, urlFrom: 'OTEL_TRACES_EXPORTER (default endpoint)' };
}

/** Resolves the whole runtime configuration; pure apart from reading `env`. */
export function resolveConfig(manifest: ManifestModel, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const warnings = new Warnings();
  const enabled = readEnabled(env, warnings);
  const choice = chooseEnvironment(manifest, env, warnings);
  const ratio = readRatio(env, choice, warnings);
  const seedConsole = readConsole(env, choice, warnings);
  const seedOtlp = readOtlp(env, warnings);
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
