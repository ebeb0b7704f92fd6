/** Span trees for assertions: parent links resolved across processes, children in a stable order. */
import type { SpanRecord } from './span-log';

export interface SpanNode {
  readonly span: SpanRecord;
  readonly children: SpanNode[];
}

/** The roots of the spans (spans whose parent is not among them) with their subtrees. */
export function buildTree(spans: readonly SpanRecord[], order: (a: SpanRecord, b: SpanRecord) => number): SpanNode[] {
  const nodes = new Map(spans.map((span) => [span.context.span_id, { span, children: [] as SpanNode[] }]));
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.span.parent === null ? undefined : nodes.get(node.span.parent);
    (parent?.children ?? roots).push(node);
  }
  const sort = (list: SpanNode[]): void => {
    list.sort((a, b) => order(a.span, b.span));
    list.forEach((node) => sort(node.children));
  };
  sort(roots);
  return roots;
}

/**
 * One line a span, indented by depth: `name [kind] service`, then its events
 * as `* event name`. Comparing this text compares names, kinds, services,
 * parent links and event names of the whole tree at once.
 */
export function renderTree(roots: readonly SpanNode[], label: (span: SpanRecord) => string): string[] {
  const lines: string[] = [];
  const walk = (node: SpanNode, depth: number): void => {
    const pad = '  '.repeat(depth);
    lines.push(`${pad}${label(node.span)}`);
    node.span.events.forEach((event) => lines.push(`${pad}  * ${event.name}`));
    node.children.forEach((child) => walk(child, depth + 1));
  };
  roots.forEach((root) => walk(root, 0));
  return lines;
}

/** Every node of the tree, depth first. */
export function allNodes(roots: readonly SpanNode[]): SpanNode[] {
  return roots.flatMap((root) => [root, ...allNodes(root.children)]);
}

export function findNode(roots: readonly SpanNode[], name: string): SpanNode {
  const found = allNodes(roots).filter((node) => node.span.name === name);
  if (found.length !== 1) throw new Error(`expected one span named "${name}", found ${found.length}`);
  return found[0]!;
}
