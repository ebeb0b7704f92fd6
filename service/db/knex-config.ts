import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { migrationSource } from './migrations';

/** The SQLite file used when no `DATABASE_URL` is given. */
export const DEFAULT_SQLITE_FILE = path.join('data', 'predictions.db');

export interface DatabaseOptions {
  /** `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:<file>` or unset for SQLite. */
  readonly url?: string;
  /** PostgreSQL schema to use (created if missing); ignored on SQLite. */
  readonly schema?: string;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** `sqlite:<file>` or `sqlite::memory:` → the file; unset → data/predictions.db. */
function sqliteFile(url: string | undefined): string {
  if (url === undefined) return DEFAULT_SQLITE_FILE;
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  throw new Error(`DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got a value starting "${url.split(':')[0]}:")`);
}

/** One Knex config for both databases: same migrations, same code. */
export function knexConfig(options: DatabaseOptions = {}): Knex.Config {
  const migrations: Knex.MigratorConfig = { migrationSource };
  if (isPostgresUrl(options.url)) {
    return {
      client: 'pg',
      connection: options.url,
      pool: { min: 0, max: 10 },
      ...(options.schema ? { searchPath: [options.schema] } : {}),
      migrations: options.schema ? { ...migrations, schemaName: options.schema } : migrations,
    };
  }
  const filename = sqliteFile(options.url);
  if (filename !== ':memory:') mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    migrations,
  };
}
