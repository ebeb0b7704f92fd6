import type { ReceivedSpan, ReceivedTrace, SpanNode } from './model';

/** Groups spans by trace (in order of first arrival) and links children to parents. */
export function buildTraces(spans: readonly ReceivedSpan[]): ReceivedTrace[] {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const list = byTrace.get(span.traceId);
    if (list) list.push(span);
    else byTrace.set(span.traceId, [span]);
  }
  return [...byTrace].map(([traceId, list]) => ({ traceId, spans: list, roots: buildTree(list) }));
}

/** Roots (no parent, or a parent not received) with their descendants, each level in start order. */
export function buildTree(spans: readonly ReceivedSpan[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [] });
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId === undefined ? undefined : nodes.get(node.span.parentSpanId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode): number =>
    a.span.startTimeUnixNano < b.span.startTimeUnixNano ? -1 : a.span.startTimeUnixNano > b.span.startTimeUnixNano ? 1 : 0;
  const sortAll = (list: SpanNode[]): void => {
    list.sort(byStart);
    for (const node of list) sortAll(node.children);
  };
  sortAll(roots);
  return roots;
}
