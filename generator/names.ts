/** YAML snake_case names → TypeScript names. */

export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** The exported TypeScript names one span produces in generated/spans.ts. */
export function spanTypeNames(span: string): { attributes: string; handle: string } {
  const pascal = pascalCase(span);
  return { attributes: `${pascal}Attributes`, handle: `${pascal}Span` };
}

/** The exported attribute interface of one event of one span. */
export function eventTypeName(span: string, event: string): string {
  return `${pascalCase(span)}${pascalCase(event)}EventAttributes`;
}

/**
 * Names an event method must not take: every member of the runtime's TypedSpan, private
 * ones included (`recording`, `attributesOf`: a subclass may not redeclare them), and
 * every member of Object.prototype (`toString`, `valueOf`: redeclaring one needs an
 * `override` under noImplicitOverride, and changes what the handle is).
 * test/generator/names.test.ts checks this list against a real TypedSpan.
 */
export const HANDLE_MEMBERS: ReadonlySet<string> = new Set([
  'raw',
  'recording',
  'attributesOf',
  'setAttributes',
  'recordException',
  'traceId',
  'spanId',
  'isRecording',
  'emitEvent',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

/**
 * Every name generated/spans.ts may import from the runtime, and whether it is a type;
 * the emitter imports a subset of these and nothing else, and validation keeps them
 * from being generated for a span or an event.
 */
export const RUNTIME_IMPORTS: Readonly<Record<string, 'type' | 'value'>> = {
  EventDefinition: 'type',
  ReadonlyAttributes: 'type',
  runSpan: 'value',
  SpanDefinition: 'type',
  SpanKind: 'value',
  TypedSpan: 'value',
};

/** The runtime's seed-style API, re-exported by generated/spans.ts so a service needs one import for both. */
export const SEED_API: readonly string[] = [
  'addSpanAttributes',
  'addSpanEvent',
  'getSpanId',
  'getTraceId',
  'recordException',
  'span',
  'traced',
  'tracedAsync',
  'tracedMethod',
];

/** Lower-case words joined by `.` (namespaces) and `_`, as OpenTelemetry attribute names are. */
export const OTEL_KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** Levenshtein distance, for "did you mean" hints; stops early once it exceeds `max`, returning max + 1. */
export function distance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    let rowMin = prev[0];
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
      if (prev[j]! < rowMin) rowMin = prev[j]!;
    }
    if (rowMin > max) return max + 1;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** How far a word may be from a candidate to be suggested for it. */
function tolerance(word: string): number {
  return Math.max(2, Math.floor(word.length / 3));
}

/** The closest candidate within a small edit distance, if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return new Suggestions(candidates).closest(word);
}

/**
 * "Did you mean" over one list of candidates, asked many times (every undeclared
 * parent of thousands of spans): answers are remembered per word, and the search
 * work of one list is bounded, so that a manifest of thousands of misspelt names
 * stays linear; past the budget, no hint is given.
 */
export class Suggestions {
  private readonly candidates: { readonly name: string; readonly lower: string }[];
  private readonly answers = new Map<string, string | undefined>();

  constructor(
    candidates: Iterable<string>,
    /** Candidate comparisons allowed over the list's lifetime. */
    private budget = 1_000_000,
  ) {
    this.candidates = [...candidates].map((name) => ({ name, lower: name.toLowerCase() }));
  }

  closest(word: string): string | undefined {
    if (this.answers.has(word)) return this.answers.get(word);
    const lower = word.toLowerCase();
    let best: string | undefined;
    let bestDistance = tolerance(word) + 1;
    for (const candidate of this.candidates) {
      if (this.budget <= 0) {
        best = undefined;
        break;
      }
      this.budget--;
      const d = distance(lower, candidate.lower, bestDistance - 1);
      if (d < bestDistance) {
        best = candidate.name;
        bestDistance = d;
      }
    }
    this.answers.set(word, best);
    return best;
  }
}

/** `snake_case` suggestion for a name that is not. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^([0-9])/, 'n$1')
    .toLowerCase();
}
