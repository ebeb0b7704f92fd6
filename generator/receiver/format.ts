import type { AttributeValue, ReceivedSpan, ReceivedTrace, SpanNode } from './model';

export interface FormatOptions {
  /** Print span attributes after each span line (default true). */
  attributes?: boolean;
}

/**
 * A trace as an indented tree:
 *
 *     trace 4bf92f35…  3 spans  12.4 ms
 *     POST /api/v1/nba/predictions  server  12.4 ms  [sports-bet-ai-api]
 *     ├── calculate_prediction  internal  3.1 ms  {app.player_count=1}
 *     │   └── event prediction_generated {app.confidence=0.9}
 *     └── GET  client  5.0 ms  [sports-bet-ai-api]  ERROR: upstream failed
 *
 * The service name is shown on roots and wherever it differs from the parent's.
 */
export function formatTrace(trace: ReceivedTrace, options: FormatOptions = {}): string {
  const lines = [`trace ${trace.traceId}  ${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}  ${formatDuration(traceDuration(trace.spans))}`];
  const walk = (node: SpanNode, prefix: string, childPrefix: string, parentService: string | undefined): void => {
    lines.push(prefix + spanLine(node.span, parentService, options));
    const items: Array<{ text?: string; node?: SpanNode }> = [
      ...node.span.events.map((event) => ({ text: `event ${event.name}${formatAttributes(event.attributes)}` })),
      ...node.children.map((child) => ({ node: child })),
    ];
    items.forEach((item, index) => {
      const last = index === items.length - 1;
      const branch = childPrefix + (last ? '└── ' : '├── ');
      const under = childPrefix + (last ? '    ' : '│   ');
      if (item.node) walk(item.node, branch, under, node.span.serviceName);
      else lines.push(branch + item.text);
    });
  };
  for (const root of trace.roots) {
    const orphan = root.span.parentSpanId !== undefined;
    if (orphan) lines.push(`(parent ${root.span.parentSpanId} not received)`);
    walk(root, '', '', undefined);
  }
  return lines.join('\n');
}

function spanLine(span: ReceivedSpan, parentService: string | undefined, options: FormatOptions): string {
  const parts = [span.name || '(unnamed)', span.kind.toLowerCase(), formatDuration(span.endTimeUnixNano - span.startTimeUnixNano)];
  if (span.serviceName !== parentService) parts.push(`[${span.serviceName || 'unknown service'}]`);
  if (span.status.code === 'ERROR') parts.push(`ERROR${span.status.message ? `: ${span.status.message}` : ''}`);
  let line = parts.join('  ');
  if (options.attributes !== false) line += formatAttributes(span.attributes);
  return line;
}

function formatAttributes(attributes: Record<string, AttributeValue>): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '';
  return `  {${entries.map(([key, value]) => `${key}=${formatValue(value)}`).join(', ')}}`;
}

function formatValue(value: AttributeValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

function traceDuration(spans: readonly ReceivedSpan[]): bigint {
  if (spans.length === 0) return 0n;
  let start = spans[0].startTimeUnixNano;
  let end = spans[0].endTimeUnixNano;
  for (const span of spans) {
    if (span.startTimeUnixNano < start) start = span.startTimeUnixNano;
    if (span.endTimeUnixNano > end) end = span.endTimeUnixNano;
  }
  return end - start;
}

/** Nanoseconds as "850 µs", "12.4 ms" or "1.20 s". */
export function formatDuration(nanos: bigint): string {
  const micros = Number(nanos) / 1e3;
  if (micros < 1000) return `${Math.round(micros)} µs`;
  if (micros < 1e6) return `${(micros / 1000).toFixed(1)} ms`;
  return `${(micros / 1e6).toFixed(2)} s`;
}
