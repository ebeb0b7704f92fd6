/**
 * Console export, `json` format: one JSON object a span, one line each, in
 * the seed's ConsoleSpanExporter shape, which tools reading stdout rely on
 * (`spanFromConsoleJson` reads it back).
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface SpanJson {
  readonly name: string;
  readonly context: { readonly trace_id: string; readonly span_id: string };
  /** The parent span id, or null for a root. */
  readonly parent: string | null;
  readonly kind: string;
  readonly start_time: string;
  readonly end_time: string;
  readonly status: { readonly code: 'UNSET' | 'OK' | 'ERROR'; readonly message?: string };
  readonly attributes: Attributes;
  readonly events: ReadonlyArray<{ readonly name: string; readonly timestamp: string; readonly attributes: Attributes }>;
  /** `service.name` of the span's resource. */
  readonly service?: string;
}

/** A line sink; `process.stdout` by default, a buffer in tests. */
export type WriteLine = (line: string) => void;

export const writeStdout: WriteLine = (line) => {
  process.stdout.write(`${line}\n`);
};

const STATUS_NAMES = { [SpanStatusCode.UNSET]: 'UNSET', [SpanStatusCode.OK]: 'OK', [SpanStatusCode.ERROR]: 'ERROR' } as const;

export function isoTime(time: ReadableSpan['startTime']): string {
  return new Date(hrTimeToMilliseconds(time)).toISOString();
}

export function spanToJson(span: ReadableSpan): SpanJson {
  const context = span.spanContext();
  const service = span.resource.attributes['service.name'];
  return {
    name: span.name,
    context: { trace_id: context.traceId, span_id: context.spanId },
    parent: span.parentSpanContext?.spanId ?? null,
    kind: SpanKind[span.kind],
    start_time: isoTime(span.startTime),
    end_time: isoTime(span.endTime),
    status: {
      code: STATUS_NAMES[span.status.code],
      ...(span.status.message !== undefined && span.status.message !== '' ? { message: span.status.message } : {}),
    },
    attributes: { ...span.attributes },
    events: span.events.map((event) => ({
      name: event.name,
      timestamp: isoTime(event.time),
      attributes: { ...(event.attributes ?? {}) },
    })),
    ...(typeof service === 'string' ? { service } : {}),
  };
}

export class JsonConsoleExporter implements SpanExporter {
  constructor(private readonly write: WriteLine = writeStdout) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) this.write(JSON.stringify(spanToJson(span)));
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}
