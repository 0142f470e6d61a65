/**
 * Login events: a host sees each password check's verdict — succeeded, failed, locked,
 * expired — with the scheme, the normalised login, the client's address and the code.
 */
import request from 'supertest';
import { ALICE_PASSWORD, BOB_PASSWORD } from './helpers/app';
import { eventApp } from './helpers/events';

const CLIENT = '203.0.113.9';
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;

describe('login events', () => {
  it('should report a successful login with the scheme it opens, the actor, the login and the client address', async () => {
    const t = await eventApp();
    const post = (body: object) => request(t.app).post('/v1/sessions').set('X-Forwarded-For', CLIENT).set('X-Forwarded-Proto', 'https').send(body);
    expect((await post({ login: ' Alice@Example.org', password: ALICE_PASSWORD })).status).toBe(200);
    expect((await post({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true })).status).toBe(200);
    expect((await request(t.app).post('/v1/jwt/authenticate').set('X-Forwarded-For', CLIENT).send({ email: 'alice@example.org', password: ALICE_PASSWORD })).status).toBe(200);
    const base = { type: 'login.succeeded', time: new Date(t.clock.now()), actorId: t.alice.id, ip: CLIENT, code: null, login: 'alice@example.org' };
    expect(t.ofType('login.succeeded')).toEqual([
      { ...base, scheme: 'sessionToken' },
      { ...base, scheme: 'cookie' },
      { ...base, scheme: 'jwt' },
    ]);
  });

  it('should report a wrong password and an unknown login as the same login.failed, without an actor', async () => {
    const t = await eventApp();
    await request(t.app).post('/v1/sessions').set('X-Forwarded-For', CLIENT).send({ login: 'alice@example.org', password: 'not it' });
    await request(t.app).post('/v1/jwt/authenticate').set('X-Forwarded-For', CLIENT).send({ login: 'nobody@example.org', password: 'not it' });
    expect(t.ofType('login.failed')).toEqual([
      { type: 'login.failed', time: expect.any(Date), scheme: 'sessionToken', actorId: null, ip: CLIENT, code: '401.2', login: 'alice@example.org' },
      { type: 'login.failed', time: expect.any(Date), scheme: 'jwt', actorId: null, ip: CLIENT, code: '401.2', login: 'nobody@example.org' },
    ]);
    expect(t.ofType('login.succeeded')).toEqual([]);
  });

  it('should report login.locked with the time remaining once the lockout holds', async () => {
    const t = await eventApp({ lockout: { maxAttempts: 2, duration: 60_000 } });
    for (let attempt = 0; attempt < 2; attempt += 1) await request(t.app).post('/v1/sessions').send({ login: 'bob@example.org', password: 'not it' });
    const locked = await request(t.app).post('/v1/sessions').set('X-Forwarded-For', CLIENT).send({ login: 'bob@example.org', password: BOB_PASSWORD });
    expect(locked.body.code).toBe('403.2');
    expect(t.ofType('login.failed')).toHaveLength(2);
    expect(t.ofType('login.locked')).toEqual([
      {
        type: 'login.locked', time: expect.any(Date), scheme: 'sessionToken', actorId: null, ip: CLIENT, code: '403.2',
        login: 'bob@example.org', lockoutTimeRemaining: locked.body.lockoutTimeRemaining,
      },
    ]);
    expect(typeof locked.body.lockoutTimeRemaining).toBe('number');
  });

  it('should report password.expired only after the right password', async () => {
    const t = await eventApp();
    await t.store.addUser({ login: 'carol@example.org', password: 'carol password', passwordExpiresAt: 0 });
    await request(t.app).post('/v1/sessions').send({ login: 'carol@example.org', password: 'wrong password' });
    expect(t.ofType('password.expired')).toEqual([]);
    expect((await request(t.app).post('/v1/sessions').set('X-Forwarded-For', CLIENT).send({ login: 'carol@example.org', password: 'carol password' })).body.code).toBe('403.3');
    expect(t.ofType('password.expired')).toEqual([
      { type: 'password.expired', time: expect.any(Date), scheme: 'sessionToken', actorId: null, ip: CLIENT, code: '403.3', login: 'carol@example.org' },
    ]);
  });

  it('should report Basic failures as login events with scheme basic, and not every successful Basic request', async () => {
    const t = await eventApp();
    const get = (authorization: string) => request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', CLIENT).set('Authorization', authorization);
    expect((await get(basic('alice@example.org', ALICE_PASSWORD))).status).toBe(200);
    expect((await get(basic('alice@example.org', 'not it'))).status).toBe(401);
    expect(t.ofType('login.succeeded')).toEqual([]);
    expect(t.ofType('login.failed')).toEqual([
      { type: 'login.failed', time: expect.any(Date), scheme: 'basic', actorId: null, ip: CLIENT, code: '401.2', login: 'alice@example.org' },
    ]);
  });

  it('should not report a login refused before any password check (a malformed body) as a failed login', async () => {
    const t = await eventApp();
    expect((await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org' })).body.code).toBe('400.1');
    expect(t.events).toEqual([]);
  });
});
