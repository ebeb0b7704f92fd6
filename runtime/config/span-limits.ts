/**
 * The specification's span limits: OTEL_ATTRIBUTE_* (general) and
 * OTEL_SPAN_* (span, event, link), resolved here from the same `env` as the
 * rest of the configuration and handed to the provider whole, so an invalid
 * value is reported the spanwright way (variable, value given, value used).
 * A span-specific limit falls back to its general one, then to the
 * specification's default.
 */
import { envValue, parseInteger } from './env-values';
import type { EnvWarnings } from './env-warnings';

export interface SpanLimitsConfig {
  readonly attributeCountLimit: number;
  /** Infinity: no limit. */
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
}

export const DEFAULT_COUNT_LIMIT = 128;

function read(env: NodeJS.ProcessEnv, name: string, fallback: number, fallbackNote: string, warnings: EnvWarnings): number {
  const text = envValue(env, name);
  if (text === undefined) return fallback;
  const value = parseInteger(text, 0);
  if (value === undefined) {
    warnings.invalid(name, text, 'is not a whole number of 0 or more', `${fallback === Infinity ? 'no limit' : fallback}${fallbackNote}`);
    return fallback;
  }
  return value;
}

export function resolveSpanLimits(env: NodeJS.ProcessEnv, warnings: EnvWarnings): SpanLimitsConfig {
  const generalCount = read(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT, '', warnings);
  const generalLength = read(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', Infinity, '', warnings);
  const viaCount = envValue(env, 'OTEL_ATTRIBUTE_COUNT_LIMIT') !== undefined ? ' (OTEL_ATTRIBUTE_COUNT_LIMIT)' : '';
  const viaLength = envValue(env, 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') !== undefined ? ' (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT)' : '';
  return {
    attributeCountLimit: read(env, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', generalCount, viaCount, warnings),
    attributeValueLengthLimit: read(env, 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', generalLength, viaLength, warnings),
    eventCountLimit: read(env, 'OTEL_SPAN_EVENT_COUNT_LIMIT', DEFAULT_COUNT_LIMIT, '', warnings),
    linkCountLimit: read(env, 'OTEL_SPAN_LINK_COUNT_LIMIT', DEFAULT_COUNT_LIMIT, '', warnings),
    attributePerEventCountLimit: read(env, 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT, '', warnings),
    attributePerLinkCountLimit: read(env, 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', DEFAULT_COUNT_LIMIT, '', warnings),
  };
}

/** Only the limits that differ from the defaults, for the doctor; empty when none do. */
export function describeLimits(l: SpanLimitsConfig): string {
  const parts: string[] = [];
  if (l.attributeCountLimit !== DEFAULT_COUNT_LIMIT) parts.push(`attributes ${l.attributeCountLimit}`);
  if (l.attributeValueLengthLimit !== Infinity) parts.push(`value length ${l.attributeValueLengthLimit}`);
  if (l.eventCountLimit !== DEFAULT_COUNT_LIMIT) parts.push(`events ${l.eventCountLimit}`);
  if (l.linkCountLimit !== DEFAULT_COUNT_LIMIT) parts.push(`links ${l.linkCountLimit}`);
  if (l.attributePerEventCountLimit !== DEFAULT_COUNT_LIMIT) parts.push(`attributes an event ${l.attributePerEventCountLimit}`);
  if (l.attributePerLinkCountLimit !== DEFAULT_COUNT_LIMIT) parts.push(`attributes a link ${l.attributePerLinkCountLimit}`);
  return parts.join(', ');
}
