/**
 * OTEL_PROPAGATORS: which headers carry the trace context in and out. The
 * names are the specification's; each maps to an official propagator package
 * (`@opentelemetry/core` for W3C, `@opentelemetry/propagator-b3`,
 * `@opentelemetry/propagator-jaeger`), required only when named.
 *
 * Parsing is pure (resolvePropagators, for config.ts and `spanwright doctor`);
 * createPropagator builds the composite the provider registers.
 */
import type { TextMapPropagator } from '@opentelemetry/api';
import { envValue } from './env-values';

export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger';

export const PROPAGATOR_NAMES: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];

/** Named by the specification, but not shipped with spanwright. */
const UNSUPPORTED = new Set(['xray', 'ottrace']);

export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage'];

export interface PropagatorsConfig {
  /** In the order given; empty for `none`. */
  readonly names: readonly PropagatorName[];
  /** `OTEL_PROPAGATORS`, or `default`. */
  readonly from: string;
}

/** The warning sink config.ts passes in (its Warnings collector fits). */
export interface EnvWarnings {
  invalid(variable: string, given: string, expected: string, used: string): void;
  add(text: string): void;
}

const VARIABLE = 'OTEL_PROPAGATORS';

/** Comma list, trimmed, lower case, empty entries dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

export function resolvePropagators(env: NodeJS.ProcessEnv, warnings: EnvWarnings): PropagatorsConfig {
  const text = envValue(env, VARIABLE);
  const fallback: PropagatorsConfig = { names: DEFAULT_PROPAGATORS, from: 'default' };
  if (text === undefined) return fallback;
  const entries = splitList(text);
  if (entries.length === 1 && entries[0] === 'none') return { names: [], from: VARIABLE };
  const names: PropagatorName[] = [];
  for (const entry of entries) {
    if ((PROPAGATOR_NAMES as readonly string[]).includes(entry)) {
      if (!names.includes(entry as PropagatorName)) names.push(entry as PropagatorName);
    } else if (entry === 'none') {
      warnings.add(`${VARIABLE}=${JSON.stringify(text)}: none is ignored when other propagators are listed`);
    } else {
      const why = UNSUPPORTED.has(entry) ? 'is not supported by spanwright' : 'is not a known propagator';
      warnings.add(`${VARIABLE} entry ${JSON.stringify(entry)} ${why} (known: ${PROPAGATOR_NAMES.join(', ')}, none); ignoring it`);
    }
  }
  if (names.length === 0) {
    warnings.invalid(VARIABLE, text, 'names no usable propagator', DEFAULT_PROPAGATORS.join(','));
    return fallback;
  }
  return { names, from: VARIABLE };
}

function createOne(name: PropagatorName): TextMapPropagator {
  switch (name) {
    case 'tracecontext': {
      const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
      return new W3CTraceContextPropagator();
    }
    case 'baggage': {
      const { W3CBaggagePropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
      return new W3CBaggagePropagator();
    }
    case 'b3':
    case 'b3multi': {
      const { B3Propagator, B3InjectEncoding } = require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3');
      // Both extract either encoding; they differ in what they inject (one `b3` header, or `x-b3-*`).
      return new B3Propagator({ injectEncoding: name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER });
    }
    case 'jaeger': {
      const { JaegerPropagator } = require('@opentelemetry/propagator-jaeger') as typeof import('@opentelemetry/propagator-jaeger');
      return new JaegerPropagator();
    }
  }
}

/** The propagator to register; `null` for `none` (the API's no-op propagator stays). */
export function createPropagator(config: PropagatorsConfig): TextMapPropagator | null {
  if (config.names.length === 0) return null;
  const { CompositePropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  return new CompositePropagator({ propagators: config.names.map(createOne) });
}
