import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Pool } from 'pg';
import { packAndInstall, type PackedInstall } from './helpers/pack';
import { closedPort, connectPostgres, DATABASE_URL, runId } from './helpers/services';

/**
 * `npx express-gatehouse …` as a user runs it: the bin of the package packed from this
 * repository and installed from the tarball into a new project (with express and pg).
 */
describe('the express-gatehouse command, installed from the tarball', () => {
  let installed: PackedInstall;

  beforeAll(() => {
    installed = packAndInstall(['express@5', 'pg@8']);
  }, 240_000);

  afterAll(() => installed?.remove());

  function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', ...options.env };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
    // The bin npm linked at install, as `npx express-gatehouse` finds it (npx itself would take --help).
    const result = spawnSync(path.join(installed.project, 'node_modules', '.bin', 'express-gatehouse'), args, {
      cwd: installed.project,
      encoding: 'utf8',
      input: options.input ?? '',
      env,
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs a script in the consumer project with `node -e`. */
  function nodeIn(script: string): string {
    const result = spawnSync(process.execPath, ['-e', script], { cwd: installed.project, encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(result.stderr);
    return result.stdout.trim();
  }

  describe('usage', () => {
    it('--help lists the commands and exits 0', () => {
      const { status, stdout } = cli(['--help']);
      expect(status).toBe(0);
      expect(stdout).toMatch(/^Usage: express-gatehouse <command>/);
      for (const name of ['keygen', 'hash-password', 'migrate']) expect(stdout).toContain(`  ${name}`);
    });

    it('npx express-gatehouse runs the installed bin', () => {
      const result = spawnSync('npx', ['--no', 'express-gatehouse', 'keygen', '--json'], { cwd: installed.project, encoding: 'utf8', timeout: 60_000 });
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('an unknown command exits 2 with the usage', () => {
      const { status, stdout, stderr } = cli(['keygenn']);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain("unknown command 'keygenn'");
      expect(stderr).toContain('Usage: express-gatehouse <command>');
    });

    it('no command exits 2 with the usage', () => {
      const { status, stderr } = cli([]);
      expect(status).toBe(2);
      expect(stderr).toContain('Usage: express-gatehouse <command>');
    });

    it.each(['keygen', 'hash-password', 'migrate'])('%s --help prints its usage and exits 0', (name) => {
      const { status, stdout } = cli([name, '--help']);
      expect(status).toBe(0);
      expect(stdout).toContain(`express-gatehouse ${name}`);
      expect(stdout).toContain('-h, --help');
    });

    it('an unknown option exits 2 with the command usage', () => {
      const { status, stderr } = cli(['keygen', '--rol', 'admin']);
      expect(status).toBe(2);
      expect(stderr).toContain("Unknown option '--rol'");
      expect(stderr).toContain('Usage: express-gatehouse keygen');
    });
  });

  describe('keygen', () => {
    it('prints a fresh 256-bit key and the sha256: line that lets it in through apiKeys', async () => {
      const first = cli(['keygen', '--role', 'reporting', '--label', 'nightly-export']);
      expect(first.status).toBe(0);
      // The format of store-issued keys: the default prefix, 43 random and 6 checksum characters.
      const key = /^ {2}(gthkey_[0-9A-Za-z]{49})$/m.exec(first.stdout)?.[1];
      expect(key).toBeDefined();
      const digest = `sha256:${createHash('sha256').update(key!).digest('hex')}`;
      expect(first.stdout).toContain(`'${digest}': { role: 'reporting', label: 'nightly-export' },`);
      expect(cli(['keygen']).stdout).not.toContain(key!);

      // The printed entry, pasted into an app on the installed package, accepts the key.
      const answer = nodeIn(`
        const express = require('express');
        const { gatehouse, MemoryStore } = require('express-gatehouse');
        const auth = gatehouse({ store: new MemoryStore(), apiKeys: { ${first.stdout.split('\n').find((line) => line.includes('sha256:'))!.trim()} } });
        const app = express();
        app.use(auth.authenticate());
        app.get('/', auth.require({ roles: ['reporting'] }), (req, res) => res.json(req.user));
        const server = app.listen(0, '127.0.0.1', async () => {
          const url = 'http://127.0.0.1:' + server.address().port + '/';
          const good = await fetch(url, { headers: { authorization: 'ApiKey ${key}' } });
          const bad = await fetch(url, { headers: { authorization: 'ApiKey ${'x'.repeat(43)}' } });
          console.log(JSON.stringify({ good: good.status, user: await good.json(), bad: bad.status }));
          server.close();
        });`);
      expect(JSON.parse(answer)).toEqual({ good: 200, user: expect.objectContaining({ kind: 'apiKey', id: 'nightly-export', roles: ['reporting'] }), bad: 401 });
    });

    it('--json prints the key, its digest and the entry', () => {
      const { status, stdout } = cli(['keygen', '--json', '--role', 'a', '--role', 'b']);
      expect(status).toBe(0);
      const printed = JSON.parse(stdout);
      expect(printed.digest).toBe(`sha256:${createHash('sha256').update(printed.key).digest('hex')}`);
      expect(printed.entry).toEqual({ roles: ['a', 'b'] });
    });
  });

  describe('hash-password', () => {
    const verify = (password: string, hash: string) =>
      nodeIn(`require('bcrypt').compare(${JSON.stringify(password)}, ${JSON.stringify(hash)}).then((ok) => console.log(ok))`);

    it('hashes a piped password at the default cost 12, dropping one trailing newline', () => {
      const { status, stdout, stderr } = cli(['hash-password'], { input: 'correct horse battery\n' });
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(stdout).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}\n$/);
      expect(verify('correct horse battery', stdout.trim())).toBe('true');
    });

    it('--cost N sets the bcrypt cost; a cost under 10 is a usage error', () => {
      const { status, stdout } = cli(['hash-password', '--cost', '10'], { input: 'pw with spaces ' });
      expect(status).toBe(0);
      expect(stdout).toMatch(/^\$2b\$10\$/);
      expect(verify('pw with spaces ', stdout.trim())).toBe('true');
      const low = cli(['hash-password', '--cost', '9'], { input: 'x' });
      expect(low.status).toBe(2);
      expect(low.stderr).toContain('--cost must be an integer from 10 to 31');
    });

    it('refuses a password on the command line without echoing it', () => {
      const { status, stdout, stderr } = cli(['hash-password', 'hunter2-secret']);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('never taken from the command line');
      expect(stderr).not.toContain('hunter2-secret');
    });

    it('refuses an empty password', () => {
      const { status, stdout } = cli(['hash-password'], { input: '\n' });
      expect(status).toBe(1);
      expect(stdout).toBe('');
    });

    it('--pepper-env makes a hash for passwords.prehash', async () => {
      const { status, stdout } = cli(['hash-password', '--cost', '10', '--pepper-env', 'APP_PEPPER'], {
        input: 'a'.repeat(100),
        env: { APP_PEPPER: 'p'.repeat(32) },
      });
      expect(status).toBe(0);
      const verified = nodeIn(`
        const { MemoryStore, gatehouse } = require('express-gatehouse');
        const store = new MemoryStore();
        const auth = gatehouse({ store, passwords: { cost: 10, prehash: { pepper: ${JSON.stringify('p'.repeat(32))} } } });
        auth.passwords.verify(${JSON.stringify('a'.repeat(100))}, ${JSON.stringify(stdout.trim())}).then((ok) => console.log(ok));`);
      expect(verified).toBe('true');
    });

    it('at a terminal it prompts twice with echo off', async () => {
      // `script` (util-linux) gives the command a pseudo-terminal, as a shell would.
      const child = spawn('script', ['-qec', 'node_modules/.bin/express-gatehouse hash-password --cost 10', '/dev/null'], {
        cwd: installed.project,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
      let screen = '';
      const typed = 'typed at the prompt';
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdout.on('data', (chunk: Buffer) => {
        const before = screen;
        screen += chunk.toString('utf8');
        // Type only once each prompt is shown: the terminal is in raw mode (no echo) by then.
        if (!before.includes('Password (not shown): ') && screen.includes('Password (not shown): ')) child.stdin.write(`${typed}\r`);
        if (!before.includes('Again: ') && screen.includes('Again: ')) child.stdin.write(`${typed}\r`);
      });
      expect(await exited).toBe(0);
      expect(screen).not.toContain(typed);
      const hash = /\$2b\$10\$[./A-Za-z0-9]{53}/.exec(screen)?.[0];
      expect(hash).toBeDefined();
      expect(verify(typed, hash!)).toBe('true');
    }, 60_000);
  });

  describe('migrate', () => {
    let pool: Pool;
    const schema = `cli_${runId()}`;

    beforeAll(async () => {
      pool = await connectPostgres(2);
    });

    afterAll(async () => {
      await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool?.end();
    });

    it('applies the migrations to DATABASE_URL --schema, and again without harm', async () => {
      const first = cli(['migrate', '--schema', schema], { env: { DATABASE_URL } });
      expect(first).toMatchObject({ status: 0, stderr: '' });
      expect(first.stdout).toContain('001_gatehouse.sql');
      expect(first.stdout).toContain(`schema ${schema}`);
      const tables = await pool.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
      expect(tables.rows.map((row) => row.table_name)).toEqual(['gatehouse_attempts', 'gatehouse_identities', 'gatehouse_limits', 'gatehouse_migrations', 'gatehouse_one_time_uses', 'gatehouse_provider_sessions', 'gatehouse_recovery_codes', 'gatehouse_revocations', 'gatehouse_second_factors', 'gatehouse_tokens']);
      const again = cli(['migrate', '--schema', schema], { env: { DATABASE_URL } });
      expect(again.status).toBe(0);
      // Nothing was applied the second time, and it says so.
      expect(again.stdout).toContain('up to date');
      expect(again.stdout).not.toContain('Applied');
    });

    it('prints no password given as a ?password= parameter, on stdout or stderr', async () => {
      const withPassword = new URL(DATABASE_URL);
      withPassword.searchParams.set('password', 's3cret-pw');
      const works = cli(['migrate', '--schema', schema], { env: { DATABASE_URL: withPassword.toString() } });
      expect(works.status).toBe(0);
      expect(works.stdout).toContain('password=***');
      const refused = cli(['migrate'], { env: { DATABASE_URL: `postgres://gatehouse@127.0.0.1:${await closedPort()}/app?Password=s3cret-pw` } });
      expect(refused.status).toBe(1);
      expect(`${works.stdout}${works.stderr}${refused.stdout}${refused.stderr}`).not.toContain('s3cret-pw');
    });

    it('without DATABASE_URL it exits 2 saying how to set it', () => {
      const { status, stderr } = cli(['migrate'], { env: { DATABASE_URL: undefined } });
      expect(status).toBe(2);
      expect(stderr).toContain('set DATABASE_URL');
    });

    it('a bad --schema exits 2 before connecting', () => {
      const { status, stderr } = cli(['migrate', '--schema', 'no spaces; drop'], { env: { DATABASE_URL } });
      expect(status).toBe(2);
      expect(stderr).toContain('--schema');
    });

    it('an unreachable database exits 1 without printing the password', async () => {
      const url = `postgres://gatehouse:s3cret-pw@127.0.0.1:${await closedPort()}/app`;
      const { status, stdout, stderr } = cli(['migrate'], { env: { DATABASE_URL: url } });
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toContain('ECONNREFUSED');
      expect(stderr).not.toContain('s3cret-pw');
    });
  });
});
