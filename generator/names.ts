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

/** Members of the runtime's TypedSpan that an event method must not shadow. */
export const HANDLE_MEMBERS: ReadonlySet<string> = new Set([
  'constructor',
  'raw',
  'keys',
  'setAttributes',
  'recordException',
  'traceId',
  'spanId',
  'isRecording',
  'emitEvent',
]);

/** Names generated/spans.ts imports from the runtime. */
export const RUNTIME_IMPORTS: readonly string[] = ['EventDefinition', 'SpanDefinition', 'SpanKind', 'TypedSpan', 'runSpan'];

/** The runtime's seed-style API, re-exported by generated/spans.ts (design: "re-exported by generated code"). */
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

/** Levenshtein distance, for "did you mean" hints. */
export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
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
