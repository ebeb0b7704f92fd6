/**
 * OTEL_PROPAGATORS: which headers carry the trace context in and out. The
 * names are the specification's; each maps to an official propagator package
 * (`@opentelemetry/core` for W3C, `@opentelemetry/propagator-b3`,
 * `@opentelemetry/propagator-jaeger`), required only when named.
 *
 * Parsing is pure (resolvePropagators, for resolve.ts and `spanwright doctor`);
 * sdk/propagator.ts builds the composite the provider registers.
 */
import { envValue } from './env-values';
import type { EnvWarnings } from './env-warnings';
import { readNameList } from './name-list';

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

const VARIABLE = 'OTEL_PROPAGATORS';

export function resolvePropagators(env: NodeJS.ProcessEnv, warnings: EnvWarnings): PropagatorsConfig {
  const text = envValue(env, VARIABLE);
  const fallback: PropagatorsConfig = { names: DEFAULT_PROPAGATORS, from: 'default' };
  if (text === undefined) return fallback;
  const { none, names } = readNameList(text, { variable: VARIABLE, kind: 'propagator', known: PROPAGATOR_NAMES, unsupported: UNSUPPORTED }, warnings);
  if (none) return { names: [], from: VARIABLE };
  if (names.length === 0) {
    warnings.invalid(VARIABLE, text, 'names no usable propagator', DEFAULT_PROPAGATORS.join(','));
    return fallback;
  }
  return { names, from: VARIABLE };
}
