import knexFactory, { type Knex } from 'knex';
import { isPostgresUrl, knexConfig, type DatabaseOptions } from './knex-config';
import { SEED_PLAYERS } from './seed-players';

export { knexConfig, isPostgresUrl, DEFAULT_SQLITE_FILE, type DatabaseOptions } from './knex-config';
export { SEED_PLAYERS, INJURY_STATUSES, type InjuryStatus, type PlayerRow } from './seed-players';

/** Inserts the seed players that are not there yet; never overwrites a row. */
export async function seed(db: Knex): Promise<number> {
  const before = await countRows(db, 'players');
  await db('players').insert([...SEED_PLAYERS]).onConflict('id').ignore();
  return (await countRows(db, 'players')) - before;
}

export async function countRows(db: Knex | Knex.Transaction, table: 'players' | 'predictions'): Promise<number> {
  const [row] = await db(table).count({ n: '*' });
  return Number(row?.n ?? 0);
}

/**
 * Brings the database up to date: creates the schema (PostgreSQL), runs the
 * migrations not yet applied and the seed. Safe to run on every start and from
 * two processes at once (Knex's migration lock).
 */
export async function migrateAndSeed(db: Knex, options: DatabaseOptions = {}): Promise<void> {
  if (isPostgresUrl(options.url) && options.schema) {
    await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [options.schema]);
  }
  await migrateLatest(db);
  await seed(db);
}

/** `migrate.latest()`, waiting while another process holds Knex's migration lock. */
async function migrateLatest(db: Knex, attempts = 50): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.migrate.latest();
      return;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'MigrationLocked') || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Opens the database named by the options, migrated and seeded. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Knex> {
  const db = knexFactory(knexConfig(options));
  try {
    await migrateAndSeed(db, options);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
