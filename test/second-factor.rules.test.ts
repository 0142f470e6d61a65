/**
 * The second factor's rules that hold whatever the store (README, "Second factor"): the option
 * is checked at construction with coded errors; secrets open under any configured key and fail
 * closed under none; a forged ticket costs no store call and no bcrypt; enrolment is asked about
 * only after a right password; Basic refuses enrolled actors (personal tokens still work); a
 * challenged cookie login gets its cookie from the second step, under the same origin rules.
 */
import express from 'express';
import request from 'supertest';
import { GatehouseConfigError, gatehouse, MemoryStore, PasswordHasher, type GatehouseOptions } from '../src';
import { totpCode } from '../src/second-factor/totp';
import { ALICE_PASSWORD, BOB_PASSWORD, type TestApp } from './helpers/app';
import { cookieApp, sessionCookie } from './helpers/cookie';
import { realNow } from './helpers/clock';

const KEY_A = 'a'.repeat(64);
const KEY_B = Buffer.alloc(32, 7).toString('base64');
const ALICE = { login: 'alice@example.org', password: ALICE_PASSWORD };

function configError(options: Partial<GatehouseOptions>): GatehouseConfigError {
  try {
    gatehouse({ store: new MemoryStore(), ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(GatehouseConfigError);
    return error as GatehouseConfigError;
  }
  throw new Error('constructed');
}

describe('The secondFactor option', () => {
  it('needs encryptionKeys', () => {
    expect(configError({ secondFactor: {} as never })).toMatchObject({ code: 'GATEHOUSE_MISSING_OPTION', option: 'secondFactor.encryptionKeys' });
  });

  it('refuses a key that is not 32 bytes, naming its place and never repeating it', () => {
    const error = configError({ secondFactor: { encryptionKeys: [KEY_A, 'short-secret-value'] } });
    expect(error).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'secondFactor.encryptionKeys[1]' });
    expect(error.message).not.toContain('short-secret-value');
  });

  it('refuses one key listed twice, an empty list, and a ticketTtl of 0', () => {
    expect(configError({ secondFactor: { encryptionKeys: [KEY_A, Buffer.from(KEY_A, 'hex')] } }).code).toBe('GATEHOUSE_CONFLICTING_OPTIONS');
    expect(configError({ secondFactor: { encryptionKeys: [] } }).option).toBe('secondFactor.encryptionKeys');
    expect(configError({ secondFactor: { encryptionKeys: [KEY_A], ticketTtl: 0 } }).option).toBe('secondFactor.ticketTtl');
  });

  it('names the store methods it needs', () => {
    const users = new MemoryStore();
    const store = { findCredentials: users.findCredentials.bind(users), findActor: users.findActor.bind(users) };
    const error = configError({ store, sessionToken: false, appUserUrl: false, apiKeys: false, lockout: false, secondFactor: { encryptionKeys: [KEY_A] } });
    expect(error.code).toBe('GATEHOUSE_STORE_METHODS_MISSING');
    expect(error.message).toContain('findSecondFactors()');
    expect(error.message).toContain('markOneTimeUse()');
  });
});

describe('A TOTP user', () => {
  let now = realNow();
  const clock = () => now;

  async function enrolled(keys: string[] = [KEY_A], options: Partial<GatehouseOptions> = {}, store?: MemoryStore) {
    const t = await cookieApp({ now: clock, secondFactor: { encryptionKeys: keys }, basic: {}, ...options }, store);
    const token = (await request(t.app).post('/v1/sessions').send(ALICE)).body.token as string;
    const { secret } = (await request(t.app).post('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send(ALICE)).body as { secret: string };
    const confirmed = await request(t.app).post('/v1/second-factor/totp/confirm').set('Authorization', `Bearer ${token}`).send({ code: totpCode(secret, now) });
    expect(confirmed.status).toBe(200);
    now += 30_000;
    return { t, secret, token };
  }

  const ticketOf = async (t: TestApp, body: object = ALICE) => (await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send(body)).body.challengeTicket as string;

  it('is refused a second enrolment while the first is confirmed (403.1)', async () => {
    const { t, token } = await enrolled();
    const again = await request(t.app).post('/v1/second-factor/totp').set('Authorization', `Bearer ${token}`).send(ALICE);
    expect([again.status, again.body.code]).toEqual([403, '403.1']);
  });

  it('signs in under a rotated key list while the old key is still listed, and fails closed (503.1) once it is not', async () => {
    const { t, secret } = await enrolled([KEY_A]);
    const rotated = gatehouse({ store: t.store, now: clock, secondFactor: { encryptionKeys: [KEY_B, KEY_A] } });
    const app = express().use(rotated.routes());
    const ticket = (await request(app).post('/sessions').send(ALICE)).body.challengeTicket as string;
    expect((await request(app).post('/second-factor/challenge').send({ ticket, code: totpCode(secret, now) })).status).toBe(200);

    now += 30_000;
    const retired = express().use(gatehouse({ store: t.store, now: clock, secondFactor: { encryptionKeys: [KEY_B] } }).routes());
    const retiredTicket = (await request(retired).post('/sessions').send(ALICE)).body.challengeTicket as string;
    const refused = await request(retired).post('/second-factor/challenge').send({ ticket: retiredTicket, code: totpCode(secret, now) });
    expect([refused.status, refused.body.code]).toEqual([503, '503.1']);
  });

  /** A store whose methods are spied on before Gatehouse guards (and so binds) them. */
  function spiedStore(names: ReadonlyArray<keyof MemoryStore>) {
    const store = new MemoryStore({ passwordCost: 10 });
    const spies = names.map((name) => jest.spyOn(store, name as never));
    return { store, spies };
  }

  it('gets 401.2 for a forged ticket with no store call, no lockout count and no bcrypt', async () => {
    const { store, spies } = spiedStore(['findSecondFactors', 'markOneTimeUse', 'recordFailedAttempt', 'findActor', 'findCredentials', 'consumeRecoveryCode']);
    const { t, secret } = await enrolled([KEY_A], {}, store);
    const ticket = await ticketOf(t);
    const [payload, mac] = ticket.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const otherActor = `${Buffer.from(JSON.stringify({ ...claims, a: t.bob.id })).toString('base64url')}.${mac}`;
    const forged = `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const spy of spies) spy.mockClear();
    const bcrypt = [jest.spyOn(PasswordHasher.prototype, 'verify'), jest.spyOn(PasswordHasher.prototype, 'verifyDummy')];
    for (const bad of [forged, otherActor, `${payload}x.${mac}`, 'not-a-ticket', `${payload}.${mac}.extra`]) {
      const res = await request(t.app).post('/v1/second-factor/challenge').send({ ticket: bad, code: totpCode(secret, now) });
      expect([res.status, res.body.code]).toEqual([401, '401.2']);
    }
    for (const spy of [...spies, ...bcrypt]) expect(spy).not.toHaveBeenCalled();
  });

  it('gets 401.4 for a ticket past secondFactor.ticketTtl', async () => {
    const { t, secret } = await enrolled();
    const ticket = await ticketOf(t);
    now += 5 * 60_000;
    const res = await request(t.app).post('/v1/second-factor/challenge').send({ ticket, code: totpCode(secret, now) });
    expect([res.status, res.body.code]).toEqual([401, '401.4']);
  });

  it('is asked about only after a right password: a wrong one does what it does for anyone', async () => {
    const { store, spies: [lookups] } = spiedStore(['findSecondFactors']);
    const { t } = await enrolled([KEY_A], {}, store);
    lookups.mockClear();
    const wrong = await request(t.app).post('/v1/sessions').send({ login: ALICE.login, password: 'wrong password' });
    expect([wrong.status, wrong.body.code]).toEqual([401, '401.2']);
    expect(lookups).not.toHaveBeenCalled();
    // A right password looks the factors up once, enrolled or not: the same work either way.
    expect((await request(t.app).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD })).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1);
    expect((await request(t.app).post('/v1/sessions').send(ALICE)).status).toBe(401);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('is refused Basic with 401.5 and no ticket; a personal token still works, and Basic still works for others', async () => {
    const { t } = await enrolled();
    const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
    const refused = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', basic(ALICE.login, ALICE.password));
    expect([refused.status, refused.body.code]).toEqual([401, '401.5']);
    expect(refused.body.challengeTicket).toBeUndefined();
    expect(refused.body.detail).toMatch(/personal token/);
    const bob = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Authorization', basic('bob@example.org', BOB_PASSWORD));
    expect(bob.status).toBe(200);
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('gets the cookie from the second step of a cookie login, which keeps the login-CSRF rule', async () => {
    const { t, secret } = await enrolled();
    const first = await request(t.app).post('/v1/sessions').set('X-Forwarded-Proto', 'https').send({ ...ALICE, session: true });
    expect([first.status, first.body.code]).toEqual([401, '401.5']);
    expect(first.headers['set-cookie']).toBeUndefined();
    const crossSite = await request(t.app)
      .post('/v1/second-factor/challenge')
      .set('X-Forwarded-Proto', 'https')
      .set('Sec-Fetch-Site', 'cross-site')
      .send({ ticket: first.body.challengeTicket, code: totpCode(secret, now) });
    expect([crossSite.status, crossSite.body.code]).toEqual([403, '403.4']);
    const second = await request(t.app).post('/v1/second-factor/challenge').set('X-Forwarded-Proto', 'https').send({ ticket: first.body.challengeTicket, code: totpCode(secret, now) });
    expect(second.status).toBe(200);
    expect(second.body.token).toBeUndefined();
    expect(typeof second.body.csrf).toBe('string');
    const { pair } = sessionCookie(second);
    const me = await request(t.app).get('/v1/projects').set('X-Forwarded-Proto', 'https').set('Cookie', pair);
    expect([me.status, me.body.user.id]).toEqual([200, t.alice.id]);
  });
});
