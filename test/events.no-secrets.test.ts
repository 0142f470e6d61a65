/**
 * No audit event ever carries a secret: over a run that uses every scheme with valid,
 * invalid and expired credentials, a lockout, an expired password, logouts, revocations
 * and a store outage, every event — serialised, with its error and the error's causes
 * walked — is searched for every password, bcrypt hash, token, key, cookie value,
 * session id and CSRF token the run saw, and for the SHA-256 hex of each.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { AUDIT_EVENT_TYPES, type AuditEvent } from '../src';
import { ALICE_PASSWORD, BOB_PASSWORD, CONFIG_API_KEY } from './helpers/app';
import { sessionCookie } from './helpers/cookie';
import { eventApp, StoreDown, type EventApp } from './helpers/events';
import { forge, localClaims } from './helpers/jwt';
import { totpCode } from '../src/second-factor/totp';

const MINUTE = 60_000;
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
const sha256hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** An event as a host's logger would write it: JSON, with errors (and their causes) spelled out. */
function serialised(event: AuditEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => {
    if (!(value instanceof Error)) return value;
    return { ...value, name: value.name, message: value.message, stack: value.stack, cause: (value as { cause?: unknown }).cause };
  });
}

describe('audit events never carry a secret', () => {
  let t: EventApp;
  const secrets = new Set<string>();
  const secret = (value: string | undefined | null) => {
    if (typeof value !== 'string' || value === '') throw new Error(`expected a secret, got ${String(value)}`);
    secrets.add(value);
    secrets.add(sha256hex(value));
    return value;
  };
  const https = (test: request.Test) => test.set('X-Forwarded-Proto', 'https');

  beforeAll(async () => {
    // A login shaper whose answer JSON cannot send: each login reports callback.error, with
    // the body (token, CSRF token) at hand, and sends Gatehouse's own body.
    t = await eventApp({
      lockout: { maxAttempts: 3 },
      passwordChange: {},
      rateLimits: {},
      secondFactor: { encryptionKeys: [secret('d'.repeat(64))] },
      selfService: { recordIp: true },
      responses: { login: (body) => ({ ...body, sentAt: BigInt(1) }) },
      // A provider that cannot be reached (port 1 on loopback: nothing listens there).
      oidc: { providers: { test: { issuer: 'http://127.0.0.1:1', clientId: 'gatehouse', clientSecret: secret('an-oidc-client-secret-9912'), redirectUri: 'http://127.0.0.1/v1/oidc/test/callback' } } },
    });
    const carol = await t.store.addUser({ login: 'carol@example.org', password: 'carol-expired-password', passwordExpiresAt: 0 });
    expect(carol.id).toBeDefined();
    for (const password of [ALICE_PASSWORD, BOB_PASSWORD, 'carol-expired-password', 'wrong-password-7781', CONFIG_API_KEY]) secret(password);
    for (const login of ['alice@example.org', 'bob@example.org', 'carol@example.org']) secret((await t.store.findCredentials(login))!.passwordHash);
    const app = t.app;

    // sessionToken: login, use, a forged token, an expired one, a revoked one; logout.
    const login = await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(login.status).toBe(200);
    const session = secret(login.body.token);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${session}`)).status).toBe(200);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${secret(`${session.slice(0, -4)}AAAA`)}`)).status).toBe(401);
    const shortLived = secret((await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session', ttl: MINUTE })).token);
    const revoked = secret((await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' })).token);
    expect(await t.auth.tokens.revoke(revoked)).toBe(true);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${revoked}`)).body.code).toBe('401.2');

    // appUserUrl: valid, unknown, a session token in the URL, expired.
    const device = secret((await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' })).token);
    const deviceShort = secret((await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser', ttl: MINUTE })).token);
    expect((await request(app).get(`/v1/key/${device}/forms`)).status).toBe(200);
    expect((await request(app).get(`/v1/key/${secret(`${device.slice(0, -4)}AAAA`)}/forms`)).status).toBe(401);
    expect((await request(app).get(`/v1/key/${session}/forms`)).status).toBe(401);

    // apiKey: configured key in the header and the query, a store-issued key, wrong keys.
    const storeKey = secret((await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', label: 'ci' })).token);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${CONFIG_API_KEY}`)).status).toBe(200);
    expect((await request(app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`)).status).toBe(200);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${storeKey}`)).status).toBe(200);
    // A key over its rate limit (limit.exceeded).
    const limitedKey = secret((await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', limits: [{ name: 'burst', limit: 1, window: '1h' }] })).token);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${limitedKey}`)).status).toBe(200);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${limitedKey}`)).status).toBe(429);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${secret('not-a-key-0192837465')}`)).status).toBe(401);
    expect((await request(app).get(`/v1/projects?apiKey=${secret('not-a-key-5647382910')}`)).status).toBe(401);

    // Store-issued API keys as a product: created, updated, disabled, enabled, rotated, and (below) expired.
    const product = await t.auth.tokens.create({ actorId: t.alice.id, label: 'portal', metadata: { plan: 'pro' }, expiresIn: 10 * MINUTE });
    secret(product.key);
    expect(await t.auth.tokens.update(product.id, { label: 'portal 2' })).not.toBeNull();
    expect(await t.auth.tokens.disable(product.id)).toBe(true);
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${product.key}`)).body.code).toBe('401.2');
    expect(await t.auth.tokens.enable(product.id)).toBe(true);
    secret((await t.auth.tokens.rotate(product.id, { grace: MINUTE }))!.key);

    // jwt: authenticate, use, forged, refresh, reuse of a rotated refresh token, verify, expired, logout.
    const pair = await request(app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(pair.status).toBe(200);
    const access = secret(pair.body.access);
    const refresh = secret(pair.body.refresh);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${access}`)).status).toBe(200);
    const forged = secret(forge(localClaims(t.alice.id, Math.floor(t.clock.now() / 1000)), 'another-secret-that-is-32-bytes-long!!'));
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${forged}`)).status).toBe(401);
    const rotated = await request(app).post('/v1/jwt/refresh').send({ refresh });
    expect(rotated.status).toBe(200);
    secret(rotated.body.access);
    secret(rotated.body.refresh);
    expect((await request(app).post('/v1/jwt/verify').send({ token: access })).status).toBe(200);
    expect((await request(app).post('/v1/jwt/refresh').send({ refresh })).status).toBe(401);
    const late = await request(app).post('/v1/jwt/authenticate').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    const lateAccess = secret(late.body.access);
    const lateRefresh = secret(late.body.refresh);
    const second = await request(app).post('/v1/jwt/authenticate').send({ login: 'bob@example.org', password: BOB_PASSWORD });
    const bobAccess = secret(second.body.access);
    secret(second.body.refresh);
    expect((await request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${bobAccess}`)).status).toBe(200);

    // basic: over HTTPS right and wrong, over plain HTTP.
    expect((await https(request(app).get('/v1/projects')).set('Authorization', secret(basic('alice@example.org', ALICE_PASSWORD)))).status).toBe(200);
    expect((await https(request(app).get('/v1/projects')).set('Authorization', secret(basic('alice@example.org', 'wrong-password-7781')))).status).toBe(401);
    expect((await request(app).get('/v1/projects').set('Authorization', basic('alice@example.org', ALICE_PASSWORD))).body.code).toBe('401.3');

    // Lockout and an expired password.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await request(app).post('/v1/sessions').send({ login: 'bob@example.org', password: 'wrong-password-7781' })).body.code).toBe('401.2');
    }
    expect((await request(app).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD })).body.code).toBe('403.2');
    expect((await https(request(app).get('/v1/projects')).set('Authorization', secret(basic('bob@example.org', BOB_PASSWORD)))).body.code).toBe('403.2');
    const expired = await request(app).post('/v1/sessions').send({ login: 'carol@example.org', password: 'carol-expired-password' });
    expect(expired.body.code).toBe('403.3');
    // The change step: the expired password again refused, then a new one set; the ticket and both passwords are secrets.
    const changeTicket = secret(expired.body.changeTicket);
    expect((await request(app).post('/v1/sessions/password').send({ ticket: changeTicket, password: 'carol-expired-password' })).body.code).toBe('400.1');
    expect((await request(app).post('/v1/sessions/password').send({ ticket: changeTicket, password: secret('carol-new-password-5521') })).status).toBe(200);

    // cookie: login, use, a cross-origin POST, a POST with the CSRF token, logout, the ended cookie, a forged cookie.
    const browser = await https(request(app).post('/v1/sessions')).send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    expect(browser.status).toBe(200);
    const { pair: cookie } = sessionCookie(browser);
    const cookieValue = secret(cookie.slice(cookie.indexOf('=') + 1));
    const signed = secret(decodeURIComponent(cookieValue));
    secret(signed.slice(2, signed.lastIndexOf('.')));
    const csrf = secret(browser.body.csrf);
    if (browser.body.token) secret(browser.body.token);
    expect((await https(request(app).get('/v1/projects')).set('Cookie', cookie)).status).toBe(200);
    expect((await https(request(app).post('/v1/projects')).set('Cookie', cookie).set('Origin', 'https://evil.example')).body.code).toBe('403.4');
    expect((await https(request(app).post('/v1/projects')).set('Cookie', cookie).set('X-CSRF-Token', csrf)).status).toBe(200);
    expect((await https(request(app).delete('/v1/sessions/current')).set('Cookie', cookie).set('X-CSRF-Token', csrf)).status).toBe(200);
    expect((await https(request(app).get('/v1/projects')).set('Cookie', cookie)).status).toBe(401);
    expect((await https(request(app).get('/v1/projects')).set('Cookie', `__Host-gatehouse=${secret('s%3Aforged-session-id.signature')}`)).status).toBe(401);

    // An administrator ends another user's token; the host ends every credential of bob.
    const admin = secret((await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.token);
    expect((await request(app).delete(`/v1/sessions/${storeKey}`).set('Authorization', `Bearer ${admin}`)).status).toBe(200);
    secret((await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'personal' })).token);
    expect(await t.auth.tokens.revokeAll(t.bob.id)).toBeGreaterThan(0);

    // Expired credentials.
    t.clock.advance(16 * MINUTE);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${shortLived}`)).body.code).toBe('401.4');
    expect((await request(app).get(`/v1/key/${deviceShort}/forms`)).body.code).toBe('401.4');
    expect((await request(app).get('/v1/projects').set('Authorization', `ApiKey ${product.key}`)).body.code).toBe('401.4');
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${lateAccess}`)).body.code).toBe('401.4');

    // A second factor: enrol, confirm, a wrong code, a TOTP code, a recovery code, new codes, off.
    // The secret, the URI, every recovery code and every ticket are secrets.
    await t.store.addUser({ login: 'dave@example.org', password: secret('dave-password-9931') });
    const dave = { login: 'dave@example.org', password: 'dave-password-9931' };
    const daveToken = secret((await request(app).post('/v1/sessions').send(dave)).body.token);
    const enrolment = await request(app).post('/v1/second-factor/totp').set('Authorization', `Bearer ${daveToken}`).send(dave);
    const totpSecret = secret(enrolment.body.secret);
    secret(enrolment.body.uri);
    // Six-digit codes are too short to search for; the secret they come from is searched.
    const confirmCode = totpCode(totpSecret, t.clock.now());
    const { recoveryCodes } = (await request(app).post('/v1/second-factor/totp/confirm').set('Authorization', `Bearer ${daveToken}`).send({ code: confirmCode })).body as { recoveryCodes: string[] };
    for (const code of recoveryCodes) secret(code);
    t.clock.advance(30_000);
    const challenge = async () => secret((await request(app).post('/v1/sessions').send(dave)).body.challengeTicket);
    const firstTicket = await challenge();
    expect((await request(app).post('/v1/second-factor/challenge').send({ ticket: firstTicket, code: confirmCode })).body.code).toBe('401.2');
    const passed = await request(app).post('/v1/second-factor/challenge').send({ ticket: firstTicket, code: totpCode(totpSecret, t.clock.now()) });
    secret(passed.body.token);
    expect((await request(app).post('/v1/second-factor/challenge').send({ ticket: await challenge(), code: recoveryCodes[0] })).status).toBe(200);
    const renewed = await request(app).post('/v1/second-factor/recovery-codes').set('Authorization', `Bearer ${daveToken}`).send(dave);
    for (const code of renewed.body.recoveryCodes as string[]) secret(code);
    expect((await request(app).delete('/v1/second-factor/totp').set('Authorization', `Bearer ${daveToken}`).send(dave)).status).toBe(200);
    // Step-up: alice's first session is 16 minutes old; a 10-minute route refuses it, and
    // re-authentication (the password in the body, a secret) renews it.
    app.get('/v1/recent', t.auth.require({ maxAge: '10m' }), (_req, res) => res.json({}));
    expect((await request(app).get('/v1/recent').set('Authorization', `Bearer ${session}`)).body.code).toBe('401.6');
    const reauthenticated = await request(app).post('/v1/sessions/reauthenticate').set('Authorization', `Bearer ${session}`).send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(reauthenticated.status).toBe(200);
    expect((await request(app).get('/v1/recent').set('Authorization', `Bearer ${session}`)).status).toBe(200);
    // Self-service: bob, locked above, is unlocked; signs in twice, ends the other sign-in by id,
    // signs out everywhere else, and changes his password with a wrong and then the right one.
    expect(await t.auth.lockout.clear('bob@example.org')).toBeGreaterThan(0);
    t.clock.advance(1000);
    const bobLogin = async () => secret((await request(app).post('/v1/sessions').send({ login: 'bob@example.org', password: BOB_PASSWORD })).body.token);
    const bobsMain = await bobLogin();
    const bobsOther = await bobLogin();
    const bobsList = await request(app).get('/v1/account/sessions').set('Authorization', `Bearer ${bobsMain}`);
    const otherId = (bobsList.body.sessions as Array<{ id: string; current: boolean }>).find((entry) => !entry.current)!.id;
    expect((await request(app).delete(`/v1/account/sessions/${otherId}`).set('Authorization', `Bearer ${bobsMain}`)).status).toBe(200);
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${bobsOther}`)).status).toBe(401);
    await bobLogin();
    t.clock.advance(1000);
    expect((await request(app).delete('/v1/account/sessions/others').set('Authorization', `Bearer ${bobsMain}`)).status).toBe(200);
    const newBobPassword = secret('bob-new-password-4471');
    const change = (currentPassword: string) =>
      request(app).post('/v1/account/password').set('Authorization', `Bearer ${bobsMain}`).send({ login: 'bob@example.org', currentPassword, newPassword: newBobPassword });
    expect((await change('wrong-password-7781')).body.code).toBe('401.2');
    expect((await change(BOB_PASSWORD)).status).toBe(200);
    secret((await t.store.findCredentials('bob@example.org'))!.passwordHash);

    // OpenID providers: one that cannot be reached; an identity unlinked with a fresh sign-in.
    expect((await https(request(app).get('/v1/oidc/test/start'))).body.code).toBe('502.1');
    await t.store.linkIdentity({ issuer: 'http://127.0.0.1:1', subject: 'alice-at-test', actorId: t.alice.id, linkedAt: t.clock.now() });
    const fresh = secret((await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.token);
    expect((await request(app).delete('/v1/oidc/identities/test/alice-at-test').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);

    // The store goes away: every scheme that needs it answers 503.1.
    const lastBrowser = await https(request(app).post('/v1/sessions')).send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
    const { pair: lastCookie } = sessionCookie(lastBrowser);
    secret(lastCookie.slice(lastCookie.indexOf('=') + 1));
    secret(lastBrowser.body.csrf);
    if (lastBrowser.body.token) secret(lastBrowser.body.token);
    const lastKey = secret((await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey' })).token);
    t.store.down = true;
    expect((await https(request(app).get('/v1/projects')).set('Cookie', lastCookie)).body.code).toBe('503.1');
    expect((await request(app).get(`/v1/projects?apikey=${lastKey}`)).body.code).toBe('503.1');
    expect((await request(app).get('/v1/projects').set('Authorization', `Bearer ${session}`)).body.code).toBe('503.1');
    expect((await request(app).get(`/v1/key/${device}/forms`)).body.code).toBe('503.1');
    expect((await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD })).body.code).toBe('503.1');
    expect((await request(app).post('/v1/jwt/refresh').send({ refresh: lateRefresh })).body.code).toBe('503.1');
    expect((await https(request(app).get('/v1/projects')).set('Authorization', basic('alice@example.org', ALICE_PASSWORD))).body.code).toBe('503.1');
    expect((await request(app).delete('/v1/sessions/current').set('Authorization', `Bearer ${session}`)).body.code).toBe('503.1');
    t.store.down = false;
  }, 60_000);

  it('exercises every event type (so the search below covers them all)', () => {
    expect(new Set(t.events.map((event) => event.type))).toEqual(new Set(AUDIT_EVENT_TYPES));
  });

  it('no event, serialised with its error and causes, contains a password, hash, token, key, cookie, session id or their SHA-256', () => {
    expect(secrets.size).toBeGreaterThan(40);
    for (const value of secrets) expect(value.length).toBeGreaterThanOrEqual(8);
    const leaks = t.events.flatMap((event) => {
      const text = serialised(event);
      return [...secrets].filter((value) => text.includes(value)).map((value) => `${event.type} carries ${value.slice(0, 12)}…`);
    });
    expect(leaks).toEqual([]);
  });

  it('each 503.1 answered reports the object the store threw, once', () => {
    const errors = t.ofType('store.error').map((event) => event.error);
    expect(errors).toHaveLength(8); // one per 503.1 answered above
    for (const error of errors) expect(error).toBeInstanceOf(StoreDown);
  });
});
