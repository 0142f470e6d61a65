/**
 * TOTP second factor over each store, with two instances sharing it (README, "Second factor"):
 * enrolment answers the secret once and keeps it sealed; a right password of an enrolled user
 * answers 401.5 with a challenge ticket and no credential; the ticket and a code hand out what
 * the login would have. Codes, recovery codes and tickets each work once, on either instance;
 * wrong codes lock the actor as wrong passwords do; revokeAll refuses a ticket issued before it.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type Actor, type Gatehouse, type SecondFactorStore } from '../src';
import { totpCode } from '../src/second-factor/totp';
import { BACKENDS, useBackends } from './helpers/backends';
import { realNow } from './helpers/clock';

const backends = useBackends('second-factor');
const KEYS = ['k'.repeat(43), 'a'.repeat(64)];
const JWT_SECRET = 'second-factor-test-jwt-secret-of-32+chars';
const PASSWORD = 'correct horse battery';

describe.each(BACKENDS)('TOTP over %s, two instances', (backend) => {
  async function setup(options: { lockout?: { maxAttempts: number }; selfService?: boolean } = {}) {
    const users = new MemoryStore({ passwordCost: 10 });
    const alice = await users.addUser({ login: 'alice@example.org', password: PASSWORD });
    const bob = await users.addUser({ login: 'bob@example.org', password: PASSWORD });
    let now = realNow();
    const clock = { now: () => now, advance: (ms: number) => (now += ms) };
    const stores: Array<Required<SecondFactorStore>> = [];
    const instance = () => {
      const store = backends.storeFor(backend, users);
      stores.push(store as unknown as Required<SecondFactorStore>);
      const auth = gatehouse({ store, now: clock.now, jwt: { secret: JWT_SECRET }, secondFactor: { encryptionKeys: KEYS }, ...(options.lockout ? { lockout: options.lockout } : {}), ...(options.selfService ? { selfService: {} } : {}) });
      const app = express();
      app.use('/v1', auth.routes());
      app.use('/v1', auth.authenticate());
      app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
      return { app, auth };
    };
    const a = instance();
    const b = instance();
    return { users, alice, bob, clock, a, b, store: stores[0] };
  }

  type Setup = Awaited<ReturnType<typeof setup>>;

  const login = (app: express.Express, who = 'alice@example.org') => request(app).post('/v1/sessions').send({ login: who, password: PASSWORD });

  /** Enrols and confirms TOTP for `who` on `app`; resolves to the secret and the recovery codes. */
  async function enrol(t: Setup, app: express.Express, who = 'alice@example.org') {
    const { token } = (await login(app, who)).body as { token: string };
    const started = await request(app).post('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({ login: who, password: PASSWORD });
    expect(started.status).toBe(200);
    expect(started.headers['cache-control']).toBe('no-store');
    const { secret, uri } = started.body as { secret: string; uri: string };
    expect(uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:.+\?.*secret=[A-Z2-7]+/);
    const confirmed = await request(app).post('/v1/second-factor/totp/confirm').set('Authorization', `Bearer ${token}`).send({ code: totpCode(secret, t.clock.now()) });
    expect(confirmed.status).toBe(200);
    // The confirming code is spent: the next step's code answers the first challenge.
    t.clock.advance(30_000);
    return { secret, recoveryCodes: confirmed.body.recoveryCodes as string[], token };
  }

  async function challenged(app: express.Express, who = 'alice@example.org') {
    const response = await login(app, who);
    expect(response.status).toBe(401);
    return response.body.challengeTicket as string;
  }

  it('answers the secret once and stores it sealed; a login then answers 401.5 with a ticket and no credential', async () => {
    const t = await setup();
    const { secret, recoveryCodes } = await enrol(t, t.a.app);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const [stored] = await t.store.findSecondFactors(t.alice.id);
    expect(stored).toMatchObject({ kind: 'totp', id: 'totp' });
    expect(stored.confirmedAt).not.toBeNull();
    expect(stored.secret).not.toContain(secret);

    const response = await login(t.b.app);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body).toMatchObject({ code: '401.5', factors: ['totp', 'recovery'] });
    expect(typeof response.body.challengeTicket).toBe('string');
    expect(response.body.token).toBeUndefined();
  });

  it('hands out the session token on the other instance; the same code is refused the second time on either', async () => {
    const t = await setup();
    const { secret } = await enrol(t, t.a.app);
    const code = totpCode(secret, t.clock.now());
    const first = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.a.app), code });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect((await request(t.a.app).get('/v1/me').set('Authorization', `Bearer ${first.body.token}`)).body).toEqual({ id: t.alice.id });

    for (const app of [t.a.app, t.b.app]) {
      const again = await request(app).post('/v1/second-factor/challenge').send({ ticket: await challenged(app), code });
      expect([again.status, again.body.code]).toEqual([401, '401.2']);
    }
  });

  it('refuses a ticket the second time, on either instance, even with a fresh code', async () => {
    const t = await setup();
    const { secret } = await enrol(t, t.a.app);
    const ticket = await challenged(t.a.app);
    expect((await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket, code: totpCode(secret, t.clock.now()) })).status).toBe(200);
    t.clock.advance(30_000);
    const replay = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket, code: totpCode(secret, t.clock.now()) });
    expect([replay.status, replay.body.code]).toEqual([401, '401.2']);
  });

  it('takes each recovery code once', async () => {
    const t = await setup();
    const { recoveryCodes } = await enrol(t, t.a.app);
    const used = await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.a.app), code: recoveryCodes[3].toUpperCase() });
    expect(used.status).toBe(200);
    const again = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.b.app), code: recoveryCodes[3] });
    expect([again.status, again.body.code]).toEqual([401, '401.2']);
    expect(await t.store.countRecoveryCodes(t.alice.id)).toBe(9);
  });

  it('counts wrong codes toward the lockout that passwords use: a right password and a right code are then locked out', async () => {
    const t = await setup({ lockout: { maxAttempts: 4 } });
    const { secret } = await enrol(t, t.a.app);
    const ticket = await challenged(t.a.app); // the password's check counts 1 until a code passes
    for (const app of [t.a.app, t.b.app, t.a.app]) {
      const wrong = await request(app).post('/v1/second-factor/challenge').send({ ticket, code: '000000' === totpCode(secret, t.clock.now()) ? '111111' : '000000' });
      expect(wrong.body.code).toBe('401.2');
    }
    const locked = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket, code: totpCode(secret, t.clock.now()) });
    expect([locked.status, locked.body.code]).toEqual([403, '403.2']);
    expect((await login(t.a.app)).body.code).toBe('403.2');
  });

  it('refuses a ticket whose password came before tokens.revokeAll', async () => {
    const t = await setup();
    const { secret } = await enrol(t, t.a.app);
    const ticket = await challenged(t.a.app);
    t.clock.advance(1);
    await t.b.auth.tokens.revokeAll(t.alice.id);
    const refused = await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket, code: totpCode(secret, t.clock.now()) });
    expect([refused.status, refused.body.code]).toEqual([401, '401.2']);
  });

  it("refuses one actor's ticket with another actor's code", async () => {
    const t = await setup();
    const alice = await enrol(t, t.a.app);
    await enrol(t, t.a.app, 'bob@example.org');
    const refused = await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.a.app, 'bob@example.org'), code: totpCode(alice.secret, t.clock.now()) });
    expect([refused.status, refused.body.code]).toEqual([401, '401.2']);
  });

  it('hands out a JWT pair when the challenged login was POST /jwt/authenticate', async () => {
    const t = await setup();
    const { secret } = await enrol(t, t.a.app);
    const first = await request(t.a.app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: PASSWORD });
    expect([first.status, first.body.code]).toEqual([401, '401.5']);
    expect(first.body.access).toBeUndefined();
    const pair = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket: first.body.challengeTicket, code: totpCode(secret, t.clock.now()) });
    expect(pair.status).toBe(200);
    expect(Object.keys(pair.body).sort()).toEqual(['access', 'accessExpiresAt', 'refresh', 'refreshExpiresAt']);
    expect((await request(t.a.app).get('/v1/me').set('Authorization', `Bearer ${pair.body.access}`)).body).toEqual({ id: t.alice.id });
  });

  it('turns TOTP off only with the password again; logins then need no code', async () => {
    const t = await setup();
    const { token } = await enrol(t, t.a.app);
    // The sign-in behind the token is older than secondFactor.recentSignIn (5 min): its authTime no longer counts.
    t.clock.advance(5 * 60_000 + 1);
    const bare = await request(t.a.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({});
    expect([bare.status, bare.body.code]).toEqual([401, '401.2']);
    const wrong = await request(t.a.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({ login: 'alice@example.org', password: 'not it' });
    expect(wrong.body.code).toBe('401.2');
    const other = await request(t.a.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({ login: 'bob@example.org', password: PASSWORD });
    expect(other.body.code).toBe('401.2');
    const done = await request(t.b.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({ login: 'alice@example.org', password: PASSWORD });
    expect([done.status, done.body]).toEqual([200, { success: true }]);
    expect(await t.store.findSecondFactors(t.alice.id)).toEqual([]);
    expect(await t.store.countRecoveryCodes(t.alice.id)).toBe(0);
    expect((await login(t.a.app)).status).toBe(200);
  });

  it('lets an enrolled user prove the password again (re-authentication, a signed-in password change) any number of times without locking the login', async () => {
    const t = await setup({ lockout: { maxAttempts: 2 }, selfService: true });
    const { secret } = await enrol(t, t.a.app);
    const signedIn = await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.a.app), code: totpCode(secret, t.clock.now()) });
    const token = signedIn.body.token as string;
    for (let i = 0; i < 3; i += 1) {
      const again = await request(t.b.app).post('/v1/sessions/reauthenticate').set('Authorization', `Bearer ${token}`).send({ login: 'alice@example.org', password: PASSWORD });
      expect([again.status, again.body.amr]).toEqual([200, ['pwd']]);
    }
    const change = (currentPassword: string, newPassword: string) =>
      request(t.a.app).post('/v1/account/password').set('Authorization', `Bearer ${token}`).send({ login: 'alice@example.org', currentPassword, newPassword, end: 'none' });
    expect((await change(PASSWORD, `${PASSWORD} again`)).status).toBe(200);
    expect((await change(`${PASSWORD} again`, PASSWORD)).status).toBe(200);
    // Still no lock: the login answers its challenge, not 403.2.
    expect((await login(t.b.app)).body.code).toBe('401.5');
  });

  it('records the sign-in of the second step as a login does: its device in the sign-in list, its proof as pwd + otp (acr mfa)', async () => {
    const t = await setup({ selfService: true });
    const { secret } = await enrol(t, t.a.app);
    const userAgent = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const signedIn = await request(t.b.app).post('/v1/second-factor/challenge').set('User-Agent', userAgent).send({ ticket: await challenged(t.a.app), code: totpCode(secret, t.clock.now()) });
    expect(signedIn.status).toBe(200);
    const listed = await request(t.a.app).get('/v1/account/sessions').set('Authorization', `Bearer ${signedIn.body.token}`);
    expect(listed.status).toBe(200);
    const current = (listed.body.sessions as Array<{ current: boolean; userAgent: string | null }>).find((entry) => entry.current);
    expect(current?.userAgent).toBe(userAgent);
    t.a.app.get('/v1/strong', t.a.auth.require({ acr: 'mfa' }), (req, res) => res.json({ amr: req.authInfo?.amr, acr: req.authInfo?.acr }));
    expect((await request(t.a.app).get('/v1/strong').set('Authorization', `Bearer ${signedIn.body.token}`)).body).toEqual({ amr: ['pwd', 'otp'], acr: 'mfa' });
  });

  it('turns TOTP off and renews recovery codes without the password within secondFactor.recentSignIn of the sign-in (req.authInfo.authTime), and not after', async () => {
    const t = await setup();
    const { secret } = await enrol(t, t.a.app);
    // A sign-in through the second step: its credential records when the password was proven.
    const signedIn = await request(t.a.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.a.app), code: totpCode(secret, t.clock.now()) });
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.token as string;
    t.clock.advance(4 * 60_000);
    const renewed = await request(t.b.app).post('/v1/second-factor/recovery-codes').set('Authorization', `Bearer ${token}`).send({});
    expect(renewed.status).toBe(200);
    expect(renewed.body.recoveryCodes).toHaveLength(10);
    t.clock.advance(60_000 + 1);
    const late = await request(t.b.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send({});
    expect([late.status, late.body.code]).toEqual([401, '401.2']);
    expect(await t.store.findSecondFactors(t.alice.id)).toHaveLength(1);

    const fresh = await request(t.b.app).post('/v1/second-factor/challenge').send({ ticket: await challenged(t.b.app), code: totpCode(secret, t.clock.now()) });
    const done = await request(t.a.app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${fresh.body.token}`).send({});
    expect([done.status, done.body]).toEqual([200, { success: true }]);
    expect(await t.store.findSecondFactors(t.alice.id)).toEqual([]);
  });
});

describe('Actors without a confirmed factor', () => {
  it('log in with the password alone, also while an enrolment waits for its first code', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    await users.addUser({ login: 'carol@example.org', password: PASSWORD });
    const auth: Gatehouse = gatehouse({ store: users, secondFactor: { encryptionKeys: KEYS } });
    const app = express();
    app.use(auth.routes());
    const { token } = (await request(app).post('/sessions').send({ login: 'carol@example.org', password: PASSWORD })).body as { token: string };
    expect((await request(app).post('/second-factor/totp').set('Authorization', `Bearer ${token}`).send({ login: 'carol@example.org', password: PASSWORD })).status).toBe(200);
    const again = await request(app).post('/sessions').send({ login: 'carol@example.org', password: PASSWORD });
    expect(again.status).toBe(200);
    const carol = (await users.findCredentials('carol@example.org'))!.actor as Actor;
    expect(await users.findSecondFactors(carol.id)).toHaveLength(1);
  });
});
