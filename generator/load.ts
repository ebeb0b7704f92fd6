/**
 * Stage 1: YAML text → plain data, keeping the document so that any path
 * (`/spans/foo/attributes/bar`) can be traced back to a line and column.
 * Bounded: the size of the text, the nesting depth and what aliases may
 * repeat are limited (LIMITS), so that no input exhausts memory or time.
 */
import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  parseDocument,
  visit,
  type Alias,
  type Node,
  type Pair,
} from 'yaml';
import { LineIndex, quote, type Diagnostic } from './diagnostics';

/** What the generator accepts at most; each message that refuses an input names its limit. */
export const LIMITS = {
  /** Size of the manifest in bytes (a 5,000-span manifest is about 1.6 MiB). */
  bytes: 4 * 1024 * 1024,
  /** Mappings and lists nested in one another (a manifest needs about 8). */
  depth: 64,
  /** Nodes that aliases may add to the manifest, in all: anchors are allowed, alias bombs are not. */
  aliasNodes: 10_000,
} as const;

export interface LoadedManifest {
  readonly text: string;
  /** The manifest as plain data (undefined when the YAML is broken). */
  readonly data: unknown;
  readonly doc: Document;
  /** Offsets → 1-based line and column; LF, CRLF and lone CR all end a line. */
  readonly lines: LineIndex;
  /** YAML syntax problems; when any exist, `data` is not to be trusted. */
  readonly diagnostics: readonly Diagnostic[];
}

export function load(text: string): LoadedManifest {
  const lines = new LineIndex(text);
  const refuse = (diagnostics: Diagnostic[]): LoadedManifest => ({ text, data: undefined, doc: new Document(), lines, diagnostics });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.bytes) {
    return refuse([{ line: 1, col: 1, message: `the manifest ${sizeOverLimit(bytes)}` }]);
  }
  // yaml's parser slows down sharply on deep nesting; the lexer is linear, so measure with it first.
  const deep = tooDeepOffset(text);
  if (deep !== undefined) return refuse([{ ...lines.position(deep), message: depthMessage() }]);
  // yaml's own uniqueKeys check compares every key with every earlier one (quadratic on a
  // manifest with thousands of spans); duplicateKeys() does it with a set instead.
  // logLevel 'error': yaml's warnings (unknown tags) would go to process warnings, not to the user.
  // The core schema even under a %YAML 1.1 directive, and no tags beyond it: plain data only
  // (no sets, ordered maps, dates, binary or merge keys).
  const doc = withoutStackTraces(() =>
    parseDocument(text, { prettyErrors: false, uniqueKeys: false, logLevel: 'error', schema: 'core', merge: false, resolveKnownTags: false }),
  );
  const diagnostics: Diagnostic[] = doc.errors.map((error) => ({ ...lines.position(error.pos[0]), message: yamlMessage(error.message) }));
  if (diagnostics.length === 0) diagnostics.push(...structure(doc, lines));
  if (diagnostics.length === 0) diagnostics.push(...duplicateKeys(doc, lines));
  if (diagnostics.length > 0) return { text, data: undefined, doc, lines, diagnostics };
  // Aliases are resolved and bounded by structure(); yaml's own count is not needed again.
  const data: unknown = doc.toJS({ maxAliasCount: -1 });
  return { text, data, doc, lines, diagnostics };
}

/**
 * Runs `parse` with Error.stackTraceLimit at 0. yaml makes an Error for every problem and
 * we use only its message and offset; where the limit is raised (mocha sets Infinity,
 * `node --stack-trace-limit`), each one captured the whole parser stack, and 918 errors
 * under a 64-level nesting took 3 s of CPU instead of 0.1 s. Synchronous, so restored at once.
 */
function withoutStackTraces<T>(parse: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** `is 5242880 bytes, over the limit of 4 MiB (4194304 bytes)`: exact, however close to the limit. */
export function sizeOverLimit(bytes: number): string {
  return `is ${bytes} bytes, over the limit of ${LIMITS.bytes / (1024 * 1024)} MiB (${LIMITS.bytes} bytes)`;
}

function depthMessage(): string {
  return `invalid YAML: mappings and lists nested deeper than ${LIMITS.depth} levels (the limit)`;
}

/** yaml's lexer marks structure with these zero-width control tokens; they are not in the text. */
const CONTROL_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/**
 * The offset of the first flow collection (`[`, `{`) or block indicator (`- `, `? `, `: `)
 * nested deeper than the limit, as yaml's lexer reads the text; undefined when none is.
 * Block nesting by indentation is measured on the parsed document (structure()).
 */
function tooDeepOffset(text: string): number | undefined {
  if (!mayBeTooDeep(text)) return undefined;
  let offset = 0;
  let flow = 0;
  let indicators = 0;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    if (token === '[' || token === '{') flow++;
    else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
    else if (flow === 0 && (token === '-' || token === '?' || token === ':')) indicators++;
    else if (token === '\n' || token === '\r\n' || token === '\r') indicators = 0;
    if (flow + indicators > LIMITS.depth) return offset;
    offset += token.length;
  }
  return undefined;
}

/**
 * A cheap bound first: the lexer's depth never exceeds the number of `[` and `{` in the
 * text plus the most `-`, `?` and `:` on one line, which for a usual manifest is far
 * below the limit; only texts over it are lexed.
 */
function mayBeTooDeep(text: string): boolean {
  let flow = 0;
  let line = 0;
  let most = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) flow++; // [ {
    else if (c === 0x2d || c === 0x3f || c === 0x3a) line++; // - ? :
    else if (c === 0x0a || c === 0x0d) {
      if (line > most) most = line;
      line = 0;
    }
  }
  return flow + Math.max(most, line) > LIMITS.depth;
}

/**
 * Checks the document's shape before it becomes plain data: nesting depth, keys that are
 * names (not lists or mappings), and aliases (each resolves to an earlier anchor, none
 * contains itself, and together they add at most LIMITS.aliasNodes nodes).
 */
function structure(doc: Document, lines: LineIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (node: { range?: readonly number[] | null } | null | undefined, message: string): void => {
    out.push({ ...lines.position(node?.range?.[0] ?? 0), message });
  };
  // Depth first, iteratively: the later walks recurse, and recursion needs a bounded depth.
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > LIMITS.depth) {
      at(node, depthMessage());
      return out;
    }
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  // Anchors in document order, as yaml resolves them: an alias names the last anchor before it.
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  let added = 0;
  const size = (node: unknown): number => {
    if (!isNode(node)) return 0;
    if (isAlias(node)) return aliasSize(node);
    if (node.anchor !== undefined) anchors.set(node.anchor, node);
    let n = 1;
    if (isCollection(node)) {
      for (const item of node.items) n += isPair(item) ? 1 + size(item.key) + size(item.value) : size(item);
    }
    sizes.set(node, n);
    return n;
  };
  const aliasSize = (alias: Alias): number => {
    const target = anchors.get(alias.source);
    if (target === undefined) {
      at(alias, `invalid YAML: alias ${quote(`*${alias.source}`)} has no anchor ${quote(`&${alias.source}`)} before it`);
      return 0;
    }
    const n = sizes.get(target);
    if (n === undefined) {
      // Anchored earlier but not yet measured: the alias lies inside its own anchor.
      at(alias, `invalid YAML: alias ${quote(`*${alias.source}`)} lies inside the node it names, which would make it endless`);
      return 0;
    }
    added += n;
    if (added > LIMITS.aliasNodes && added - n <= LIMITS.aliasNodes) {
      at(alias, `invalid YAML: alias ${quote(`*${alias.source}`)} makes aliases repeat more than ${LIMITS.aliasNodes} nodes (the limit)`);
    }
    return n;
  };
  size(doc.contents);
  if (out.length > 0) return out;
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isCollection(key) || isAlias(key)) at(key as Node, 'invalid YAML: a key must be a name, not a list, a mapping or an alias');
      else if (key === null && isNode(pair.value)) at(pair.value, 'invalid YAML: a value without a key');
    },
  });
  return out;
}

/** Every key that repeats an earlier key of the same mapping. */
function duplicateKeys(doc: Document, lines: LineIndex): Diagnostic[] {
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
          ...lines.position(offset),
          message: `invalid YAML: duplicate key ${quote(key)} (first on line ${lines.position(earlier).line})`,
        });
      }
    },
  });
  return out;
}

/** yaml's messages end in a position suffix in some versions; keep the sentence only. */
function yamlMessage(message: string): string {
  const sentence = message.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim();
  // The composer recurses; when even the bounded nesting overflows the stack, say which limit applies.
  if (sentence.startsWith('Maximum call stack size exceeded')) return depthMessage();
  return `invalid YAML: ${sentence}`;
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
  return loaded.lines.position(best?.range?.[0] ?? 0);
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

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}
