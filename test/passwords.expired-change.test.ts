import request from 'supertest';
import { gatehouse, MemoryStore } from '../src';
import { STORE_METHODS } from '../src/store/methods';
import { buildApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';
import type { TestApp } from './helpers/app';
import { realNow } from './helpers/clock';

const OLD = 'carol old password';
const NEW = 'carol brand new password';
const MINUTE = 60_000;

async function withExpiredCarol(options: Parameters<typeof buildApp>[0] = {}): Promise<TestApp & { carolId: string; clock: { now: number } }> {
  const clock = { now: realNow() };
  const store = new MemoryStore({ passwordCost: 10 });
  const carol = await store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
  const t = await buildApp({ passwordChange: {}, now: () => clock.now, ...options }, store);
  return { ...t, carolId: carol.id, clock };
}

async function expiredLogin(t: TestApp): Promise<request.Response> {
  return request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD });
}

describe('An expired password can be changed with the ticket from its 403.3', () => {
  it('should put a change ticket in the 403.3 of a login with the right, expired password', async () => {
    const t = await withExpiredCarol();
    const res = await expiredLogin(t);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('403.3');
    expect(typeof res.body.changeTicket).toBe('string');
    expect(res.body.changeTicket.length).toBeGreaterThan(40);
    expect(res.body.changeTicket).not.toContain(OLD);
  });

  it('should set the new password with POST /sessions/password, after which the new password logs in and the old does not', async () => {
    const t = await withExpiredCarol();
    const { changeTicket } = (await expiredLogin(t)).body;
    const change = await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: NEW });
    expect(change.status).toBe(200);
    expect(change.body).toEqual({ success: true });
    expect(change.headers['cache-control']).toBe('no-store');
    t.clock.now += 1;
    const fresh = await request(t.app).post('/v1/sessions').send({ login: 'carol', password: NEW });
    expect(fresh.status).toBe(200);
    expect(typeof fresh.body.token).toBe('string');
    const old = await expiredLogin(t);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('401.2');
  });

  it('should accept a ticket once only', async () => {
    const t = await withExpiredCarol();
    const { changeTicket } = (await expiredLogin(t)).body;
    expect((await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: NEW })).status).toBe(200);
    const again = await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: 'yet another password' });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('401.2');
    t.clock.now += 1;
    expect((await request(t.app).post('/v1/sessions').send({ login: 'carol', password: NEW })).status).toBe(200);
  });

  it('should refuse a ticket past its ttl (default 5 minutes), and a forged or altered one', async () => {
    const t = await withExpiredCarol();
    const { changeTicket } = (await expiredLogin(t)).body as { changeTicket: string };
    const altered = `${changeTicket.slice(0, -2)}${changeTicket.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await request(t.app).post('/v1/sessions/password').send({ ticket: altered, password: NEW });
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('401.2');
    t.clock.now += 5 * MINUTE;
    const late = await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: NEW });
    expect(late.status).toBe(401);
    expect(late.body.code).toBe('401.4');
  });

  it('should end every credential of the actor after the change (tokens.revokeAll)', async () => {
    const t = await withExpiredCarol();
    const { token } = await t.auth.tokens.issue({ actorId: t.carolId, kind: 'personal' });
    const { changeTicket } = (await expiredLogin(t)).body;
    expect((await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: NEW })).status).toBe(200);
    t.clock.now += 1;
    const after = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
  });

  it('should refuse the old password as the new one, and a missing password, with 400.1', async () => {
    const t = await withExpiredCarol();
    const { changeTicket } = (await expiredLogin(t)).body;
    const same = await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: OLD });
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({ code: '400.1', field: 'password' });
    const missing = await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: '400.1', field: 'password' });
  });

  it('should put a change ticket in the 403.3 of POST /jwt/authenticate too, which changes the password', async () => {
    const t = await withExpiredCarol({ jwt: JWT_OPTIONS });
    const res = await request(t.app).post('/v1/jwt/authenticate').send({ login: 'carol', password: OLD });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('403.3');
    const change = await request(t.app).post('/v1/sessions/password').send({ ticket: res.body.changeTicket, password: NEW });
    expect(change.status).toBe(200);
    t.clock.now += 1;
    expect((await request(t.app).post('/v1/jwt/authenticate').send({ login: 'carol', password: NEW })).status).toBe(200);
  });

  it('should put no ticket in a 403.3 when passwordChange is off, and serve no endpoint', async () => {
    const t = await withExpiredCarol({ passwordChange: undefined });
    const res = await expiredLogin(t);
    expect(res.status).toBe(403);
    expect(res.body).not.toHaveProperty('changeTicket');
    expect((await request(t.app).post('/v1/sessions/password').send({ ticket: 'x', password: NEW })).status).toBe(404);
  });
});

describe('passwordChange is validated at construction', () => {
  const store = new MemoryStore({ passwordCost: 10 });
  it.each([
    [{ passwordChange: 'yes' }, /passwordChange must be an object/],
    [{ passwordChange: { ttl: 0 } }, /passwordChange.ttl must be a positive whole number/],
    [{ passwordChange: { secret: 'short' } }, /passwordChange.secret must be at least 32 characters/],
    [{ passwordChange: { tll: 1 } }, /passwordChange\.tll is not an option \(did you mean 'ttl'\?\)/],
    [{ store: { ...bound(store), changePassword: undefined }, passwordChange: {} }, /passwordChange needs a store with changePassword\(\)/],
  ])('%j throws a TypeError naming the option', (options, message) => {
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(TypeError);
    expect(() => gatehouse({ store, ...(options as object) } as never)).toThrow(message);
  });
});

/** The store's methods on a plain object, so one can be left out. */
function bound(store: MemoryStore): Record<string, unknown> {
  return Object.fromEntries(STORE_METHODS.map((name) => [name, (store[name] as (...a: unknown[]) => unknown).bind(store)]));
}
