/**
 * Step-up: every credential says when and how its actor proved who they are
 * (`req.authInfo.authTime`, `amr`, `acr`), and `auth.require({ maxAge, acr })` answers 401.6
 * when that sign-in is too old or too weak — on bearer schemes with RFC 9470's challenge.
 */
import express from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { GatehouseConfigError, MemoryStore, type GatehouseOptions } from '../src';
import { ALICE_PASSWORD, CONFIG_API_KEY } from './helpers/app';
import { sessionCookie } from './helpers/cookie';
import { everyCredentialApp } from './helpers/every-credential-app';
import { sessionOn } from './helpers/instances-over';
import { useExternalIssuer } from './helpers/jwks-server';
import { forge, JWT_OPTIONS, localClaims } from './helpers/jwt';
import { thrownBy } from './helpers/thrown';

const LOGIN = { login: 'alice@example.org', password: ALICE_PASSWORD };

/** The auth-params of a `Bearer` challenge, by name, unquoted (RFC 9110 §11.2: `token68` aside, `name=token` or `name="quoted"`). */
function authParams(challenge: string): Record<string, string> {
  expect(challenge.startsWith('Bearer ')).toBe(true);
  const params: Record<string, string> = {};
  const pattern = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z-]+))\s*(?:,|$)/gy;
  const rest = challenge.slice('Bearer '.length);
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(rest)) !== null && match[0] !== '') {
    params[match[1]!.toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    consumed = pattern.lastIndex;
  }
  expect(consumed).toBe(rest.length);
  return params;
}

// RFC 9470 §3, Figures 2 and 3: the resource server's answers, as the RFC prints them (folded).
const RFC_9470_ACR_EXAMPLE = `Bearer error="insufficient_user_authentication",
  error_description="A different authentication level is required",
  acr_values="myACR"`;
const RFC_9470_MAX_AGE_EXAMPLE = `Bearer error="insufficient_user_authentication",
  error_description="More recent authentication is required",
  max_age="5"`;
const unfold = (value: string) => value.replace(/\r?\n\s+/g, ' ');

async function stepUpApp(options: Partial<GatehouseOptions> = {}) {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: ALICE_PASSWORD, roles: ['admin'] });
  const { app, auth, clock, events } = everyCredentialApp(store, options);
  const show = (req: express.Request, res: express.Response) => res.json({ authInfo: req.authInfo });
  app.get('/v1/me', auth.require(), show);
  app.get('/v1/recent', auth.require({ maxAge: '10m' }), show);
  app.get('/v1/five', auth.require({ maxAge: 5000 }), show);
  app.get('/v1/mfa', auth.require({ acr: 'mfa' }), show);
  app.get('/v1/single', auth.require({ acr: 'single' }), show);
  app.get('/v1/my-acr', auth.require({ acr: 'myACR' }), show);
  app.get('/v1/both', auth.require({ maxAge: '10m', acr: ['mfa'] }), show);
  return { app, auth, store, alice, clock, events };
}

describe('every credential says when and how its actor proved who they are', () => {
  it('a password login\'s session token: authTime is the login, amr ["pwd"], acr "single"', async () => {
    const t = await stepUpApp();
    const loggedInAt = t.clock.now;
    const token = await sessionOn(t.app);
    t.clock.now += 60_000;
    const res = await request(t.app).get('/v1/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo).toMatchObject({ scheme: 'sessionToken', authTime: new Date(loggedInAt).toISOString(), amr: ['pwd'], acr: 'single' });
  });

  it('a cookie session says the same, from the session itself', async () => {
    const t = await stepUpApp();
    const loggedInAt = t.clock.now;
    const login = await request(t.app).post('/v1/sessions').send({ ...LOGIN, session: true });
    const { pair } = sessionCookie(login, 'gatehouse');
    t.clock.now += 60_000;
    const res = await request(t.app).get('/v1/me').set('Cookie', pair);
    expect(res.body.authInfo).toMatchObject({ scheme: 'cookie', authTime: new Date(loggedInAt).toISOString(), amr: ['pwd'], acr: 'single' });
  });

  it('a JWT issued here carries auth_time, amr and acr; a refresh keeps the login\'s, not its own time', async () => {
    const t = await stepUpApp();
    const loggedInAt = t.clock.now;
    const pair = await request(t.app).post('/v1/jwt/authenticate').send(LOGIN);
    expect(jwt.decode(pair.body.access)).toMatchObject({ auth_time: loggedInAt / 1000, amr: ['pwd'], acr: 'single' });
    t.clock.now += 5 * 60_000;
    const refreshed = await request(t.app).post('/v1/jwt/refresh').send({ refresh: pair.body.refresh });
    expect(refreshed.status).toBe(200);
    expect(jwt.decode(refreshed.body.access)).toMatchObject({ auth_time: loggedInAt / 1000, amr: ['pwd'], acr: 'single' });
    const res = await request(t.app).get('/v1/me').set('Authorization', `Bearer ${refreshed.body.access}`);
    expect(res.body.authInfo).toMatchObject({ scheme: 'jwt', authTime: new Date(loggedInAt).toISOString(), amr: ['pwd'], acr: 'single' });
  });

  it('Basic proves the password with every request: authTime is now, amr ["pwd"]', async () => {
    const t = await stepUpApp();
    t.app.set('trust proxy', 'loopback');
    t.clock.now += 3_600_000;
    const res = await request(t.app).get('/v1/recent').set('X-Forwarded-Proto', 'https').auth(LOGIN.login, LOGIN.password);
    expect(res.status).toBe(200);
    expect(res.body.authInfo).toMatchObject({ scheme: 'basic', authTime: new Date(t.clock.now).toISOString(), amr: ['pwd'], acr: 'single' });
  });

  it('API keys, app-user keys and personal tokens prove no sign-in: no authTime, amr or acr', async () => {
    const t = await stepUpApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    for (const authorization of [`ApiKey ${CONFIG_API_KEY}`, `Bearer ${token}`]) {
      const res = await request(t.app).get('/v1/me').set('Authorization', authorization);
      expect(res.status).toBe(200);
      expect(res.body.authInfo.authTime).toBeUndefined();
      expect(res.body.authInfo.amr).toBeUndefined();
      expect(res.body.authInfo.acr).toBeUndefined();
    }
  });
});

describe('auth.require({ maxAge, acr }) answers 401.6', () => {
  it('maxAge: a session token from 11 minutes ago is refused on a 10-minute route, with RFC 9470\'s challenge and an event', async () => {
    const t = await stepUpApp();
    const token = await sessionOn(t.app);
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    t.clock.now += 10 * 60_000;
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    t.clock.now += 60_000;
    const res = await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: '401.6', status: 401, maxAge: 600 });
    expect(res.body.acrValues).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="600"');
    expect(t.events.filter((event) => event.type === 'stepUp.refused')).toEqual([
      expect.objectContaining({ type: 'stepUp.refused', scheme: 'sessionToken', actorId: t.alice.id, code: '401.6', maxAge: 600, acrValues: null }),
    ]);
  });

  it('the challenges match RFC 9470\'s own examples (§3, Figures 2 and 3), realm aside', async () => {
    const t = await stepUpApp();
    const token = await sessionOn(t.app);
    const acr = await request(t.app).get('/v1/my-acr').set('Authorization', `Bearer ${token}`);
    expect(acr.status).toBe(401);
    const { realm: acrRealm, ...acrParams } = authParams(acr.headers['www-authenticate']);
    expect(acrRealm).toBe('api');
    expect(acrParams).toEqual(authParams(unfold(RFC_9470_ACR_EXAMPLE)));
    t.clock.now += 6000;
    const recent = await request(t.app).get('/v1/five').set('Authorization', `Bearer ${token}`);
    expect(recent.status).toBe(401);
    const { realm, ...maxAgeParams } = authParams(recent.headers['www-authenticate']);
    expect(realm).toBe('api');
    expect(maxAgeParams).toEqual(authParams(unfold(RFC_9470_MAX_AGE_EXAMPLE)));
  });

  it('acr: a password login is "single": refused on an "mfa" route (acr_values="mfa"), let through on a "single" one', async () => {
    const t = await stepUpApp();
    const token = await sessionOn(t.app);
    const res = await request(t.app).get('/v1/mfa').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: '401.6', acrValues: ['mfa'] });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="mfa"');
    expect((await request(t.app).get('/v1/single').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('a JWT whose amr has two kinds of factor (pwd + otp) is "mfa", which also meets "single"', async () => {
    const t = await stepUpApp();
    const nowSeconds = Math.floor(t.clock.now / 1000);
    const access = forge(localClaims(t.alice.id, nowSeconds, { auth_time: nowSeconds, amr: ['pwd', 'otp'], acr: 'mfa' }));
    for (const path of ['/v1/mfa', '/v1/single', '/v1/both']) {
      const res = await request(t.app).get(path).set('Authorization', `Bearer ${access}`);
      expect(`${path} ${res.status}`).toBe(`${path} 200`);
      expect(res.body.authInfo).toMatchObject({ amr: ['pwd', 'otp'], acr: 'mfa' });
    }
  });

  it('both rules on one route: the challenge names both, so one new sign-in meets them', async () => {
    const t = await stepUpApp();
    const token = await sessionOn(t.app);
    t.clock.now += 11 * 60_000;
    const res = await request(t.app).get('/v1/both').set('Authorization', `Bearer ${token}`);
    expect(res.body).toMatchObject({ code: '401.6', maxAge: 600, acrValues: ['mfa'] });
    expect(authParams(res.headers['www-authenticate'])).toEqual({
      realm: 'api',
      error: 'insufficient_user_authentication',
      error_description: 'A more recent authentication at a different level is required',
      acr_values: 'mfa',
      max_age: '600',
    });
  });

  it('a JWT without auth_time (or acr) has no proof to judge: refused, as a JWT, with the Bearer challenge', async () => {
    const t = await stepUpApp();
    const access = forge(localClaims(t.alice.id, Math.floor(t.clock.now / 1000)));
    const res = await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${access}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.6');
    expect(authParams(res.headers['www-authenticate']).error).toBe('insufficient_user_authentication');
  });

  it('a cookie session is refused with 401.6 in the body, without the Bearer error', async () => {
    const t = await stepUpApp();
    const { pair } = sessionCookie(await request(t.app).post('/v1/sessions').send({ ...LOGIN, session: true }), 'gatehouse');
    t.clock.now += 11 * 60_000;
    const res = await request(t.app).get('/v1/recent').set('Cookie', pair);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: '401.6', maxAge: 600 });
    expect(String(res.headers['www-authenticate'])).not.toMatch(/insufficient_user_authentication/);
  });

  it('an API key (no sign-in to judge) is refused with 401.6 and no Bearer error; a personal token, a bearer one, gets the challenge', async () => {
    const t = await stepUpApp();
    const key = await request(t.app).get('/v1/recent').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(key.status).toBe(401);
    expect(key.body.code).toBe('401.6');
    expect(String(key.headers['www-authenticate'])).not.toMatch(/insufficient_user_authentication/);
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    const personal = await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${token}`);
    expect(personal.body.code).toBe('401.6');
    expect(personal.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication"/);
  });

  it('Basic meets any maxAge but, a password alone, not "mfa"', async () => {
    const t = await stepUpApp();
    t.app.set('trust proxy', 'loopback');
    const res = await request(t.app).get('/v1/mfa').set('X-Forwarded-Proto', 'https').auth(LOGIN.login, LOGIN.password);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: '401.6', acrValues: ['mfa'] });
  });

  it('a required scope missing is 403.5 before any step-up rule; anonymous stays 401.1', async () => {
    const t = await stepUpApp();
    t.app.get('/v1/scoped', t.auth.require({ scopes: ['x'], maxAge: '1m' }), (_req, res) => res.json({}));
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', scopes: [] });
    expect((await request(t.app).get('/v1/scoped').set('Authorization', `Bearer ${token}`)).body.code).toBe('403.5');
    expect((await request(t.app).get('/v1/recent')).body.code).toBe('401.1');
  });
});

describe("an external issuer's sign-in is judged by its own claims (auth_time, amr, acr)", () => {
  const ISSUER = 'https://idp.example.org';
  const external = useExternalIssuer(ISSUER);

  const externalApp = () => stepUpApp({ jwt: { ...JWT_OPTIONS, issuers: [external.entry()] } });
  const token = (nowSeconds: number, extra: Record<string, unknown>) =>
    external.sign({ sub: 'ext-1', iss: ISSUER, iat: nowSeconds, exp: nowSeconds + 3600, jti: `j-${Math.random()}`, ...extra });

  it('its acr claim is taken as it is, its auth_time judged by maxAge', async () => {
    const t = await externalApp();
    const nowSeconds = Math.floor(t.clock.now / 1000);
    t.app.get('/v1/gold', t.auth.require({ acr: 'urn:example:loa:gold' }), (req, res) => res.json({ authInfo: req.authInfo }));
    const gold = token(nowSeconds, { auth_time: nowSeconds - 60, acr: 'urn:example:loa:gold', amr: ['pwd', 'hwk'] });
    const res = await request(t.app).get('/v1/gold').set('Authorization', `Bearer ${gold}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo).toMatchObject({ authTime: new Date((nowSeconds - 60) * 1000).toISOString(), amr: ['pwd', 'hwk'], acr: 'urn:example:loa:gold' });
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${gold}`)).status).toBe(200);
    // Its own acr, not Gatehouse's levels: 'mfa' is not met by a 'gold' the issuer names.
    expect((await request(t.app).get('/v1/mfa').set('Authorization', `Bearer ${gold}`)).body.code).toBe('401.6');
    const old = token(nowSeconds, { auth_time: nowSeconds - 3600, acr: 'urn:example:loa:gold' });
    const refused = await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${old}`);
    expect(refused.body).toMatchObject({ code: '401.6', maxAge: 600 });
    expect(authParams(refused.headers['www-authenticate'])).toMatchObject({ error: 'insufficient_user_authentication', max_age: '600' });
  });

  it('claims of another shape are left out, never guessed at: refused by maxAge and acr', async () => {
    const t = await externalApp();
    const nowSeconds = Math.floor(t.clock.now / 1000);
    const odd = token(nowSeconds, { auth_time: String(nowSeconds), amr: 'pwd otp', acr: 7 });
    const me = await request(t.app).get('/v1/me').set('Authorization', `Bearer ${odd}`);
    expect(me.status).toBe(200);
    expect(me.body.authInfo.authTime).toBeUndefined();
    expect(me.body.authInfo.acr).toBeUndefined();
    expect((await request(t.app).get('/v1/recent').set('Authorization', `Bearer ${odd}`)).body.code).toBe('401.6');
    expect((await request(t.app).get('/v1/single').set('Authorization', `Bearer ${odd}`)).body.code).toBe('401.6');
  });
});

describe('require({ maxAge, acr }) is checked at construction', () => {
  it.each([
    [{ maxAge: '10x' }, 'maxAge'],
    [{ maxAge: '0s' }, 'maxAge'],
    [{ maxAge: 999 }, 'maxAge'],
    [{ maxAge: -1 }, 'maxAge'],
    [{ acr: 'two words' }, 'acr'],
    [{ acr: [] }, 'acr'],
    [{ acr: ['"quoted"'] }, 'acr'],
  ])('%j throws a GatehouseConfigError naming %s', async (options, option) => {
    const t = await stepUpApp();
    const error = thrownBy(() => t.auth.require(options as never));
    expect(error).toBeInstanceOf(GatehouseConfigError);
    expect(error).toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option });
  });

  it('durations read as s, m, h and d', async () => {
    const t = await stepUpApp();
    const token = await sessionOn(t.app);
    t.app.get('/v1/hour', t.auth.require({ maxAge: '1h' }), (_req, res) => res.json({}));
    t.app.get('/v1/day', t.auth.require({ maxAge: '1d' }), (_req, res) => res.json({}));
    t.clock.now += 2 * 3_600_000;
    expect((await request(t.app).get('/v1/hour').set('Authorization', `Bearer ${token}`)).body).toMatchObject({ code: '401.6', maxAge: 3600 });
    expect((await request(t.app).get('/v1/day').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });
});
