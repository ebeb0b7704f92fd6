/**
 * What the bootstrap says it configured (at OTEL_LOG_LEVEL=info) and what
 * `spanwright doctor` prints: one line per concern, secrets masked.
 */
import type { ResolvedConfig } from '../config/resolve';
import { redactUrl } from '../config/redact';
import { declaredInstrumentations, unmetNeeds } from '../instrumentation/registry';
import { describeLimits } from '../config/span-limits';
import type { SamplerConfig } from '../config/sampler';

function formatRatio(ratio: number): string {
  return String(ratio);
}

/** The sampler as the SDK would name its parts: `ParentBased(TraceIdRatioBased(0.1))`, `AlwaysOff`. */
function samplerText(s: SamplerConfig): string {
  const base = s.name.replace(/^parentbased_/, '');
  const root = base === 'always_on' ? 'AlwaysOn' : base === 'always_off' ? 'AlwaysOff' : `TraceIdRatioBased(${formatRatio(s.ratio)})`;
  return s.parentBased ? `ParentBased(${root})` : root;
}

function samplerSources(s: SamplerConfig): string {
  const name = s.from === 'default' ? 'sampler: default' : `sampler: ${s.from}=${s.name}`;
  return s.name.endsWith('traceidratio') ? `${name}, ratio: ${s.ratioFrom}` : name;
}

export function describeConfig(config: ResolvedConfig): string[] {
  if (!config.enabled) {
    return [`spanwright: tracing disabled by ${config.disabledBy}; no SDK installed, helpers run without spans`];
  }
  const version = config.serviceVersion !== undefined ? ` ${config.serviceVersion}` : '';
  const settings =
    config.settingsFrom === undefined
      ? 'built-in defaults'
      : config.settingsFrom === config.environment
        ? `tracing.yaml environments.${config.settingsFrom}`
        : `tracing.yaml environments.${config.settingsFrom} (fallback)`;
  const lines = [
    `spanwright: tracing enabled for ${config.serviceName}${version}, environment ${config.environment} (settings: ${settings})`,
  ];
  const rules = config.rules.map((r) => `${r.route}=${formatRatio(r.sampling)}`).join(', ');
  lines.push(
    `spanwright: sampling ${samplerText(config.sampler)} (${samplerSources(config.sampler)})${rules === '' ? '' : `, root server span rules: ${rules}`}`,
  );
  const p = config.propagators;
  lines.push(`spanwright: propagators: ${p.names.length > 0 ? p.names.join(', ') : 'none'} (${p.from})`);
  lines.push(`spanwright: console export: ${config.console.enabled ? config.console.format : 'off'} (${config.exporters.consoleFrom})`);
  if (config.otlp !== undefined) {
    const o = config.otlp;
    const headers = o.headers.size > 0 ? `, headers: ${o.headers.masked()}` : '';
    lines.push(
      `spanwright: OTLP export: ${o.protocol} to ${redactUrl(o.url)} (from ${o.urlFrom})${headers}, timeout ${o.timeoutMillis} ms`,
    );
    const b = config.batch;
    lines.push(
      `spanwright: batch: every ${b.scheduledDelayMillis} ms, up to ${b.maxExportBatchSize} spans a batch, queue ${b.maxQueueSize}, export timeout ${b.exportTimeoutMillis} ms`,
    );
  } else if (config.exporters.otlpFrom === 'OTEL_TRACES_EXPORTER') {
    lines.push('spanwright: OTLP export: off (OTEL_TRACES_EXPORTER leaves out otlp)');
  } else if (config.otlpUnusable !== undefined) {
    const names = config.otlpUnusable;
    lines.push(`spanwright: OTLP export: off (${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} set but not usable; see the warning)`);
  } else {
    lines.push('spanwright: OTLP export: off (OTEL_EXPORTER_OTLP_ENDPOINT unset)');
  }
  const limits = describeLimits(config.spanLimits);
  if (limits !== '') lines.push(`spanwright: span limits: ${limits}`);
  const instrumentations = declaredInstrumentations(config);
  lines.push(`spanwright: instrumentations: ${instrumentations.length > 0 ? instrumentations.join(', ') : 'none'}`);
  const extra = Object.keys(config.resourceAttributes).sort();
  if (extra.length > 0) {
    lines.push(
      `spanwright: resource attributes: ${extra.map((k) => `${k}=${config.resourceAttributes[k]}`).join(', ')}`,
    );
  }
  return lines;
}

/**
 * Settings that cannot work as given (printed at the default level, OTEL_LOG_LEVEL=warn):
 * an endpoint path given twice, a protocol on the other protocol's port, koa without http.
 */
export function configProblems(config: ResolvedConfig): string[] {
  if (!config.enabled) return [];
  const problems: string[] = [];
  const otlp = config.otlp;
  if (otlp !== undefined) {
    const url = new URL(otlp.url);
    if (otlp.urlFrom === 'OTEL_EXPORTER_OTLP_ENDPOINT' && url.pathname.endsWith('/v1/traces/v1/traces')) {
      problems.push(
        'spanwright: OTEL_EXPORTER_OTLP_ENDPOINT already ends with /v1/traces and the path is added again; give the base URL, or the full one as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      );
    }
    if (otlp.protocol === 'grpc' && url.port === '4318') {
      problems.push('spanwright: OTLP over grpc to port 4318, the usual OTLP/HTTP port; gRPC is usually 4317');
    }
    if (otlp.protocol !== 'grpc' && url.port === '4317') {
      problems.push(`spanwright: OTLP over ${otlp.protocol} to port 4317, the usual gRPC port; OTLP/HTTP is usually 4318`);
    }
  }
  problems.push(...unmetNeeds(config.instrumentation));
  return problems;
}

/** Hints for "no traces appearing" that may be intended (printed at OTEL_LOG_LEVEL=info). */
export function configHints(config: ResolvedConfig): string[] {
  if (!config.enabled) return [];
  const hints: string[] = [];
  if (!config.console.enabled && config.otlp === undefined && config.exporters.otlpFrom === 'OTEL_TRACES_EXPORTER') {
    hints.push('spanwright: OTEL_TRACES_EXPORTER=none: spans are recorded but sent nowhere');
  } else if (!config.console.enabled && config.otlp === undefined) {
    hints.push(
      'spanwright: no exporter: spans are recorded but sent nowhere; set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_CONSOLE=true',
    );
  }
  if (config.ratio === 0 && config.sampler.parentBased) {
    hints.push('spanwright: sampling ratio is 0: only traces whose incoming traceparent is sampled are kept');
  } else if (config.ratio === 0) {
    hints.push(`spanwright: sampler ${config.sampler.name} keeps no span, not even under a sampled incoming traceparent`);
  }
  return hints;
}
