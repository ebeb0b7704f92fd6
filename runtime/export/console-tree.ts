/**
 * Console export, `tree` format: the spans under a local root span (no
 * parent, or a parent from another process) are held until that root ends,
 * then drawn as an indented tree with durations:
 *
 *   trace 4bf92f35… sports-bet-ai-api
 *   POST /api/v1/nba/predictions  server  12.50 ms
 *   ├── select players  client  1.25 ms
 *   │   └── event cache_miss
 *   └── calculate_prediction  internal  3.00 ms
 *
 * Children are ordered by start time, then by the order they started in (the
 * SDK's start times are whole milliseconds, so siblings often tie), then by
 * span id; a span's events follow
 * its child spans. Spans that end after their root are printed at once as a
 * `(continued)` fragment; what is still held at shutdown is printed
 * then.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { writeStdout, type WriteLine } from './console-json';

/** Attributes worth a glance in a tree line. */
const SHOWN_ATTRIBUTES = ['peer.service'] as const;
/** Trees held at most; beyond it the oldest is printed as it stands. */
const MAX_PENDING_TRACES = 1000;
/** Roots remembered as printed, so late spans are labelled `(continued)`. */
const MAX_DONE_TRACES = 1000;

function formatDuration(span: ReadableSpan): string {
  const micros = hrTimeToMicroseconds(span.duration);
  return `${(micros / 1000).toFixed(2)} ms`;
}

/** Event attributes left out of a tree line: a stack trace would break the drawing. */
const HIDDEN_EVENT_ATTRIBUTES = new Set(['exception.stacktrace']);
/** Longest value shown in a tree line. */
const MAX_VALUE_LENGTH = 80;

/** One line, at most MAX_VALUE_LENGTH characters. */
function formatValue(value: AttributeValue | undefined): string {
  const text = Array.isArray(value) ? `[${value.map((v) => String(v)).join(',')}]` : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_VALUE_LENGTH ? `${flat.slice(0, MAX_VALUE_LENGTH - 1)}…` : flat;
}

function formatAttributes(attributes: Attributes | undefined): string {
  const keys = Object.keys(attributes ?? {})
    .filter((k) => !HIDDEN_EVENT_ATTRIBUTES.has(k))
    .sort();
  if (keys.length === 0 || attributes === undefined) return '';
  return ` {${keys.map((k) => `${k}=${formatValue(attributes[k])}`).join(', ')}}`;
}

function spanLine(span: ReadableSpan): string {
  let line = `${span.name}  ${SpanKind[span.kind].toLowerCase()}  ${formatDuration(span)}`;
  for (const key of SHOWN_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value !== undefined) line += `  ${key}=${formatValue(value)}`;
  }
  if (span.status.code === SpanStatusCode.ERROR) {
    line += `  ERROR${span.status.message ? ` ${formatValue(span.status.message)}` : ''}`;
  }
  return line;
}

/** Where a span stands in the order spans started, when the caller knows it. */
export type StartOrder = (spanId: string) => number | undefined;

function byStart(order: StartOrder | undefined): (a: ReadableSpan, b: ReadableSpan) => number {
  return (a, b) => {
    const d = hrTimeToMicroseconds(a.startTime) - hrTimeToMicroseconds(b.startTime);
    if (d !== 0) return d;
    const ia = a.spanContext().spanId;
    const ib = b.spanContext().spanId;
    const oa = order?.(ia);
    const ob = order?.(ib);
    if (oa !== undefined && ob !== undefined && oa !== ob) return oa - ob;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
}

/** Draws the spans of one trace; spans whose parent is not among them are roots. */
export function renderTrace(spans: readonly ReadableSpan[], continued = false, order?: StartOrder): string[] {
  if (spans.length === 0) return [];
  const sorted = byStart(order);
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string, ReadableSpan[]>();
  const roots: ReadableSpan[] = [];
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    if (parentId !== undefined && ids.has(parentId)) {
      const list = children.get(parentId) ?? [];
      list.push(span);
      children.set(parentId, list);
    } else {
      roots.push(span);
    }
  }
  const first = spans[0]!;
  const service = first.resource.attributes['service.name'];
  const lines = [
    `trace ${first.spanContext().traceId}${typeof service === 'string' ? ` ${service}` : ''}${continued ? ' (continued)' : ''}`,
  ];

  const draw = (span: ReadableSpan, prefix: string, connector: string, childPrefix: string): void => {
    lines.push(`${prefix}${connector}${spanLine(span)}`);
    const kids = (children.get(span.spanContext().spanId) ?? []).sort(sorted);
    const items: Array<{ span?: ReadableSpan; event?: string }> = [
      ...kids.map((s) => ({ span: s })),
      ...span.events.map((e) => ({ event: `event ${e.name}${formatAttributes(e.attributes)}` })),
    ];
    items.forEach((item, index) => {
      const last = index === items.length - 1;
      const nextConnector = last ? '└── ' : '├── ';
      const nextPrefix = prefix + childPrefix;
      if (item.span !== undefined) {
        draw(item.span, nextPrefix, nextConnector, last ? '    ' : '│   ');
      } else {
        lines.push(`${nextPrefix}${nextConnector}${item.event}`);
      }
    });
  };
  for (const root of roots.sort(sorted)) draw(root, '', '', '');
  return lines;
}

/**
 * A span processor, not an exporter: it must know, when a span starts, which
 * local root (a span with no parent, or a parent in another process) it
 * belongs to, so that two requests of one trace served by this process (two
 * calls to an upstream) are drawn as two trees, each when its own root ends.
 */
export class TreeConsoleProcessor implements SpanProcessor {
  /** Span id → the id of its local root, for spans started and not yet printed. */
  private readonly rootOf = new Map<string, string>();
  /** Local root id → its ended spans, waiting for the root. */
  private readonly pending = new Map<string, ReadableSpan[]>();
  /** Roots already printed, so late spans are labelled `(continued)`. */
  private readonly done = new Set<string>();
  /** Span id → when it started, counted, for spans not yet printed: breaks ties of equal start times. */
  private readonly started = new Map<string, number>();
  private starts = 0;

  constructor(private readonly write: WriteLine = writeStdout) {}

  onStart(span: Span, _parentContext: Context): void {
    const id = span.spanContext().spanId;
    const parent = span.parentSpanContext;
    const parentRoot = parent !== undefined && parent.isRemote !== true ? this.rootOf.get(parent.spanId) : undefined;
    this.rootOf.set(id, parentRoot ?? id);
    this.started.set(id, this.starts++);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) {
      this.rootOf.delete(span.spanContext().spanId);
      this.started.delete(span.spanContext().spanId);
      return;
    }
    const id = span.spanContext().spanId;
    const root = this.rootOf.get(id) ?? id;
    if (this.done.has(root)) {
      this.rootOf.delete(id);
      this.print([span], true);
      return;
    }
    const held = this.pending.get(root) ?? [];
    held.push(span);
    this.pending.set(root, held);
    if (root === id) {
      this.flushGroup(root);
    } else if (this.pending.size > MAX_PENDING_TRACES) {
      this.flushGroup(this.pending.keys().next().value as string);
    }
  }

  private flushGroup(root: string): void {
    const spans = this.pending.get(root) ?? [];
    this.pending.delete(root);
    // Members are forgotten; the root stays resolvable for its late children through `done`.
    for (const s of spans) if (s.spanContext().spanId !== root) this.rootOf.delete(s.spanContext().spanId);
    this.done.add(root);
    if (this.done.size > MAX_DONE_TRACES) {
      const oldest = this.done.values().next().value as string;
      this.done.delete(oldest);
      this.rootOf.delete(oldest);
    }
    this.print(spans, false);
  }

  private print(spans: readonly ReadableSpan[], continued: boolean): void {
    if (spans.length > 0) this.write(renderTrace(spans, continued, (id) => this.started.get(id)).join('\n'));
    for (const span of spans) this.started.delete(span.spanContext().spanId);
  }

  /** A flush while requests run must not cut traces in half: held spans wait for their root. */
  async forceFlush(): Promise<void> {}

  /** Prints every group still waiting for its root. */
  async shutdown(): Promise<void> {
    for (const root of [...this.pending.keys()]) this.flushGroup(root);
  }
}
