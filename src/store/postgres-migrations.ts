/**
 * The PostgreSQL migration runner of `express-gatehouse/postgres`: the numbered SQL files of
 * `migrations/` (shipped in the package), each applied once, in version order, and recorded
 * in `gatehouse_migrations`. `PostgresStore` reads and writes the tables these create.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import { fail, knownOptions, type OptionNames } from '../config-error';

/**
 * Where the SQL migrations live. `src/store` (tests) and `dist/store` (the package) are
 * both two levels below the package root, which holds `migrations/`.
 */
export const MIGRATIONS_DIR: string = path.resolve(__dirname, '..', '..', 'migrations');

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Schema to create the tables in; created when missing. Default: the first schema of
   * the connection's `search_path`. Must match the store's `schema`.
   * @example await migrate(pool, { schema: 'auth' })
   */
  schema?: string;
  /**
   * Limit per statement of the migration (and the wait for another instance's), in
   * milliseconds, in place of the pool's `statement_timeout` and `query_timeout`: the fail-fast
   * limits suit requests, not a migration filling a new column of a large table.
   * Default `300_000` (5 min).
   * @example await migrate(pool, { timeoutMs: 30 * 60 * 1000 })
   */
  timeoutMs?: number;
}

/** The options of {@link migrate}; a compile error when they and {@link MigrateOptions} disagree. */
const MIGRATE_OPTION_NAMES: OptionNames<MigrateOptions> = { schema: true, timeoutMs: true };

/** What {@link migrate} did. */
export interface MigrateResult {
  /** The migration files applied by this call, in order (e.g. `['002_credential_ids.sql']`); `[]` when up to date. */
  applied: string[];
}

/** A migration file: `NNN_name.sql`, applied in the order of NNN. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;

/** The shipped migrations in version order; refuses a directory with two files of one version. */
async function readMigrations(): Promise<Migration[]> {
  const names = (await readdir(MIGRATIONS_DIR)).filter((name) => MIGRATION_FILE.test(name));
  const migrations = await Promise.all(
    names.map(async (name) => ({ version: Number(MIGRATION_FILE.exec(name)![1]), name, sql: await readFile(path.join(MIGRATIONS_DIR, name), 'utf8') })),
  );
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i += 1) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new Error(`migrate: ${migrations[i - 1].name} and ${migrations[i].name} have the same version number.`);
    }
  }
  return migrations;
}

/** A schema name Gatehouse quotes into its statements: letters, digits and `_`, as PostgreSQL takes it unquoted. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function checkSchema(schema: unknown, where: string): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    fail('schema', "schema must be a name of letters, digits and _ (at most 63, not starting with a digit), e.g. 'auth'.", { where });
  }
  return schema;
}

/**
 * Creates or upgrades the Gatehouse tables: applies each file of `migrations/` that the
 * schema's `gatehouse_migrations` table does not list yet, in version order, and records
 * it there — all in one transaction, so a failure leaves the schema as it was. Safe to
 * call on every start-up and from several instances at once: a transaction-level advisory
 * lock lets one run at a time (concurrent `CREATE TABLE IF NOT EXISTS` can otherwise fail
 * on the catalog's unique index), and the next one finds the versions recorded. A schema
 * migrated before the version table existed had `001` applied, which is idempotent and
 * is simply run (and recorded) again.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { migrate, PostgresStore } from 'express-gatehouse/postgres';
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000 });
 * await migrate(pool);
 * const store = new PostgresStore({ pool });
 * ```
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const where = 'migrate';
  if (!pool || typeof pool.connect !== 'function') {
    fail('pool', 'pool must be a pg Pool, e.g. new Pool({ connectionString }).', { where, code: 'GATEHOUSE_MISSING_OPTION' });
  }
  if (options === null || typeof options !== 'object') fail('', 'options must be an object such as { schema: \'auth\' }.', { where });
  knownOptions(options, MIGRATE_OPTION_NAMES, '', { where });
  const schema = checkSchema(options.schema, where);
  const { timeoutMs = 300_000 } = options;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    fail('timeoutMs', 'timeoutMs must be a positive whole number of milliseconds (default 300000).', { where });
  }
  const migrations = await readMigrations();
  const applied: string[] = [];
  const client = await pool.connect();
  const run = <Row extends QueryResultRow>(text: string, values: unknown[] = []) =>
    client.query<Row>({ text, values, query_timeout: timeoutMs } as QueryConfig);
  let failure: Error | undefined;
  try {
    await run('BEGIN');
    await run(`SET LOCAL statement_timeout = ${timeoutMs}`);
    await run("SELECT pg_advisory_xact_lock(hashtextextended('gatehouse:migrate', 0))");
    if (schema !== undefined) {
      await run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await run(`SET LOCAL search_path TO "${schema}"`);
    }
    await run(
      `CREATE TABLE IF NOT EXISTS gatehouse_migrations (
         version     integer PRIMARY KEY,
         name        text NOT NULL,
         applied_at  bigint NOT NULL
       )`,
    );
    // Read under the lock: an instance that waited sees what the one before it recorded.
    const { rows } = await run<{ version: number }>('SELECT version FROM gatehouse_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await run(migration.sql);
      await run('INSERT INTO gatehouse_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()]);
      applied.push(migration.name);
    }
    await run('COMMIT');
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    // A client whose transaction failed may be in any state; the pool discards it.
    client.release(failure);
  }
  return { applied };
}
