/**
 * A PgBouncer of the test's own, in transaction mode, in front of the PostgreSQL the other
 * store tests use (DATABASE_URL), on a free loopback port, with its configuration, log,
 * pid file and socket in a temporary directory. Fails (never skips) when PgBouncer is not
 * installed or PostgreSQL is down.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { POSTGRES_FAIL_FAST_OPTIONS } from '../../src/store/postgres';
import { engineDir, removeDir, requireProgram, startEngine, useEngine } from './engine-process';
import { closedPort, connectPostgres, DATABASE_URL } from './services';

export interface PgBouncer {
  /** A connection string to the PostgreSQL database of DATABASE_URL through this PgBouncer. */
  url: string;
  /** A pg pool through this PgBouncer with the fail-fast options, as the README sets one up (ended by `stop`). */
  pool(max?: number): Pool;
  stop(): Promise<void>;
}

/** Who PgBouncer runs as: it refuses to run as root, so a root test hands it to `postgres`. */
function runAs(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  for (const entry of ['', ...readdirSync(dir)]) chownSync(path.join(dir, entry), uid, gid);
  return ['-u', 'postgres'];
}

async function startPgBouncer(): Promise<PgBouncer> {
  const program = requireProgram('pgbouncer', ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'], 'apt-get install pgbouncer');
  // PostgreSQL itself must be up, or PgBouncer would start and every query fail obscurely.
  await (await connectPostgres(1)).end();
  const target = new URL(DATABASE_URL);
  const user = decodeURIComponent(target.username || 'postgres');
  const dir = engineDir('pgbouncer');
  const port = await closedPort();
  writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      // Few server connections for many clients, as in production: consecutive statements
      // of one client land on different server connections.
      'default_pool_size = 4',
      'max_client_conn = 400',
      // pg sends statement_timeout as a startup parameter when the pool sets it (the
      // fail-fast options do); PgBouncer 1.18 refuses unknown ones unless told to ignore them.
      'ignore_startup_parameters = statement_timeout',
      '',
    ].join('\n'),
  );
  const url = new URL(DATABASE_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const engine = await startEngine({
    name: 'PgBouncer',
    command: program,
    args: [...runAs(dir), path.join(dir, 'pgbouncer.ini')],
    ready: async () => {
      const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 1000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
  });
  const pools: Pool[] = [];
  return {
    url: url.toString(),
    pool(max = 10) {
      const pool = new Pool({ ...POSTGRES_FAIL_FAST_OPTIONS, connectionString: url.toString(), max });
      pool.on('error', () => {});
      pools.push(pool);
      return pool;
    },
    async stop() {
      await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
      await engine.stop();
      removeDir(dir);
    },
  };
}

/** A PgBouncer started in `beforeAll` and stopped in `afterAll`. */
export function usePgBouncer(): { bouncer: () => PgBouncer } {
  return { bouncer: useEngine('PgBouncer', startPgBouncer) };
}
