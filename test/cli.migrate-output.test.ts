/**
 * `express-gatehouse migrate` says what it did — the migrations this run applied, or that the
 * schema was up to date — and never prints the database password, whichever way the URL
 * carries it (userinfo, a `password=` parameter in any case, percent-encoded). Run through the
 * command's `main()`, as the installed bin runs it, against the real PostgreSQL.
 */
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/index';
import { redactUrl, withoutUrlPasswords } from '../src/cli/redact-url';
import { closedPort, DATABASE_URL, useThrowawaySchemas } from './helpers/services';

const { pool, freshSchema } = useThrowawaySchemas('gatehouse_test_cli_migrate', 4);

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const status = await main(args, { stdin: new PassThrough(), stdout, stderr, env });
  return { status, stdout: out, stderr: err };
}

describe('migrate says what it applied', () => {
  it('lists the migrations applied on a new schema, and says "up to date" when there is nothing to apply', async () => {
    const schema = freshSchema('fresh');
    const first = await cli(['migrate', '--schema', schema], { DATABASE_URL });
    expect(first).toMatchObject({ status: 0, stderr: '' });
    expect(first.stdout).toMatch(/^Applied 001_gatehouse\.sql, 002_credential_ids\.sql, 003_second_factors\.sql, 004_identities\.sql, 005_rate_limits\.sql, 006_provider_sessions\.sql to /);
    expect(first.stdout).toContain(`(schema ${schema})`);

    const again = await cli(['migrate', '--schema', schema], { DATABASE_URL });
    expect(again).toMatchObject({ status: 0, stderr: '' });
    expect(again.stdout).not.toContain('Applied');
    expect(again.stdout).not.toContain('.sql');
    expect(again.stdout).toContain('up to date');
    expect(again.stdout).toContain(`(schema ${schema})`);
  });

  it('lists only the migration this run applied', async () => {
    const schema = freshSchema('partial');
    expect((await cli(['migrate', '--schema', schema], { DATABASE_URL })).status).toBe(0);
    // As if the schema had been migrated by a release that shipped 001 only.
    await pool().query(`DELETE FROM "${schema}".gatehouse_migrations WHERE version = 2`);
    const run = await cli(['migrate', '--schema', schema], { DATABASE_URL });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Applied 002_credential_ids\.sql to /);
    expect(run.stdout).not.toContain('001_gatehouse.sql');
  });
});

describe('migrate never prints the database password', () => {
  const SECRET = 's3cret-pw';
  /**
   * Each way a connection URL carries a password, written into `base` (DATABASE_URL, or one
   * pointing at a closed port) as text, so the encodings stay as written.
   */
  const FORMS: Array<[label: string, url: (base: URL) => string, shown: string[]]> = [
    ['userinfo', (base) => withUserinfo(base, SECRET), [SECRET]],
    ['userinfo, percent-encoded', (base) => withUserinfo(base, 's%33cret-pw'), [SECRET, 's%33cret-pw']],
    ['a password= parameter', (base) => withQuery(base, `password=${SECRET}`), [SECRET]],
    ['a PASSWORD= parameter', (base) => withQuery(base, `sslmode=disable&PASSWORD=${SECRET}`), [SECRET]],
    ['a Password= parameter, value percent-encoded', (base) => withQuery(base, 'Password=s%33cret%2Dpw'), [SECRET, 's%33cret%2Dpw']],
    ['a percent-encoded parameter name', (base) => withQuery(base, `pass%77ord=${SECRET}`), [SECRET]],
    ['both userinfo and parameter', (base) => withQuery(new URL(withUserinfo(base, SECRET)), `password=${SECRET}x`), [SECRET, `${SECRET}x`]],
  ];
  const withUserinfo = (base: URL, password: string) => `${base.protocol}//${base.username || 'postgres'}:${password}@${base.host}${base.pathname}${base.search}`;
  const withQuery = (base: URL, query: string) => `${base.toString()}${base.search ? '&' : '?'}${query}`;
  const reachable = () => new URL(DATABASE_URL);
  const unreachable = async () => {
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${await closedPort()}`;
    return url;
  };

  it.each(FORMS)('%s: not on stdout when it works', async (_label, url, shown) => {
    const schema = freshSchema('redact');
    const { status, stdout, stderr } = await cli(['migrate', '--schema', schema], { DATABASE_URL: url(reachable()) });
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('***');
    for (const secret of shown) expect(stdout).not.toContain(secret);
  });

  it.each(FORMS)('%s: not on stderr when it fails', async (_label, url, shown) => {
    const { status, stdout, stderr } = await cli(['migrate'], { DATABASE_URL: url(await unreachable()) });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).toContain('***');
    for (const secret of shown) expect(stderr).not.toContain(secret);
  });
});

describe('a driver message quoting the password', () => {
  it.each([
    ['postgres://u:s3cret-pw@db/app', 's3cret-pw', 's3cret-pw'],
    ['postgres://u:s%33cret-pw@db/app', 's3cret-pw', 's%33cret-pw'],
    ['postgres://u@db/app?PassWord=s%33cret-pw', 's3cret-pw', 's%33cret-pw'],
    ['postgres://u@db/app?pass%77ord=s3cret-pw', 's3cret-pw', 's3cret-pw'],
  ])('%s: the password is taken out of the message, as written and decoded', (url, secret, raw) => {
    const message = withoutUrlPasswords(`could not log in with ${secret} (as given: ${raw})`, url);
    expect(message).not.toContain(secret);
    expect(message).not.toContain(raw);
    expect(message).toContain('could not log in with ***');
  });

  it('a URL that does not parse is never printed', () => {
    expect(redactUrl('postgres://u:s3cret pw@')).not.toContain('s3cret');
  });
});
