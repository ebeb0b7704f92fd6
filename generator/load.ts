/**
 * Stage 1: YAML text → plain data, keeping the document so that any path
 * (`/spans/foo/attributes/bar`) can be traced back to a line and column.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair } from 'yaml';
import type { Diagnostic } from './diagnostics';

export interface LoadedManifest {
  readonly text: string;
  /** The manifest as plain data (undefined when the YAML is broken). */
  readonly data: unknown;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  /** YAML syntax problems; when any exist, `data` is not to be trusted. */
  readonly diagnostics: readonly Diagnostic[];
}

export function load(text: string): LoadedManifest {
  const lineCounter = new LineCounter();
  // yaml's own uniqueKeys check compares every key with every earlier one (quadratic on a
  // manifest with thousands of spans); duplicateKeys() does it with a set instead.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const diagnostics: Diagnostic[] = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { line, col, message: yamlMessage(error.message) };
  });
  if (diagnostics.length === 0) diagnostics.push(...duplicateKeys(doc, lineCounter));
  const data = diagnostics.length === 0 ? doc.toJS({ maxAliasCount: 1000 }) : undefined;
  return { text, data, doc, lineCounter, diagnostics };
}

/** Every key that repeats an earlier key of the same mapping. */
function duplicateKeys(doc: Document, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        const key = keyText(pair.key);
        const offset = (pair.key as Node | null)?.range?.[0];
        if (key === undefined || offset === undefined) continue;
        const earlier = first.get(key);
        if (earlier === undefined) {
          first.set(key, offset);
          continue;
        }
        out.push({
          ...lineCounter.linePos(offset),
          message: `invalid YAML: duplicate key "${key}" (first on line ${lineCounter.linePos(earlier).line})`,
        });
      }
    },
  });
  return out;
}

/** yaml's messages end in a position suffix in some versions; keep the sentence only. */
function yamlMessage(message: string): string {
  return `invalid YAML: ${message.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim()}`;
}

/** A position in the manifest: 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * Resolves a path of keys/indices to the YAML node. With `key: true` the last
 * segment's key (the name, `calc:`) is returned instead of its value.
 * Falls back to the deepest node that exists.
 */
export function positionOf(loaded: LoadedManifest, path: readonly (string | number)[], options: { key?: boolean } = {}): Position {
  let node: unknown = loaded.doc.contents;
  let best: Node | null = (loaded.doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairsOf(node).get(String(segment));
      if (pair === undefined) break;
      if (last && options.key === true && isNode(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
      // `name:` with no value (an empty node, or none): point at the key.
      const empty = !isNode(pair.value) || (pair.value.range !== null && pair.value.range !== undefined && pair.value.range[0] === pair.value.range[1]);
      if (!empty) best = pair.value as Node;
      else if (isNode(pair.key)) best = pair.key;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (!isNode(item)) break;
      node = item;
      best = item;
    } else {
      break;
    }
  }
  return startOf(loaded, best);
}

// Index each mapping's pairs once: path lookups stay linear on manifests with thousands of spans.
const pairIndex = new WeakMap<object, Map<string, Pair>>();

function pairsOf(map: { items: unknown[] }): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const pair of map.items as Pair[]) {
      const key = keyText(pair.key);
      if (key !== undefined && !index.has(key)) index.set(key, pair);
    }
    pairIndex.set(map, index);
  }
  return index;
}

function startOf(loaded: LoadedManifest, node: Node | null): Position {
  const offset = node?.range?.[0] ?? 0;
  return loaded.lineCounter.linePos(offset);
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'range' in (value as object);
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}
