import { inspect } from 'node:util';

/**
 * Export headers (API keys, `Authorization`) kept out of every printable form:
 * `JSON.stringify`, `util.inspect`, `console.log` and string conversion show
 * the header names with masked values. Only `entries()` gives the values, for
 * the exporter.
 */
export class SecretHeaders {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: Iterable<readonly [string, string]> = []) {
    this.#values = new Map(values);
  }

  get size(): number {
    return this.#values.size;
  }

  /** Header names, sorted; safe to print. */
  names(): string[] {
    return [...this.#values.keys()].sort();
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** The real values; hand them to the exporter only. */
  entries(): Array<[string, string]> {
    return [...this.#values.entries()];
  }

  /** `x-honeycomb-team=***, authorization=***` */
  masked(): string {
    return this.names()
      .map((name) => `${name}=***`)
      .join(', ');
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.names().map((name) => [name, '***']));
  }

  toString(): string {
    return this.masked();
  }

  [inspect.custom](): string {
    return `SecretHeaders { ${this.masked()} }`;
  }
}
