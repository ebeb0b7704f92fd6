/** The span shape the conformance check reads: an SDK `ReadableSpan`, or a console JSON line made into one. */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import type { SpanKindName } from '../manifest/model';

/**
 * The minimum a span must offer to be checked: every SDK `ReadableSpan` has it,
 * and {@link spanFromConsoleJson} makes one from a console JSON line.
 */
export interface CheckableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  readonly events: readonly { readonly name: string; readonly attributes?: Attributes }[];
  /** Only read with `checkParents`. */
  readonly spanContext?: () => { readonly spanId: string };
  readonly parentSpanContext?: { readonly spanId: string };
}

/** One span as the console exporter prints it with `OTEL_EXPORTER_CONSOLE_FORMAT=json` (docs/configuration.md). */
export interface ConsoleJsonSpan {
  readonly name: string;
  /** `INTERNAL`, `SERVER`, `CLIENT`, `PRODUCER` or `CONSUMER`. */
  readonly kind: string;
  readonly context: { readonly span_id: string };
  readonly parent: string | null;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly events: readonly { readonly name: string; readonly attributes?: Readonly<Record<string, unknown>> }[];
}

/**
 * A span printed by another process (console JSON, one object a line) as a
 * span the checker takes, so end-to-end suites can check child processes:
 * `checkConformance(records.map(spanFromConsoleJson), manifest)`.
 */
export function spanFromConsoleJson(record: ConsoleJsonSpan): CheckableSpan {
  const kind = KIND_BY_NAME[record.kind.toLowerCase() as SpanKindName];
  const spanId = record.context.span_id;
  return {
    name: record.name,
    // An unknown kind stays visible: it is reported as a wrong kind, not taken for INTERNAL.
    kind: kind ?? (-1 as SpanKind),
    attributes: record.attributes as Attributes,
    events: record.events.map((event) => ({ name: event.name, attributes: (event.attributes ?? {}) as Attributes })),
    spanContext: () => ({ spanId }),
    ...(record.parent === null ? {} : { parentSpanContext: { spanId: record.parent } }),
  };
}

/** The manifest's kind names as the API's SpanKind. */
export const KIND_BY_NAME: Readonly<Record<SpanKindName, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};
