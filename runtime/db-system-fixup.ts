/**
 * @opentelemetry/instrumentation-knex 0.67 maps the knex driver name to
 * `db.system.name` for `sqlite3` and `pg` only; with the `better-sqlite3`
 * driver it records `better-sqlite3`, which is not a semantic-convention
 * value. This processor corrects it to `sqlite` when the span starts, so
 * backends group SQLite queries whatever driver runs them.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const KNEX_SCOPE = '@opentelemetry/instrumentation-knex';
const DB_SYSTEM_NAME = 'db.system.name';
const DRIVER_TO_SYSTEM: Readonly<Record<string, string>> = { 'better-sqlite3': 'sqlite' };

export class DbSystemFixupProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    if (span.instrumentationScope.name !== KNEX_SCOPE) return;
    const system = span.attributes[DB_SYSTEM_NAME];
    if (typeof system === 'string' && Object.hasOwn(DRIVER_TO_SYSTEM, system)) {
      span.setAttribute(DB_SYSTEM_NAME, DRIVER_TO_SYSTEM[system]!);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
