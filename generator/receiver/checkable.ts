import { SpanKind, type AttributeValue as OtelAttributeValue, type Attributes as OtelAttributes } from '@opentelemetry/api';
import type { CheckableSpan } from '@spanwright/runtime';
import type { AttributeValue, Attributes, ReceivedSpan, SpanKindName } from './model';

const KINDS: Readonly<Record<SpanKindName, SpanKind>> = {
  // The specification: an unspecified kind is taken for internal.
  UNSPECIFIED: SpanKind.INTERNAL,
  INTERNAL: SpanKind.INTERNAL,
  SERVER: SpanKind.SERVER,
  CLIENT: SpanKind.CLIENT,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};

/** A received span as the runtime's conformance checker takes it (`checkConformance`). */
export function checkableSpan(span: ReceivedSpan): CheckableSpan {
  const spanId = span.spanId;
  return {
    name: span.name,
    kind: KINDS[span.kind],
    attributes: otelAttributes(span.attributes),
    events: span.events.map((event) => ({ name: event.name, attributes: otelAttributes(event.attributes) })),
    spanContext: () => ({ spanId }),
    ...(span.parentSpanId === undefined ? {} : { parentSpanContext: { spanId: span.parentSpanId } }),
  };
}

/**
 * OTLP values the SDK's attribute type has no room for become what a checker can still judge:
 * an int64 beyond 2^53 a number (its type stays int), bytes and key/value lists a string.
 */
function otelAttributes(attributes: Attributes): OtelAttributes {
  const out: OtelAttributes = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = otelValue(value);
  return out;
}

function otelValue(value: AttributeValue): OtelAttributeValue | undefined {
  if (typeof value === 'bigint') return Number(value);
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => otelValue(item)) as OtelAttributeValue;
  if (typeof value === 'object') return JSON.stringify(jsonValue(value));
  return value;
}

/** A value as JSON can hold it: int64 beyond 2^53 as a decimal string, bytes as base64. */
export function jsonValue(value: AttributeValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonValue(item)]));
  }
  return value;
}

export function jsonAttributes(attributes: Attributes): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, jsonValue(value)]));
}
