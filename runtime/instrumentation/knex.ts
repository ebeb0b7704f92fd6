/** `instrumentation.knex`: query spans from @opentelemetry/instrumentation-knex, corrected by knex-db-system.ts. */
import type { InstrumentationDefinition } from './definition';

export interface KnexOptions {
  /** `db.query.text` is cut to this many characters. */
  readonly maxQueryLength: number;
}

const DEFAULT_MAX_QUERY_LENGTH = 1000;

export const knex: InstrumentationDefinition<KnexOptions> = {
  key: 'knex',
  name: 'knex',
  package: '@opentelemetry/instrumentation-knex',
  description: 'Knex query spans (@opentelemetry/instrumentation-knex).',
  options: {
    maxQueryLength: {
      description: `db.query.text is cut to this many characters. Default: ${DEFAULT_MAX_QUERY_LENGTH}.`,
      type: 'integer',
      minimum: 0,
    },
  },
  patches: [
    {
      modules: ['knex'],
      what: 'knex `Client.prototype.runner` / `query`',
      where: '@opentelemetry/instrumentation-knex',
      why: 'database spans',
      watchLoadOrder: true,
    },
    {
      modules: ['knex'],
      what: 'knex spans as they start',
      where: 'runtime/instrumentation/knex-db-system.ts',
      why: '`db.system.name` `sqlite` for the better-sqlite3 driver, and span names without the SQLite file path',
    },
  ],
  resolve: (given) => ({ maxQueryLength: given.maxQueryLength ?? DEFAULT_MAX_QUERY_LENGTH }),
  create(options) {
    const { KnexInstrumentation } = require('@opentelemetry/instrumentation-knex') as typeof import('@opentelemetry/instrumentation-knex');
    // The instrumentation records the SQL text with placeholders (`query.sql`), never the bindings.
    return [new KnexInstrumentation({ maxQueryLength: options.maxQueryLength, requireParentSpan: true })];
  },
  spanProcessors() {
    const { DbSystemFixupProcessor } = require('./knex-db-system') as typeof import('./knex-db-system');
    return [new DbSystemFixupProcessor()];
  },
  describe: (options) => `knex (db.query.text ≤ ${options.maxQueryLength} chars)`,
  notes: (options) => `\`db.query.text\` cut to ${options.maxQueryLength} characters`,
};
