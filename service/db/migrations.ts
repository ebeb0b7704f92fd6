import type { Knex } from 'knex';

/**
 * The schema, kept in code rather than in a migrations folder so that the
 * compiled service (dist/) and tsx runs find the same list. Same for SQLite
 * and PostgreSQL.
 */
interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: readonly Migration[] = [
  {
    name: '001_create_players',
    async up(knex) {
      await knex.schema.createTable('players', (table) => {
        table.string('id', 16).primary();
        table.string('name', 100).notNullable();
        table.string('team', 3).notNullable();
        table.string('position', 8).notNullable();
        table.string('injury_status', 16).notNullable().defaultTo('healthy');
      });
    },
    async down(knex) {
      await knex.schema.dropTable('players');
    },
  },
  {
    name: '002_create_predictions',
    async up(knex) {
      await knex.schema.createTable('predictions', (table) => {
        table.string('id', 36).primary();
        table.string('player_id', 16).notNullable().references('id').inTable('players');
        table.string('prediction_type', 16).notNullable();
        table.double('value').notNullable();
        table.double('confidence').notNullable();
        table.string('model_version', 32).notNullable();
        table.string('trace_id', 32);
        table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        table.index(['player_id']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('predictions');
    },
  },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};
