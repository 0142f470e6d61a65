/**
 * A native app signs in through a real OpenID provider (node-oidc-provider) in the system
 * browser (RFC 8252, `oidc.appRedirects`): the start endpoint takes the app's redirect URI
 * (a private-use scheme, or loopback on any port), its PKCE challenge and its state; the
 * callback sends the browser to the app with a sealed single-use code instead of answering a
 * credential; the app trades the code and its verifier at `POST {oidc}/token` for a token or
 * a JWT pair. Two instances share one Redis: a code is traded once across both. Every wrong
 * code, verifier or redirect is refused, and nothing is issued then.
 */
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { combineStores, gatehouse, GatehouseConfigError, MemoryStore, type AuditEvent, type GatehouseOptions } from '../src';
import { RedisStore } from '../src/store/redis';
import { realNow } from './helpers/clock';
import { runEsmHelper } from './helpers/esm';
import { Browser, CLIENT_SECRET, JWT_SECRET, startServerAndProvider, stopServerAndProvider, type ServerAndProvider } from './helpers/oidc';
import { connectRedis, deleteRedisKeys, runId } from './helpers/services';

const OIDC_SECRET = 'an-oidc-secret-both-instances-share-for-sealing';
const APP_SCHEME = 'com.example.app:/oauth2redirect';
const APP_REDIRECTS = [APP_SCHEME, 'http://127.0.0.1/callback', 'http://[::1]/callback'];

let server: ServerAndProvider['server'];
let provider: ServerAndProvider['provider'];
let callbackPrefix: string;
let clients: Redis[];
let prefix: string;
let users: MemoryStore;
let aliceId: string;
let shift = 0;
let events: AuditEvent[] = [];
/** Two instances over one Redis; the browser reaches `a` (on `server`). */
let a: express.Express;
let b: express.Express;
let tokensOfA: RedisStore;

function instance(tokens: RedisStore | MemoryStore, options: Partial<GatehouseOptions> = {}): express.Express {
  const auth = gatehouse({
    store: combineStores({ credentials: users, tokens }),
    jwt: { secret: JWT_SECRET },
    now: () => realNow() + shift,
    onEvent: (event) => {
      events.push(event);
    },
    oidc: {
      secret: OIDC_SECRET,
      appRedirects: APP_REDIRECTS,
      providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } },
    },
    ...options,
  });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme, amr: req.authInfo!.amr }));
  return app;
}

beforeAll(async () => {
  ({ server, provider, callbackPrefix } = await startServerAndProvider());
  clients = [await connectRedis(), await connectRedis()];
  prefix = `gatehouse-test:oidc-native-${runId()}:`;
  users = new MemoryStore({ passwordCost: 10 });
  aliceId = (await users.addUser({ login: 'alice@example.org' })).id;
  await users.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: aliceId, linkedAt: Date.now() });
  tokensOfA = new RedisStore({ client: clients[0], keyPrefix: prefix });
  a = instance(tokensOfA);
  b = instance(new RedisStore({ client: clients[1], keyPrefix: prefix }));
  server.serve(a);
});
afterAll(async () => {
  await stopServerAndProvider({ server, provider, callbackPrefix });
  await deleteRedisKeys(clients[0], prefix);
  for (const client of clients) client.disconnect();
});
beforeEach(() => {
  shift = 0;
  events = [];
});

/** A PKCE verifier and its S256 challenge, as the app makes them. */
function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function startUrl(query: Record<string, string>): string {
  return `${server.origin}/v1/oidc/test/start?${new URLSearchParams(query)}`;
}

/** Signs alice in at the provider for the app; resolves to where the callback sent the browser. */
async function signInForApp(query: Record<string, string>): Promise<{ status: number; location: URL; cacheControl: string | null }> {
  const browser = new Browser();
  const callback = await browser.signInAtProvider(startUrl(query), 'alice', { callbackPrefix });
  const answer = await browser.visit(callback);
  return { status: answer.status, location: new URL(answer.location ?? 'about:blank'), cacheControl: answer.headers.get('cache-control') };
}

/** A code for the app at `appRedirect`, with the verifier behind it. */
async function codeFor(appRedirect = APP_SCHEME, credentials: 'token' | 'jwt' = 'token'): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const back = await signInForApp({ credentials, appRedirect, codeChallenge: challenge });
  expect(back.status).toBe(303);
  return { code: back.location.searchParams.get('code')!, verifier };
}

const trade = (app: express.Express, body: Record<string, string>) => request(app).post('/v1/oidc/token').send(body);

describe('a native app signing in through a provider (RFC 8252)', () => {
  it('should send the browser to a private-use scheme with a code and the state, and trade the code for a session token', async () => {
    const { verifier, challenge } = pkce();
    const back = await signInForApp({ credentials: 'token', appRedirect: APP_SCHEME, codeChallenge: challenge, state: 'app-state 42' });
    expect(back.status).toBe(303);
    expect(back.cacheControl).toBe('no-store');
    expect(`${back.location.protocol}${back.location.pathname}`).toBe(APP_SCHEME);
    expect([...back.location.searchParams.keys()]).toEqual(['code', 'state']);
    expect(back.location.searchParams.get('state')).toBe('app-state 42');
    const code = back.location.searchParams.get('code')!;
    // Nothing is issued before the trade.
    expect(await tokensOfA.listTokens(aliceId)).toEqual([]);
    expect(events.filter((event) => event.type === 'token.issued')).toEqual([]);

    // The app posts a form, as an OAuth client would.
    const traded = await request(a).post('/v1/oidc/token').type('form').send({ code, codeVerifier: verifier });
    expect(traded.status).toBe(200);
    expect(traded.headers['cache-control']).toBe('no-store');
    expect(traded.body).toEqual({ token: expect.stringMatching(/^gths_/), createdAt: expect.any(String), expiresAt: expect.any(String), previousAccessFailedCount: 0 });
    const me = await request(b).get('/v1/me').set('Authorization', `Bearer ${traded.body.token}`);
    expect(me.body).toEqual({ id: aliceId, scheme: 'sessionToken', amr: ['pwd'] });
    expect(events).toContainEqual(expect.objectContaining({ type: 'token.issued', actorId: aliceId, kind: 'session' }));
    // The token records the proof and the provider session, for step-up and back-channel logout.
    const [record] = await tokensOfA.listTokens(aliceId);
    expect(record.data).toEqual({ provenAt: expect.any(Number), amr: ['pwd'], identityProvider: { issuer: provider.issuer, sid: expect.any(String) } });
  });

  it('should accept a loopback redirect on any port and trade the code for a JWT pair', async () => {
    for (const appRedirect of ['http://127.0.0.1:51234/callback', 'http://[::1]:8123/callback']) {
      const { verifier, challenge } = pkce();
      const back = await signInForApp({ credentials: 'jwt', appRedirect, codeChallenge: challenge });
      expect(back.status).toBe(303);
      expect(`${back.location.origin}${back.location.pathname}`).toBe(appRedirect);
      expect(back.location.searchParams.has('state')).toBe(false);
      const traded = await trade(a, { code: back.location.searchParams.get('code')!, codeVerifier: verifier });
      expect(traded.status).toBe(200);
      expect(traded.body).toMatchObject({ access: expect.any(String), refresh: expect.any(String) });
      const me = await request(a).get('/v1/me').set('Authorization', `Bearer ${traded.body.access}`);
      expect(me.body).toEqual({ id: aliceId, scheme: 'jwt', amr: ['pwd'] });
    }
  });

  it('should keep answering credentials=token without appRedirect in the browser, as before', async () => {
    const browser = new Browser();
    const callback = await browser.signInAtProvider(startUrl({ credentials: 'token' }), 'alice', { callbackPrefix });
    const answer = await browser.visit(callback);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token: expect.stringMatching(/^gths_/) });
  });
});

describe('the start endpoint refuses a native sign-in it cannot end safely (400.1, no transaction)', () => {
  const { challenge } = pkce();
  it.each([
    ['an app redirect not on the list', { credentials: 'token', appRedirect: 'com.evil.app:/oauth2redirect', codeChallenge: challenge }, 'appRedirect'],
    ['a listed scheme with another path', { credentials: 'token', appRedirect: 'com.example.app:/other', codeChallenge: challenge }, 'appRedirect'],
    ['loopback with another path', { credentials: 'token', appRedirect: 'http://127.0.0.1:5000/other', codeChallenge: challenge }, 'appRedirect'],
    ['loopback on another host', { credentials: 'token', appRedirect: 'http://127.0.0.2:5000/callback', codeChallenge: challenge }, 'appRedirect'],
    ['localhost', { credentials: 'token', appRedirect: 'http://localhost:5000/callback', codeChallenge: challenge }, 'appRedirect'],
    ['loopback with a query', { credentials: 'token', appRedirect: 'http://127.0.0.1:5000/callback?next=x', codeChallenge: challenge }, 'appRedirect'],
    ['loopback over https', { credentials: 'token', appRedirect: 'https://127.0.0.1:5000/callback', codeChallenge: challenge }, 'appRedirect'],
    ['no code challenge', { credentials: 'token', appRedirect: APP_SCHEME }, 'codeChallenge'],
    ['a short code challenge', { credentials: 'token', appRedirect: APP_SCHEME, codeChallenge: challenge.slice(0, 42) }, 'codeChallenge'],
    ['a code challenge that is not base64url', { credentials: 'token', appRedirect: APP_SCHEME, codeChallenge: `${challenge.slice(0, 42)}=` }, 'codeChallenge'],
    ['a code challenge without appRedirect', { credentials: 'token', codeChallenge: challenge }, 'codeChallenge'],
    ['link=true', { credentials: 'token', appRedirect: APP_SCHEME, codeChallenge: challenge, link: 'true' }, 'link'],
    ['a state with a control character', { credentials: 'token', appRedirect: APP_SCHEME, codeChallenge: challenge, state: 'a\nb' }, 'state'],
  ])('should refuse %s', async (_case, query, field) => {
    const answer = await new Browser().visit(startUrl(query as Record<string, string>));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: '400.1', field });
    expect(answer.headers.getSetCookie()).toEqual([]);
  });

  it('should refuse a native sign-in that would hand out the cookie', async () => {
    const withCookies = instance(new MemoryStore({ passwordCost: 10 }), { cookie: { secret: 'a-cookie-secret-of-at-least-32-characters', secure: false } });
    for (const query of [{ appRedirect: APP_SCHEME, codeChallenge: challenge } as Record<string, string>, { credentials: 'cookie', appRedirect: APP_SCHEME, codeChallenge: challenge }]) {
      const answer = await request(withCookies).get(`/v1/oidc/test/start?${new URLSearchParams(query)}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: '400.1', field: 'credentials' });
    }
  });
});

describe('the trade refuses every code or verifier but the right one, once (401.2, nothing issued)', () => {
  async function expectRefused(app: express.Express, body: Record<string, string>): Promise<void> {
    const before = events.length;
    const answer = await trade(app, body);
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: '401.2' });
    expect(JSON.stringify(answer.body)).not.toContain(body.code);
    const after = events.slice(before);
    expect(after).toEqual([expect.objectContaining({ type: 'credential.refused', code: '401.2', scheme: null })]);
    expect(JSON.stringify(after)).not.toContain(body.code);
  }

  it('should refuse a wrong verifier, and still trade the code with the right one after', async () => {
    const { code, verifier } = await codeFor();
    await expectRefused(a, { code, codeVerifier: pkce().verifier });
    expect((await trade(a, { code, codeVerifier: verifier })).status).toBe(200);
  });

  it('should refuse a code traded already, on another instance over the same store', async () => {
    const { code, verifier } = await codeFor();
    expect((await trade(a, { code, codeVerifier: verifier })).status).toBe(200);
    await expectRefused(b, { code, codeVerifier: verifier });
    await expectRefused(a, { code, codeVerifier: verifier });
  });

  it('should trade a code once when two instances are asked at the same time', async () => {
    const { code, verifier } = await codeFor();
    const answers = await Promise.all([trade(a, { code, codeVerifier: verifier }), trade(b, { code, codeVerifier: verifier })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
  });

  it('should trade a code within 60 seconds and refuse it from then on', async () => {
    const early = await codeFor();
    shift = 59_000;
    expect((await trade(a, { code: early.code, codeVerifier: early.verifier })).status).toBe(200);
    shift = 0;
    const late = await codeFor();
    shift = 60_000;
    await expectRefused(b, { code: late.code, codeVerifier: late.verifier });
  });

  it("should take a code made on an instance whose clock is a little ahead, and refuse one from far ahead", async () => {
    shift = 4_000;
    const ahead = await codeFor();
    shift = 0;
    expect((await trade(b, { code: ahead.code, codeVerifier: ahead.verifier })).status).toBe(200);
    shift = 10_000;
    const farAhead = await codeFor();
    shift = 0;
    await expectRefused(b, { code: farAhead.code, codeVerifier: farAhead.verifier });
  });

  it('should refuse a tampered code, and a transaction cookie or a code of another secret passed as a code', async () => {
    const { code, verifier } = await codeFor();
    const [iv, sealed, tag] = code.split('.');
    const flipped = `${sealed.slice(0, 10)}${sealed[10] === 'A' ? 'B' : 'A'}${sealed.slice(11)}`;
    await expectRefused(a, { code: [iv, flipped, tag].join('.'), codeVerifier: verifier });
    await expectRefused(a, { code: `${code}x`, codeVerifier: verifier });
    // A sealed transaction (same secret, another purpose) is no code.
    const start = await new Browser().visit(startUrl({ credentials: 'token' }));
    const transaction = /gatehouse-oidc=([^;]+)/.exec(start.headers.getSetCookie().join('\n'))![1];
    await expectRefused(a, { code: transaction, codeVerifier: verifier });
    // Another deployment's code (another secret) is no code here.
    const other = instance(new MemoryStore({ passwordCost: 10 }), {
      oidc: { secret: 'another-deployment-secret-of-32-characters!', appRedirects: APP_REDIRECTS, providers: { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } } },
    });
    await expectRefused(other, { code, codeVerifier: verifier });
    // The code was never spent by any of these.
    expect((await trade(a, { code, codeVerifier: verifier })).status).toBe(200);
  });

  it("should refuse a code of another provider: one this instance names with another issuer, or does not have", async () => {
    const { code, verifier } = await codeFor();
    const otherIssuer = instance(new MemoryStore({ passwordCost: 10 }), {
      oidc: { secret: OIDC_SECRET, appRedirects: APP_REDIRECTS, providers: { test: { issuer: 'https://login.example.org', clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } } },
    });
    await expectRefused(otherIssuer, { code, codeVerifier: verifier });
    const otherName = instance(new MemoryStore({ passwordCost: 10 }), {
      oidc: { secret: OIDC_SECRET, appRedirects: APP_REDIRECTS, providers: { corp: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: callbackPrefix } } },
    });
    await expectRefused(otherName, { code, codeVerifier: verifier });
  });

  it('should fail closed (503.1) when the store cannot record the use, and leave the code unused', async () => {
    const { code, verifier } = await codeFor();
    const failing = new MemoryStore({ passwordCost: 10 });
    failing.markOneTimeUse = () => Promise.reject(new Error('store down'));
    const answer = await trade(instance(failing), { code, codeVerifier: verifier });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: '503.1' });
    expect((await trade(a, { code, codeVerifier: verifier })).status).toBe(200);
  });

  it('should answer a missing or malformed field with 400.1 naming it', async () => {
    const { code, verifier } = await codeFor();
    for (const [body, field] of [
      [{ codeVerifier: verifier }, 'code'],
      [{ code }, 'codeVerifier'],
      [{ code, codeVerifier: 'short' }, 'codeVerifier'],
      [{ code, codeVerifier: `${verifier}!` }, 'codeVerifier'],
    ] as const) {
      const answer = await trade(a, body as Record<string, string>);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: '400.1', field });
    }
    expect((await request(a).post('/v1/oidc/token').set('content-type', 'application/json').send('[1]')).body).toMatchObject({ code: '400.1' });
    expect((await trade(a, { code, codeVerifier: verifier })).status).toBe(200);
  });
});

describe('oidc.appRedirects', () => {
  const build = (appRedirects: unknown, store: object = new MemoryStore({ passwordCost: 10 })) => () =>
    gatehouse({
      store: store as MemoryStore,
      oidc: { appRedirects: appRedirects as string[], providers: { p: { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' } } },
    });

  it.each([
    ['not an array', APP_SCHEME, 'oidc.appRedirects'],
    ['localhost', ['http://localhost/callback'], 'oidc.appRedirects[0]'],
    ['a loopback with a port', [APP_SCHEME, 'http://127.0.0.1:8080/callback'], 'oidc.appRedirects[1]'],
    ['http on another host', ['http://app.example.org/callback'], 'oidc.appRedirects[0]'],
    ['a scheme not in reverse-domain form', ['myapp:/callback'], 'oidc.appRedirects[0]'],
    ['javascript:', ['javascript:alert(1)'], 'oidc.appRedirects[0]'],
    ['a fragment', ['com.example.app:/callback#x'], 'oidc.appRedirects[0]'],
    ['a query', ['com.example.app:/callback?x=1'], 'oidc.appRedirects[0]'],
    ['a non-canonical form', ['COM.example.app:/callback'], 'oidc.appRedirects[0]'],
    ['not a URI', ['callback'], 'oidc.appRedirects[0]'],
  ])('should refuse %s at construction', (_case, value, option) => {
    expect(build(value)).toThrow(GatehouseConfigError);
    expect(build(value)).toThrow(expect.objectContaining({ option }));
  });

  it('should take private-use, claimed https and loopback redirects, and mount the trade only with some', async () => {
    expect(build([APP_SCHEME, 'https://app.example.org/callback', 'http://127.0.0.1/callback', 'http://[::1]/cb'])).not.toThrow();
    const without = express().use('/v1', gatehouse({ store: new MemoryStore({ passwordCost: 10 }), oidc: { providers: { p: { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' } } } }).routes());
    expect((await request(without).post('/v1/oidc/token').send({ code: 'x', codeVerifier: 'y' })).status).toBe(404);
  });

  it('should describe the trade and the start parameters in auth.openapi(), as a valid document', async () => {
    const auth = gatehouse({
      store: new MemoryStore({ passwordCost: 10 }),
      oidc: { appRedirects: [APP_SCHEME], providers: { p: { issuer: 'https://login.example.org', clientId: 'c', redirectUri: 'https://api.example.org/v1/oidc/p/callback' } } },
    });
    const fragment = auth.openapi();
    const tradeOperation = fragment.paths['/oidc/token'].post as { security: unknown[]; requestBody: { content: Record<string, { schema: { required: string[] } }> }; responses: Record<string, unknown> };
    expect(tradeOperation.security).toEqual([]);
    expect(Object.keys(tradeOperation.requestBody.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(tradeOperation.requestBody.content['application/json'].schema.required).toEqual(['code', 'codeVerifier']);
    expect(Object.keys(tradeOperation.responses).sort()).toEqual(['200', '400', '401', '503']);
    const start = fragment.paths['/oidc/{provider}/start'].get as { parameters: Array<{ name: string }> };
    expect(start.parameters.map((parameter) => parameter.name)).toEqual(expect.arrayContaining(['appRedirect', 'codeChallenge', 'state']));
    expect((await runEsmHelper<{ valid: boolean; error?: string }>('openapi-validate.mjs', { openapi: '3.1.0', info: { title: 't', version: '1' }, ...fragment })).valid).toBe(true);
  });

  it('should need a store with markOneTimeUse', () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const withoutOneTimeUse = Object.create(store, { markOneTimeUse: { value: undefined } }) as object;
    expect(build([APP_SCHEME], withoutOneTimeUse)).toThrow(expect.objectContaining({ code: 'GATEHOUSE_STORE_METHODS_MISSING', message: expect.stringContaining('markOneTimeUse()') }));
  });
});
