/**
 * `express-gatehouse migrate`: creates or completes the PostgreSQL tables of
 * `express-gatehouse/postgres` in the database named by `DATABASE_URL`.
 */
import { parseCommandArgs, UsageError, type CliCommand } from './command';
import { redactUrl, withoutUrlPasswords } from './redact-url';
import { GatehouseConfigError } from '../config-error';

const USAGE = `Usage: DATABASE_URL=postgres://user@host:5432/db express-gatehouse migrate [--schema NAME]

Applies Gatehouse's PostgreSQL migrations (the SQL files in
express-gatehouse/migrations/) to the database in DATABASE_URL, in one
transaction. Safe to run again and from several machines at once. Needs the pg
package in your project (npm install pg). The URL is read from the environment
only, so its password stays out of shell history and ps.

Options:
  --schema NAME   create the tables in this schema (created when missing); must
                  match PostgresStore's schema option. Default: the first schema
                  of the connection's search_path (usually public)
  -h, --help      this text`;

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply the PostgreSQL migrations to DATABASE_URL',
  usage: USAGE,

  async run(args, io) {
    const parsed = parseCommandArgs(args, { schema: { type: 'string' } });
    if (!parsed) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const url = io.env.DATABASE_URL;
    if (!url) throw new UsageError('set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/app npx express-gatehouse migrate');
    const schema = parsed.values.schema as string | undefined;

    // Loaded here, so keygen and hash-password work without pg installed.
    let postgres: typeof import('../store/postgres');
    let pg: typeof import('pg');
    try {
      pg = await import('pg');
      postgres = await import('../store/postgres');
    } catch (error) {
      if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND' || !/'pg'/.test((error as Error).message)) throw error;
      io.stderr.write('express-gatehouse migrate: the pg package is not installed; run: npm install pg\n');
      return 1;
    }
    const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5000 });
    pool.on('error', () => {}); // an idle client's error; the query below reports what matters
    try {
      const { applied } = await postgres.migrate(pool, schema === undefined ? {} : { schema });
      const target = `${redactUrl(url)}${schema ? ` (schema ${schema})` : ''}`;
      // Only what this run applied: another instance may have applied the rest a moment ago.
      io.stdout.write(applied.length > 0 ? `Applied ${applied.join(', ')} to ${target}.\n` : `Nothing to apply: ${target} is up to date.\n`);
      return 0;
    } catch (error) {
      if (error instanceof GatehouseConfigError && error.option === 'schema') throw new UsageError(error.message.replace(/^migrate: /, '--schema: '));
      io.stderr.write(`express-gatehouse migrate: ${redactUrl(url)}: ${withoutUrlPasswords(String((error as Error)?.message ?? error), url)}\n`);
      return 1;
    } finally {
      await pool.end().catch(() => {});
    }
  },
};
