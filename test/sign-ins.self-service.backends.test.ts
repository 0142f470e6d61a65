/**
 * The self-service endpoints (`selfService`) on each shipped store, over two instances sharing it:
 * the list shows exactly the caller's live sign-ins and marks the current one; ending by id
 * refuses another actor's id exactly as an unknown one; "sign out everywhere else" ends every
 * kind on every instance by the next request; the password change runs the lockout and ends the
 * others; an unlock on one instance is seen by the other.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent, type Gatehouse } from '../src';
import { BACKENDS, useBackends, bindAll, type BackendName } from './helpers/backends';
import { realNow } from './helpers/clock';
import { COOKIE_SECRET } from './helpers/cookie';

const ALICE = { login: 'alice@example.org', password: 'correct horse battery' };
const BOB = { login: 'bob@example.org', password: 'bob:has:colons' };
const NEW_PASSWORD = 'a new and longer passphrase';
const JWT_SECRET = 'a-jwt-secret-of-at-least-32-bytes-long!!';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

const backends = useBackends('signins');

interface Instance {
  app: express.Express;
  auth: Gatehouse;
}

/** Store calls per method, counted while `counting` is on. */
interface CallLog {
  counting: boolean;
  calls: string[];
}

async function setUp(name: BackendName, extra: Record<string, unknown> = {}) {
  const users = new MemoryStore({ passwordCost: 10 });
  const alice = await users.addUser({ ...ALICE, roles: [] });
  const bob = await users.addUser({ ...BOB, roles: ['admin'] });
  let now = realNow();
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const log: CallLog = { counting: false, calls: [] };
  const events: AuditEvent[] = [];
  const counted = (tokens: ReturnType<typeof bindAll>) =>
    Object.fromEntries(
      Object.entries(tokens).map(([method, call]) => [
        method,
        (...args: unknown[]) => {
          if (log.counting) log.calls.push(method);
          return call(...args);
        },
      ]),
    ) as ReturnType<typeof bindAll>;
  const instance = (): Instance => {
    const auth = gatehouse({
      store: backends.storeFor(name, users, counted),
      cookie: { secret: COOKIE_SECRET, secure: false },
      jwt: { secret: JWT_SECRET },
      lockout: { maxAttempts: 3 },
      selfService: {},
      now: clock.now,
      onEvent: (event) => {
        events.push(event);
      },
      ...extra,
    });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/projects', auth.require(), (req, res) => res.json({ id: req.user!.id, authInfo: req.authInfo }));
    return { app, auth };
  };
  return { users, alice, bob, clock, log, events, one: instance(), two: instance() };
}

const login = (app: express.Express, who = ALICE, userAgent = CHROME) => request(app).post('/v1/sessions').set('User-Agent', userAgent).send({ login: who.login, password: who.password });
async function tokenOf(app: express.Express, who = ALICE, userAgent = CHROME): Promise<string> {
  const res = await login(app, who, userAgent);
  expect(res.status).toBe(200);
  return res.body.token;
}
async function cookieOf(app: express.Express, userAgent = CHROME): Promise<{ cookie: string; csrf: string }> {
  const res = await request(app).post('/v1/sessions').set('User-Agent', userAgent).send({ ...ALICE, session: true });
  expect(res.status).toBe(200);
  const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((l) => l.startsWith('gatehouse='))!;
  return { cookie: line.split(';')[0], csrf: res.body.csrf };
}
async function jwtOf(app: express.Express, userAgent = CHROME): Promise<{ access: string; refresh: string }> {
  const res = await request(app).post('/v1/jwt/authenticate').set('User-Agent', userAgent).send(ALICE);
  expect(res.status).toBe(200);
  return res.body;
}
const bearer = (test: request.Test, token: string) => test.set('Authorization', `Bearer ${token}`);
const projects = (app: express.Express, token: string) => bearer(request(app).get('/v1/projects'), token);

describe.each(BACKENDS)('self-service sign-ins on %s, two instances over one store', (name) => {
  it('lists exactly the caller\'s live sign-ins, with their devices, and marks the current one', async () => {
    const t = await setUp(name);
    const laptop = await tokenOf(t.one.app, ALICE, CHROME);
    t.clock.advance(1000);
    await tokenOf(t.two.app, ALICE, IPHONE);
    t.clock.advance(1000);
    await cookieOf(t.one.app, IPHONE);
    t.clock.advance(1000);
    await jwtOf(t.two.app, 'curl/8.4.0');
    await tokenOf(t.one.app, BOB);
    const expired = await tokenOf(t.one.app, ALICE);
    t.clock.advance(1000);
    await t.one.auth.tokens.revoke(expired);

    const res = await bearer(request(t.two.app).get('/v1/account/sessions'), laptop);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const sessions = res.body.sessions as Array<Record<string, unknown>>;
    expect(sessions.map((s) => [s.kind, s.current, (s.device as { description: string }).description])).toEqual([
      ['session', true, 'Chrome 120 on Linux'],
      ['session', false, 'Mobile Safari 17 on iOS (mobile)'],
      ['cookie', false, 'Mobile Safari 17 on iOS (mobile)'],
      ['refresh', false, 'Unknown device'],
    ]);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      kind: 'session',
      label: null,
      createdAt: expect.any(String),
      lastUsedAt: expect.anything(),
      expiresAt: expect.any(String),
      userAgent: CHROME,
      device: { description: 'Chrome 120 on Linux', browser: 'Chrome', os: 'Linux', type: null },
      current: true,
    });
    expect(sessions[3].userAgent).toBe('curl/8.4.0');
    // The address is personal data: not recorded unless the host opts in.
    expect(sessions.every((s) => !('ip' in s))).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain(laptop);
  });

  it('shows the sign-in address only when the host opts in (selfService.recordIp)', async () => {
    const t = await setUp(name, { selfService: { recordIp: true } });
    const token = await tokenOf(t.one.app);
    const res = await bearer(request(t.two.app).get('/v1/account/sessions'), token);
    expect(res.body.sessions).toEqual([expect.objectContaining({ current: true, ip: expect.stringMatching(/127\.0\.0\.1|::1/) })]);
  });

  it('ends one sign-in by id on every instance, and refuses another actor\'s id exactly as an unknown one', async () => {
    const t = await setUp(name);
    const mine = await tokenOf(t.one.app);
    const other = await tokenOf(t.one.app, ALICE, IPHONE);
    const bobs = await tokenOf(t.one.app, BOB);
    const listed = (await bearer(request(t.one.app).get('/v1/account/sessions'), mine)).body.sessions as Array<{ id: string; current: boolean }>;
    const otherId = listed.find((s) => !s.current)!.id;
    const bobsId = ((await bearer(request(t.one.app).get('/v1/account/sessions'), bobs)).body.sessions as Array<{ id: string }>)[0].id;

    const attempt = async (id: string) => {
      t.log.calls = [];
      t.log.counting = true;
      const res = await bearer(request(t.two.app).delete(`/v1/account/sessions/${id}`), mine);
      t.log.counting = false;
      return { status: res.status, body: res.body, calls: [...t.log.calls] };
    };
    const unknown = await attempt('AAAAAAAAAAAAAAAAAAAAAA');
    const someoneElses = await attempt(bobsId);
    expect(unknown.status).toBe(403);
    expect(unknown.body.code).toBe('403.1');
    expect(someoneElses).toEqual(unknown);
    expect((await projects(t.one.app, bobs)).status).toBe(200);

    const own = await attempt(otherId);
    expect(own.status).toBe(200);
    expect((await projects(t.one.app, other)).status).toBe(401);
    expect((await projects(t.one.app, mine)).status).toBe(200);
    expect(t.events.filter((e) => e.type === 'token.revoked')).toEqual([expect.objectContaining({ actorId: t.alice.id, kind: 'session', scheme: 'sessionToken' })]);
  });

  it('"sign out everywhere else" ends every kind on every instance by the next request, keeping the current one', async () => {
    const t = await setUp(name);
    const current = await tokenOf(t.one.app);
    const otherToken = await tokenOf(t.two.app, ALICE, IPHONE);
    const { cookie } = await cookieOf(t.two.app);
    const pair = await jwtOf(t.two.app);
    const bobs = await tokenOf(t.two.app, BOB);
    expect((await request(t.two.app).get('/v1/projects').set('Cookie', cookie)).status).toBe(200);
    expect((await projects(t.two.app, pair.access)).status).toBe(200);
    t.clock.advance(1000);

    const res = await bearer(request(t.one.app).delete('/v1/account/sessions/others'), current);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, ended: 3 });

    expect((await projects(t.two.app, otherToken)).status).toBe(401);
    expect((await request(t.two.app).get('/v1/projects').set('Cookie', cookie)).status).toBe(401);
    expect((await projects(t.two.app, pair.access)).status).toBe(401);
    expect((await request(t.two.app).post('/v1/jwt/refresh').send({ refresh: pair.refresh })).status).toBe(401);
    expect((await projects(t.two.app, current)).status).toBe(200);
    expect((await projects(t.two.app, bobs)).status).toBe(200);
    const left = (await bearer(request(t.two.app).get('/v1/account/sessions'), current)).body.sessions;
    expect(left).toEqual([expect.objectContaining({ kind: 'session', current: true })]);
    expect(t.events.filter((e) => e.type === 'token.revokedOthers')).toEqual([expect.objectContaining({ actorId: t.alice.id, count: 3, ip: expect.any(String) })]);
  });

  it('"sign out everywhere else" from a JWT keeps its refresh family: the client refreshes once', async () => {
    const t = await setUp(name);
    const pair = await jwtOf(t.one.app);
    const otherToken = await tokenOf(t.one.app, ALICE, IPHONE);
    t.clock.advance(1000);
    expect((await bearer(request(t.two.app).delete('/v1/account/sessions/others'), pair.access)).body).toEqual({ success: true, ended: 1 });
    expect((await projects(t.one.app, otherToken)).status).toBe(401);
    t.clock.advance(1000);
    const refreshed = await request(t.one.app).post('/v1/jwt/refresh').send({ refresh: pair.refresh });
    expect(refreshed.status).toBe(200);
    expect((await projects(t.two.app, refreshed.body.access)).status).toBe(200);
  });

  it('changes the password through the lockout, ends the others, keeps the current one; an unlock on one instance is seen by the other', async () => {
    const t = await setUp(name);
    const current = await tokenOf(t.one.app);
    const other = await tokenOf(t.one.app, ALICE, IPHONE);
    const change = (app: express.Express, currentPassword: string) =>
      bearer(request(app).post('/v1/account/password'), current).send({ login: ALICE.login, currentPassword, newPassword: NEW_PASSWORD });

    for (let i = 0; i < 3; i += 1) expect((await change(t.one.app, 'wrong password')).body.code).toBe('401.2');
    const locked = await change(t.two.app, ALICE.password);
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('403.2');
    // The lockout is the login's: the login endpoint is locked too.
    expect((await login(t.two.app)).body.code).toBe('403.2');

    expect(await t.one.auth.lockout.clear(' Alice@Example.org ')).toBe(3);
    expect(t.events.filter((e) => e.type === 'lockout.cleared')).toEqual([expect.objectContaining({ actorId: t.alice.id, login: ALICE.login, count: 3 })]);
    t.clock.advance(1000);
    const changed = await change(t.two.app, ALICE.password);
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ success: true, ended: 1 });

    expect((await projects(t.one.app, other)).status).toBe(401);
    expect((await projects(t.one.app, current)).status).toBe(200);
    expect((await login(t.one.app)).body.code).toBe('401.2');
    t.clock.advance(1000);
    expect((await login(t.one.app, { login: ALICE.login, password: NEW_PASSWORD })).status).toBe(200);
    expect(t.events.map((e) => e.type)).toEqual(expect.arrayContaining(['login.failed', 'login.locked', 'password.changeRefused', 'token.revokedOthers', 'password.changed']));
  });

  it('an administrator ends every credential of an actor; anyone else is refused 403.1', async () => {
    const t = await setUp(name);
    const alices = await tokenOf(t.one.app);
    const admin = await tokenOf(t.one.app, BOB);
    expect((await bearer(request(t.two.app).delete(`/v1/admin/actors/${t.bob.id}/sessions`), alices)).body.code).toBe('403.1');
    expect((await projects(t.one.app, admin)).status).toBe(200);
    const res = await bearer(request(t.two.app).delete(`/v1/admin/actors/${encodeURIComponent(t.alice.id)}/sessions`), admin);
    expect(res.body).toEqual({ success: true, ended: 1 });
    expect((await projects(t.one.app, alices)).status).toBe(401);
  });
});
