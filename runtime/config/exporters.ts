/**
 * OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`, comma lists), and how it
 * meets the seed's switches (docs/configuration.md, "Precedence"):
 *
 * - Unset, the seed decides: console from OTEL_EXPORTER_CONSOLE or the
 *   environment's `console`; OTLP when an endpoint (or HONEYCOMB_API_KEY) is set.
 * - Set, it decides which exporters run. `otlp` with no endpoint sends to the
 *   specification's default, http://localhost:4318. An OTEL_EXPORTER_CONSOLE,
 *   or an endpoint, that says otherwise gives one warning naming both.
 * - OTEL_TRACES_ENABLED=false / OTEL_SDK_DISABLED=true still turn everything off.
 *
 * Pure: config/resolve.ts calls it with what it already read.
 */
import { envValue, parseBoolean } from './env-values';
import type { EnvWarnings } from './env-warnings';
import { readNameList } from './name-list';

export type ExporterName = 'otlp' | 'console';

const EXPORTER_NAMES: readonly ExporterName[] = ['otlp', 'console'];
const UNSUPPORTED = new Set(['zipkin', 'jaeger', 'logging', 'prometheus']);
const VARIABLE = 'OTEL_TRACES_EXPORTER';

/** The specification's default OTLP endpoint (http/protobuf). */
export const SPEC_DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

export interface ExportersChoice {
  readonly console: boolean;
  /** `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_CONSOLE`, `tracing.yaml environments.<name>` or `default`. */
  readonly consoleFrom: string;
  readonly otlp: boolean;
  /** `OTEL_TRACES_EXPORTER` or the variable that set the endpoint; `default` when off by default. */
  readonly otlpFrom: string;
}

export interface SeedExporters {
  readonly console: boolean;
  readonly consoleFrom: string;
  /** The variable the OTLP endpoint came from, if any. */
  readonly otlpFrom: string | undefined;
  /** True when tracing is off (the kill switches win over any exporter). */
  readonly disabledBy: string | undefined;
}

/** Where the seed's console switch came from. */
export function seedConsoleSource(env: NodeJS.ProcessEnv, settingsName: string | undefined): string {
  const text = envValue(env, 'OTEL_EXPORTER_CONSOLE');
  if (text !== undefined && parseBoolean(text) !== undefined) return 'OTEL_EXPORTER_CONSOLE';
  return settingsName !== undefined ? `tracing.yaml environments.${settingsName}` : 'default';
}

function readList(env: NodeJS.ProcessEnv, warnings: EnvWarnings): ExporterName[] | undefined {
  const text = envValue(env, VARIABLE);
  if (text === undefined) return undefined;
  const { none, names } = readNameList(text, { variable: VARIABLE, kind: 'exporter', known: EXPORTER_NAMES, unsupported: UNSUPPORTED }, warnings);
  if (none) return [];
  if (names.length === 0) {
    warnings.invalid(VARIABLE, text, 'names no usable exporter', 'the exporters OTEL_EXPORTER_CONSOLE and OTEL_EXPORTER_OTLP_ENDPOINT give');
    return undefined;
  }
  return names;
}

export function resolveExporters(env: NodeJS.ProcessEnv, seed: SeedExporters, warnings: EnvWarnings): ExportersChoice {
  const list = readList(env, warnings);
  const seedChoice: ExportersChoice = {
    console: seed.console,
    consoleFrom: seed.consoleFrom,
    otlp: seed.otlpFrom !== undefined,
    otlpFrom: seed.otlpFrom ?? 'default',
  };
  if (list === undefined) return seedChoice;
  const given = `${VARIABLE}=${list.length === 0 ? 'none' : list.join(',')}`;
  if (seed.disabledBy !== undefined) {
    const off = seed.disabledBy === 'OTEL_SDK_DISABLED' ? 'OTEL_SDK_DISABLED=true' : `${seed.disabledBy}=false`;
    if (list.length > 0) warnings.add(`${off} and ${given} disagree; using ${off} (no SDK, no export)`);
    return seedChoice;
  }
  const console = list.includes('console');
  const otlp = list.includes('otlp');
  if (seed.consoleFrom === 'OTEL_EXPORTER_CONSOLE' && seed.console !== console) {
    warnings.add(`OTEL_EXPORTER_CONSOLE=${seed.console} and ${given} disagree; using ${given} (console ${console ? 'on' : 'off'})`);
  }
  if (!otlp && seed.otlpFrom !== undefined) {
    warnings.add(`${seed.otlpFrom} is set but ${given} leaves out otlp; using ${given} (no OTLP export)`);
  }
  return { console, consoleFrom: VARIABLE, otlp, otlpFrom: otlp ? (seed.otlpFrom ?? `${VARIABLE} (default endpoint)`) : VARIABLE };
}
