/**
 * Problems found in a manifest, and how they are printed:
 * `<file>:<line>:<col>: error: <message>` followed by a short code frame.
 * What the manifest says is escaped on the way out, so that no manifest can
 * split an error line or print one of its own.
 */

/** One problem, at a 1-based line and column of the manifest. */
export interface Diagnostic {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

/** At most this many problems are printed; the rest are counted (`… and N more errors`). */
export const MAX_PRINTED = 50;

/** Characters of the line shown on each side of the column in a code frame. */
export const FRAME_RADIUS = 40;

/** Thrown by `generate()` when the manifest is invalid; carries every problem found. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: readonly Diagnostic[],
    readonly text: string,
  ) {
    super(diagnostics.slice(0, MAX_PRINTED).map((d) => formatDiagnosticLine(file, d)).join('\n') + moreLine(diagnostics.length));
    this.name = 'ManifestError';
  }
}

/**
 * Characters that could end or rewrite a terminal line: C0 and C1 controls, DEL,
 * U+2028/2029 and the bidirectional overrides.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Line breaks as YAML and editors read them: CRLF, LF and a lone CR. */
const LINE_BREAK = /\r\n|\n|\r/g;

/** Offsets of a text → 1-based line and column, with every position inside the text. */
export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [0];
  /** Offset just past the last character of each line (before its line break). */
  private readonly ends: number[] = [];

  constructor(readonly text: string) {
    for (const match of text.matchAll(LINE_BREAK)) {
      this.ends.push(match.index);
      this.starts.push(match.index + match[0].length);
    }
    this.ends.push(text.length);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The text of a 1-based line, without its line break ('' past the end). */
  lineText(line: number): string {
    if (line < 1 || line > this.starts.length) return '';
    return this.text.slice(this.starts[line - 1], this.ends[line - 1]);
  }

  /** The line and column of an offset; offsets outside the text (or inside a CRLF) are clamped to it. */
  position(offset: number): { line: number; col: number } {
    const at = Math.max(0, Math.min(Number.isFinite(offset) ? Math.trunc(offset) : 0, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const col = Math.min(at, this.ends[lo]!) - this.starts[lo]! + 1;
    return { line: lo + 1, col };
  }
}

/**
 * A value from the manifest as it appears in a message: double-quoted, with quotes,
 * backslashes and every control or line-separating character escaped.
 */
export function quote(value: unknown): string {
  return `"${escapeText(String(value)).replace(/"/g, '\\"')}"`;
}

/** Escapes backslashes and the UNSAFE characters (a newline becomes a backslash and n). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(UNSAFE, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
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
  return `${printable(file)}:${d.line}:${d.col}: error: ${printable(d.message)}`;
}

/**
 * Text as printed on one line: UNSAFE characters escaped, the rest (backslashes of a
 * Windows path included) as is. Messages quote their values already; this keeps any
 * stray control character, in a message or a path, from reaching the terminal raw.
 */
export function printable(message: string): string {
  return message.replace(UNSAFE, (c) => escapeText(c));
}

/**
 * A line of the manifest as shown in a frame: a window of FRAME_RADIUS characters each side
 * of `col` (cut sides marked `…`), controls shown as one character so the caret stays aligned.
 * Returns the shown text and where `col` falls in it.
 */
function frameLine(line: string, col: number): { text: string; col: number } {
  let start = 0;
  let end = line.length;
  if (line.length > 2 * FRAME_RADIUS + 1) {
    start = Math.max(0, Math.min(col - 1 - FRAME_RADIUS, line.length - 2 * FRAME_RADIUS - 1));
    end = Math.min(line.length, start + 2 * FRAME_RADIUS + 1);
  }
  const shown = line
    .slice(start, end)
    .replace(/\t/g, ' ')
    .replace(UNSAFE, '\ufffd');
  const before = start > 0 ? '…' : '';
  const after = end < line.length ? '…' : '';
  return { text: `${before}${shown}${after}`, col: col - start + before.length };
}

/** The offending line with the one before it, and a caret under the column. */
export function codeFrame(text: string, d: Diagnostic, lines: LineIndex = new LineIndex(text)): string {
  const width = String(d.line).length;
  const out: string[] = [];
  const gutter = (n: number | null): string => (n === null ? ' '.repeat(width) : String(n).padStart(width));
  const previous = d.line >= 2 ? lines.lineText(d.line - 1) : '';
  if (previous.trim() !== '') out.push(`  ${gutter(d.line - 1)} | ${frameLine(previous, d.col).text}`);
  const current = frameLine(lines.lineText(d.line), d.col);
  out.push(`> ${gutter(d.line)} | ${current.text}`);
  out.push(`  ${gutter(null)} | ${' '.repeat(Math.max(0, current.col - 1))}^`);
  return out.join('\n');
}

function moreLine(total: number): string {
  const more = total - MAX_PRINTED;
  return more > 0 ? `\n… and ${more} more error${more === 1 ? '' : 's'}` : '';
}

/**
 * Every diagnostic as its error line plus code frame, ready for stderr: the first
 * MAX_PRINTED of them, then a line counting the rest.
 */
export function formatDiagnostics(file: string, text: string, diagnostics: readonly Diagnostic[]): string {
  const lines = new LineIndex(text);
  const shown = diagnostics.slice(0, MAX_PRINTED).map((d) => `${formatDiagnosticLine(file, d)}\n${codeFrame(text, d, lines)}\n`);
  const more = moreLine(diagnostics.length);
  return shown.join('') + (more === '' ? '' : `${more.slice(1)}\n`);
}
