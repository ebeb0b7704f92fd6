/**
 * The specification's comma-list variables (OTEL_PROPAGATORS, OTEL_TRACES_EXPORTER): one reading
 * of the list, with one wording for `none`, an unknown entry and one spanwright does not ship.
 */
import type { EnvWarnings } from './env-warnings';

/** Comma list, trimmed, lower case, empty entries dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

export interface NameListRules<N extends string> {
  readonly variable: string;
  /** What one entry is, for the messages: `propagator`, `exporter`. */
  readonly kind: string;
  readonly known: readonly N[];
  /** Named by the specification, but not shipped with spanwright. */
  readonly unsupported: ReadonlySet<string>;
}

/**
 * The names the list gives, in order, without repeats; `[]` for `none` alone. Each entry that
 * cannot be used is one warning. The caller decides what an empty result other than `none` means.
 */
export function readNameList<N extends string>(text: string, rules: NameListRules<N>, warnings: EnvWarnings): { readonly none: boolean; readonly names: N[] } {
  const entries = splitList(text);
  if (entries.length === 1 && entries[0] === 'none') return { none: true, names: [] };
  const names: N[] = [];
  for (const entry of entries) {
    if ((rules.known as readonly string[]).includes(entry)) {
      if (!names.includes(entry as N)) names.push(entry as N);
    } else if (entry === 'none') {
      warnings.add(`${rules.variable}=${JSON.stringify(text)}: none is ignored when other ${rules.kind}s are listed`);
    } else {
      const why = rules.unsupported.has(entry) ? 'is not supported by spanwright' : `is not a known ${rules.kind}`;
      warnings.add(`${rules.variable} entry ${JSON.stringify(entry)} ${why} (known: ${rules.known.join(', ')}, none); ignoring it`);
    }
  }
  return { none: false, names };
}
