/**
 * Problems found in a manifest, and how they are printed:
 * `<file>:<line>:<col>: error: <message>` followed by a short code frame.
 */

/** One problem, at a 1-based line and column of the manifest. */
export interface Diagnostic {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** Thrown by `generate()` when the manifest is invalid; carries every problem found. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: readonly Diagnostic[],
    readonly text: string,
  ) {
    super(diagnostics.map((d) => formatDiagnosticLine(file, d)).join('\n'));
    this.name = 'ManifestError';
  }
}

/** Orders diagnostics by position and drops exact duplicates. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col)) {
    const id = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out;
}

export function formatDiagnosticLine(file: string, d: Diagnostic): string {
  return `${file}:${d.line}:${d.col}: error: ${d.message}`;
}

/** The offending line with the one before it, and a caret under the column. */
export function codeFrame(text: string, d: Diagnostic): string {
  const lines = text.split(/\r?\n/);
  const width = String(d.line).length;
  const out: string[] = [];
  const gutter = (n: number | null): string => (n === null ? ' '.repeat(width) : String(n).padStart(width));
  if (d.line >= 2 && lines[d.line - 2]?.trim() !== '') {
    out.push(`  ${gutter(d.line - 1)} | ${lines[d.line - 2]}`);
  }
  out.push(`> ${gutter(d.line)} | ${lines[d.line - 1] ?? ''}`);
  out.push(`  ${gutter(null)} | ${' '.repeat(Math.max(0, d.col - 1))}^`);
  return out.join('\n');
}

/** Every diagnostic as its error line plus code frame, ready for stderr. */
export function formatDiagnostics(file: string, text: string, diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${formatDiagnosticLine(file, d)}\n${codeFrame(text, d)}\n`).join('');
}
