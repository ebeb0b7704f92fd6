/**
 * Corrects two things @opentelemetry/instrumentation-knex 0.67 records, when
 * the span starts (so samplers after us and every exporter see the fix):
 * - `db.system.name`: it maps the driver name for `sqlite3` and `pg` only; with
 *   the `better-sqlite3` driver it records `better-sqlite3`, which is not a
 *   semantic-convention value. It becomes `sqlite`, so backends group SQLite
 *   queries whatever driver runs them.
 * - the span name: it names spans `{operation} {database}.{table}`, and on
 *   SQLite the database is the file's path (`select /srv/app/data/predictions.db.players`).
 *   The stable database conventions name a span `{db.operation.name} {target}`
 *   with the table as target: `select players`. The database stays in `db.namespace`.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

const KNEX_SCOPE = '@opentelemetry/instrumentation-knex';
const DB_SYSTEM_NAME = 'db.system.name';
const DB_OPERATION_NAME = 'db.operation.name';
const DB_COLLECTION_NAME = 'db.collection.name';
const DRIVER_TO_SYSTEM: Readonly<Record<string, string>> = { 'better-sqlite3': 'sqlite' };

export class DbSystemFixupProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    if (span.instrumentationScope.name !== KNEX_SCOPE) return;
    const system = span.attributes[DB_SYSTEM_NAME];
    if (typeof system === 'string' && Object.hasOwn(DRIVER_TO_SYSTEM, system)) {
      span.setAttribute(DB_SYSTEM_NAME, DRIVER_TO_SYSTEM[system]!);
    }
    const operation = span.attributes[DB_OPERATION_NAME];
    const table = span.attributes[DB_COLLECTION_NAME];
    if (typeof operation === 'string' && typeof table === 'string') span.updateName(`${operation} ${table}`);
  }

  onEnd(_span: ReadableSpan): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
