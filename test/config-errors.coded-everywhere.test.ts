/**
 * Every mistake a host can make in building or calling Gatehouse — a constructor's options,
 * `auth.tokens.issue` for an actor the store does not have — throws a `GatehouseConfigError`
 * with a `code` and the `option` at fault, never a bare `TypeError`, so a program can tell the
 * mistakes apart without matching prose. Representative cases, then a sweep of the source so a
 * new bare throw cannot come in unnoticed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { CookieSessions, CookieStrategy, gatehouse, MemoryStore, PasswordHasher, resolveCookieOptions, type ResolvedCookieOptions } from '../src';
import { guardStore } from '../src/store/guard';
import { describeStoreConformance } from '../src/store/conformance';
import { migrate, PostgresStore } from '../src/store/postgres';
import { RedisStore } from '../src/store/redis';
import { JwtIssuer } from '../src/schemes/jwt/issuer';
import { thrownBy, type ThrownError } from './helpers/thrown';
import { resolveJwtOptions, type ResolvedJwtOptions } from '../src/schemes/jwt/options';

const store = new MemoryStore({ passwordCost: 10 });
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';

type Coded = Partial<ThrownError>;

function thrown(build: () => unknown): Coded {
  const error = thrownBy(build);
  if (!error) throw new Error('did not throw');
  return error;
}

async function rejected(run: () => Promise<unknown>): Promise<Coded> {
  try {
    await run();
  } catch (error) {
    return error as Coded;
  }
  throw new Error('did not reject');
}

const SYNC: Array<[label: string, build: () => unknown, code: string, option: string, where: string]> = [
  ['CookieStrategy without a store', () => new CookieStrategy({ cookie: { secret: COOKIE_SECRET } } as never), 'GATEHOUSE_MISSING_OPTION', 'store', 'CookieStrategy'],
  ['CookieStrategy without cookie or sessions', () => new CookieStrategy({ store } as never), 'GATEHOUSE_MISSING_OPTION', 'cookie', 'CookieStrategy'],
  [
    'CookieStrategy with both sessions and cookie',
    () => {
      const options = resolveCookieOptions({ secret: COOKIE_SECRET }) as ResolvedCookieOptions;
      return new CookieStrategy({ sessions: new CookieSessions({ options, store: guardStore(store, 1000) }), cookie: { secret: COOKIE_SECRET }, store } as never);
    },
    'GATEHOUSE_CONFLICTING_OPTIONS',
    'sessions',
    'CookieStrategy',
  ],
  ['CookieStrategy with cookie: false', () => new CookieStrategy({ cookie: false, store } as never), 'GATEHOUSE_INVALID_OPTION', 'cookie', 'CookieStrategy'],
  ['RedisStore without a client', () => new RedisStore({} as never), 'GATEHOUSE_MISSING_OPTION', 'client', 'RedisStore'],
  ['RedisStore keyPrefix', () => new RedisStore({ client: { lazyConnect: true }, keyPrefix: 5 } as never), 'GATEHOUSE_INVALID_OPTION', 'keyPrefix', 'RedisStore'],
  ['RedisStore options not an object', () => new RedisStore(null as never), 'GATEHOUSE_INVALID_OPTION', '', 'RedisStore'],
  ['PostgresStore without a pool', () => new PostgresStore({} as never), 'GATEHOUSE_MISSING_OPTION', 'pool', 'PostgresStore'],
  ['PostgresStore queryTimeoutMs', () => new PostgresStore({ pool: 'postgres://127.0.0.1/none', queryTimeoutMs: 0 }), 'GATEHOUSE_INVALID_OPTION', 'queryTimeoutMs', 'PostgresStore'],
  ['PostgresStore schema', () => new PostgresStore({ pool: 'postgres://127.0.0.1/none', schema: 'a-b' }), 'GATEHOUSE_INVALID_OPTION', 'schema', 'PostgresStore'],
  ['MemoryStore passwordCost', () => new MemoryStore({ passwordCost: 9 }), 'GATEHOUSE_INVALID_OPTION', 'passwordCost', 'MemoryStore'],
  ['JwtIssuer without a signing key', () => new JwtIssuer(resolveJwtOptions({ issuers: [{ issuer: 'https://idp.example.org', jwksUri: 'https://idp.example.org/jwks', algorithms: ['RS256'], actorFromClaims: () => null }] }) as ResolvedJwtOptions, Date.now), 'GATEHOUSE_MISSING_OPTION', 'jwt.secret', 'JwtIssuer'],
  ['describeStoreConformance without makeStore', () => describeStoreConformance('x', 5 as never, { describe: () => {}, it: () => {} } as never), 'GATEHOUSE_INVALID_OPTION', 'makeStore', 'describeStoreConformance'],
];

describe('construction errors carry a code', () => {
  it.each(SYNC)('%s', (_label, build, code, option, where) => {
    const error = thrown(build);
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code, option });
    expect(error.message!.startsWith(`${where}: `)).toBe(true);
  });

  it('migrate() refuses a bad schema with a code, before touching the database', async () => {
    const pool = { connect: jest.fn() } as unknown as Pool;
    expect(await rejected(() => migrate(pool, { schema: 'bad-name' }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'schema' });
    expect(await rejected(() => migrate(pool, { timeoutMs: -1 }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'timeoutMs' });
    expect(await rejected(() => migrate(undefined as never))).toMatchObject({ code: 'GATEHOUSE_MISSING_OPTION', option: 'pool' });
    expect(pool.connect).not.toHaveBeenCalled();
  });
});

describe('calls the host makes carry a code too', () => {
  const auth = gatehouse({ store });

  it('tokens.issue for an actor the store does not have', async () => {
    const error = await rejected(() => auth.tokens.issue({ actorId: 'no-such-actor', kind: 'personal' }));
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option: 'actorId' });
    expect(error.message).toBe('tokens.issue: no actor with id "no-such-actor" in the store.');
  });

  it.each([
    ['a kind that is not one', { actorId: 'a', kind: 'nope' }, 'kind'],
    ['no actorId', { kind: 'personal' }, 'actorId'],
    ['a ttl of 0', { actorId: 'a', kind: 'personal', ttl: 0 }, 'ttl'],
    ['roles not an array', { actorId: 'a', kind: 'personal', roles: 'admin' }, 'roles'],
  ])('tokens.issue with %s', async (_label, input, option) => {
    expect(await rejected(() => auth.tokens.issue(input as never))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option });
  });

  it('tokens.list, tokens.revokeAll and tokens.revokeById with bad arguments', async () => {
    expect(await rejected(() => auth.tokens.list(''))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'actorId' });
    expect(await rejected(() => auth.tokens.list('a', { kinds: ['nope'] } as never))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'kinds' });
    expect(await rejected(() => auth.tokens.revokeAll(''))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'actorId' });
    expect(await rejected(() => auth.tokens.revokeById('x', 5 as never))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION' });
  });

  it('MemoryStore.addUser and PasswordHasher.hash', async () => {
    await store.addUser({ login: 'taken@example.org', password: 'correct horse battery' });
    expect(await rejected(() => store.addUser({ login: 'taken@example.org' }))).toMatchObject({ code: 'GATEHOUSE_CONFLICTING_OPTIONS', option: 'login' });
    expect(await rejected(() => store.addUser({ login: '' }))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'login' });
    expect(await rejected(() => new PasswordHasher({ cost: 10 }).hash(''))).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION' });
  });
});

/**
 * The throws in src/ that are not a mistake of the host's: invariants of the package itself,
 * and failures at request time (answered as problems, never shown to the host as its mistake).
 * Anything else thrown with a bare `Error`/`TypeError`/`RangeError` fails this sweep: use
 * `fail()` from src/config-error.ts.
 */
const NOT_THE_HOSTS_MISTAKE: ReadonlyArray<[file: string, startsWith: string, why: string]> = [
  ['detect.ts', "Schemes of the Authorization keyword", 'an invariant of the scheme registry, checked when the module loads'],
  ['store/postgres-migrations.ts', 'migrate: ${migrations', 'the shipped migration files themselves are broken'],
  ['store/redis.ts', 'RedisStore: the revocation write reached', 'a store method at request time (waitForReplicas not met): fails closed (503.1)'],
  ['store/memory.ts', 'MemoryStore: no user with id', 'a store method at request time: fails closed (503.1)'],
  ['bcrypt-limits.ts', 'password is ${', 'a password too long for bcrypt, at request time: answered as a problem'],
  ['middleware/render-problem.ts', '${callback}', "a response shaper's answer at request time: reported as callback.error, the plain problem sent"],
  ['responses.ts', '${callback} returned a promise', "a response shaper's answer at request time: reported as callback.error, Gatehouse's own answer sent"],
  ['passwords/password-policy.ts', 'passwordPolicy.validate must resolve', "the host's check's answer at request time: reported as callback.error, 503.1"],
  ['authentication-proof.ts', 'issueLogin: proof.amr must be', "an invariant of the login paths: each names its own proof methods, thrown before anything is issued"],
  ['routes/issue-login.ts', 'issueLogin: a JWT login needs local JWT keys', 'an invariant of the endpoint table: a JWT login is mounted only with local keys'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

describe('the sweep', () => {
  it('src/ throws no bare Error, TypeError or RangeError at the host but the listed ones', () => {
    const src = path.join(__dirname, '..', 'src');
    const bare: string[] = [];
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, 'utf8');
      const relative = path.relative(src, file).split(path.sep).join('/');
      // Code only: a TSDoc example may show the host's own `throw new Error(…)`.
      for (const match of text.matchAll(/^(?!\s*(?:\*|\/\/)).*?throw new (?:Type|Range)?Error\(\s*(['"`])([^\n]*)/gm)) {
        const message = match[2];
        if (!NOT_THE_HOSTS_MISTAKE.some(([listed, start]) => listed === relative && message.startsWith(start))) bare.push(`${relative}: ${message.slice(0, 60)}`);
      }
    }
    expect(bare).toEqual([]);
  });

  it('every listed exception still exists (a stale list would hide nothing)', () => {
    const src = path.join(__dirname, '..', 'src');
    for (const [file, start] of NOT_THE_HOSTS_MISTAKE) expect(readFileSync(path.join(src, file), 'utf8')).toContain(start);
  });
});
