/**
 * Parsers for single environment values. Each returns the parsed value or
 * `undefined` when the text is invalid; the caller words the warning, because
 * only it knows the value used instead.
 */

/** The OpenTelemetry rule: an empty value is the same as an unset one. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `true` / `false`, any case. */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

/** A finite number in [0, 1]. */
export function parseRatio(text: string): number | undefined {
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** A whole number ≥ `min`, written in decimal digits. */
export function parseInteger(text: string, min: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? value : undefined;
}

export interface KeyValueList {
  readonly pairs: Array<[string, string]>;
  /** 1-based positions of the entries that were not `key=value`. */
  readonly invalid: Array<{ position: number; entry: string }>;
  readonly count: number;
}

/**
 * The W3C Baggage-like list the OpenTelemetry variables use
 * (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`):
 * `key1=value1,key2=value2`, values percent-decoded.
 */
export function parseKeyValueList(text: string): KeyValueList {
  const pairs: Array<[string, string]> = [];
  const invalid: Array<{ position: number; entry: string }> = [];
  const entries = text.split(',');
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') return;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    const rawValue = eq > 0 ? entry.slice(eq + 1).trim() : '';
    let value: string | undefined;
    try {
      value = decodeURIComponent(rawValue);
    } catch {
      value = undefined;
    }
    if (key === '' || /\s/.test(key) || value === undefined) {
      invalid.push({ position: index + 1, entry });
      return;
    }
    pairs.push([key, value]);
  });
  return { pairs, invalid, count: entries.filter((e) => e.trim() !== '').length };
}

/** The URL if it is absolute http(s), else `undefined`. */
export function parseHttpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
