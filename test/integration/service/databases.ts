/**
 * The databases the service suite runs on. SQLite always (a temp file);
 * PostgreSQL when TEST_DATABASE_URL is set (unreachable: the suite fails),
 * required when CI=true, skipped only locally without the variable. Each
 * PostgreSQL run uses its own schema, dropped before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../../service/db';

export interface DatabaseTarget {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** Given to the service as DATABASE_URL / DATABASE_SCHEMA. */
  readonly env: { DATABASE_URL: string; DATABASE_SCHEMA?: string };
  /** Prepares an empty database; the service migrates and seeds it on start. */
  setUp(): Promise<void>;
  /** A connection for the test's own reads (row counts). */
  connect(): Knex;
  tearDown(): Promise<void>;
}

export function sqliteTarget(): DatabaseTarget {
  let dir = '';
  const target = {
    name: 'SQLite' as const,
    env: { DATABASE_URL: '' },
    async setUp() {
      dir = mkdtempSync(path.join(tmpdir(), 'spanwright-service-'));
      target.env.DATABASE_URL = `sqlite:${path.join(dir, 'predictions.db')}`;
    },
    connect: () => knexFactory(knexConfig({ url: target.env.DATABASE_URL })),
    async tearDown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return target;
}

export function postgresTarget(url: string): DatabaseTarget {
  const schema = `spanwright_service_${process.pid}`;
  let reached = false;
  const dropSchema = async (): Promise<void> => {
    const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    try {
      await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    } finally {
      await admin.destroy();
    }
  };
  return {
    name: 'PostgreSQL',
    env: { DATABASE_URL: url, DATABASE_SCHEMA: schema },
    async setUp() {
      try {
        await dropSchema();
      } catch (error) {
        // The URL may hold a password: name the variable, not its value, and attach no cause that could carry it.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(`TEST_DATABASE_URL is set but PostgreSQL cannot be used: ${error instanceof Error ? error.message : String(error)}`);
      }
      reached = true;
    },
    connect: () => knexFactory(knexConfig({ url, schema })),
    async tearDown() {
      if (reached) await dropSchema();
    },
  };
}

/** Why PostgreSQL cannot be skipped here, or undefined when a local skip is fine. */
export function postgresRequirement(env: NodeJS.ProcessEnv = process.env): { url?: string; missing?: string } {
  if (env.TEST_DATABASE_URL) return { url: env.TEST_DATABASE_URL };
  if (env.CI === 'true') return { missing: 'CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite is required in CI' };
  return {};
}
