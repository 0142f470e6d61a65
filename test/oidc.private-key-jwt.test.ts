/**
 * Sign-in through a real OpenID provider (node-oidc-provider in a child process) as a
 * confidential client that authenticates at the token endpoint with `private_key_jwt` (#32):
 * Gatehouse's `privateKeyJwt: { key, kid }` signs the client assertion, the provider checks it
 * against the public key registered for the client.
 */
import express from 'express';
import jwt from 'jsonwebtoken';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { gatehouse, MemoryStore, type AuditEvent } from '../src';
import { Browser, clientKeyPair, COOKIE_SECRET, listening, providerForPrivateKeyJwt, type TestProvider } from './helpers/oidc';

let server: Awaited<ReturnType<typeof listening>>;
let provider: TestProvider;
let callbackPrefix: string;
/** The key pair registered at the provider for the client. */
const registered = clientKeyPair();

beforeAll(async () => {
  server = await listening();
  callbackPrefix = `${server.origin}/v1/oidc/test/callback`;
  provider = await providerForPrivateKeyJwt([server], registered.publicJwk);
});
afterAll(async () => {
  await provider.stop();
  await server.close();
});

/** An app whose provider `test` is the client `gatehouse-pkjwt`, signing its assertions with `key`. */
async function appWith(privateKeyJwt: { key: string; kid?: string }) {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: [] });
  await store.linkIdentity({ issuer: provider.issuer, subject: 'alice', actorId: alice.id, linkedAt: Date.now() });
  const events: AuditEvent[] = [];
  const auth = gatehouse({
    store,
    cookie: { secret: COOKIE_SECRET, secure: false },
    login: { credentials: 'cookie' },
    oidc: { providers: { test: { issuer: provider.issuer, clientId: 'gatehouse-pkjwt', privateKeyJwt, redirectUri: callbackPrefix } } },
    onEvent: (event) => {
      events.push(event);
    },
  });
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id, scheme: req.authInfo!.scheme }));
  server.serve(app);
  return { store, alice, events };
}

/** The provider's token endpoint, from its discovery document. */
async function tokenEndpoint(): Promise<string> {
  const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
  return ((await response.json()) as { token_endpoint: string }).token_endpoint;
}

/** Posts an authorization-code grant with a made-up code and this client assertion; the provider's status and `error`. */
async function tokenRequest(assertion: string): Promise<{ status: number; error: unknown }> {
  const response = await fetch(await tokenEndpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'not-a-code-the-provider-issued',
      redirect_uri: callbackPrefix,
      code_verifier: 'a'.repeat(43),
      client_id: 'gatehouse-pkjwt',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString(),
  });
  return { status: response.status, error: ((await response.json()) as { error?: unknown }).error };
}

/** Signs in alice at the provider and brings the browser back to the callback; the callback's answer. */
async function signIn(browser: Browser) {
  const callback = await browser.signInAtProvider(`${server.origin}/v1/oidc/test/start?returnTo=/home`, 'alice', { callbackPrefix });
  return browser.visit(callback);
}

describe('signing in as a private_key_jwt client', () => {
  it('should sign in with the registered key: the provider accepts the assertion, the cookie session works', async () => {
    const { alice, store } = await appWith({ key: registered.privateKeyPem, kid: registered.kid });
    const before = (await provider.clientAssertions()).length;
    const browser = new Browser();
    const answer = await signIn(browser);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`${server.origin}/home`);
    const me = await browser.visit(`${server.origin}/v1/me`);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toEqual({ id: alice.id, scheme: 'cookie' });
    expect(await store.listTokens(alice.id)).toHaveLength(1);
    // The code exchange was the one request that authenticated the client, and the provider accepted it.
    const received = (await provider.clientAssertions()).slice(before);
    expect(received).toEqual([{ assertion: expect.any(String), status: 200, error: null }]);
  });

  it('should send an assertion signed with the configured key and kid, for the provider, short-lived and used once', async () => {
    await appWith({ key: registered.privateKeyPem, kid: registered.kid });
    const before = (await provider.clientAssertions()).length;
    expect((await signIn(new Browser())).status).toBe(303);
    const [{ assertion }] = (await provider.clientAssertions()).slice(before);
    const decoded = jwt.decode(assertion, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: 'ES256', kid: registered.kid });
    // Signed with the configured key: the registered public key verifies it, another does not.
    const publicKey = createPublicKey({ key: registered.publicJwk as JsonWebKey, format: 'jwk' });
    const claims = jwt.verify(assertion, publicKey, { algorithms: ['ES256'] }) as jwt.JwtPayload;
    const elsewhere = createPublicKey({ key: clientKeyPair().publicJwk as JsonWebKey, format: 'jwk' });
    expect(() => jwt.verify(assertion, elsewhere, { algorithms: ['ES256'] })).toThrow(/invalid signature/);
    expect(claims.iss).toBe('gatehouse-pkjwt');
    expect(claims.sub).toBe('gatehouse-pkjwt');
    // For the provider: its issuer identifier (RFC 7523 §3; it takes its token endpoint's URL too).
    expect(claims.aud).toBe(provider.issuer);
    expect(claims.jti).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/));
    // Short-lived: a minute from its issue, and not yet expired.
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.exp! * 1000).toBeGreaterThan(Date.now());
    // Single-use: the provider refuses the same assertion again, while a fresh one by the same
    // key gets past client authentication (the made-up code is then the grant's refusal).
    expect(await tokenRequest(assertion)).toEqual({ status: 401, error: 'invalid_client' });
    const fresh = jwt.sign({ jti: `fresh-${claims.jti}` }, registered.privateKeyPem, {
      algorithm: 'ES256',
      keyid: registered.kid,
      issuer: 'gatehouse-pkjwt',
      subject: 'gatehouse-pkjwt',
      audience: provider.issuer,
      expiresIn: 60,
    });
    expect(await tokenRequest(fresh)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('should sign each exchange with a new jti', async () => {
    await appWith({ key: registered.privateKeyPem, kid: registered.kid });
    const before = (await provider.clientAssertions()).length;
    expect((await signIn(new Browser())).status).toBe(303);
    expect((await signIn(new Browser())).status).toBe(303);
    const jtis = (await provider.clientAssertions()).slice(before).map(({ assertion }) => (jwt.decode(assertion) as jwt.JwtPayload).jti);
    expect(jtis).toHaveLength(2);
    expect(new Set(jtis).size).toBe(2);
  });

  it('should sign in without a kid when the client has one key registered', async () => {
    const { alice } = await appWith({ key: registered.privateKeyPem });
    const before = (await provider.clientAssertions()).length;
    const browser = new Browser();
    expect((await signIn(browser)).status).toBe(303);
    expect(JSON.parse((await browser.visit(`${server.origin}/v1/me`)).body)).toEqual({ id: alice.id, scheme: 'cookie' });
    const [{ assertion }] = (await provider.clientAssertions()).slice(before);
    expect(jwt.decode(assertion, { complete: true })!.header.kid).toBeUndefined();
  });

  it('should answer 502.1 and report oidc.providerUnreachable (invalid_client) when the provider refuses the assertion of another key: the deployment failed, not the user; no secret told', async () => {
    const other = clientKeyPair();
    const { alice, store, events } = await appWith({ key: other.privateKeyPem, kid: registered.kid });
    const before = (await provider.clientAssertions()).length;
    const browser = new Browser();
    const answer = await signIn(browser);
    // The provider refused the client at its token endpoint…
    const received = (await provider.clientAssertions()).slice(before);
    expect(received).toEqual([{ assertion: expect.any(String), status: 401, error: 'invalid_client' }]);
    // (the assertion names the registered kid but is signed with the configured, other, key)
    expect(jwt.decode(received[0].assertion, { complete: true })!.header).toMatchObject({ alg: 'ES256', kid: registered.kid });
    expect(jwt.verify(received[0].assertion, createPublicKey({ key: other.publicJwk as JsonWebKey, format: 'jwk' }), { algorithms: ['ES256'] })).toMatchObject({ iss: 'gatehouse-pkjwt' });
    // …and Gatehouse answers what it answers for a provider it cannot use: 502.1, nothing issued.
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 502, code: '502.1' });
    expect(browser.cookie(server.origin, 'gatehouse')).toBeUndefined();
    expect((await browser.visit(`${server.origin}/v1/me`)).status).toBe(401);
    expect(await store.listTokens(alice.id)).toEqual([]);
    // Told to the operators as the provider refusing this client, not as one more refused sign-in.
    expect(events.map((event) => event.type)).toEqual(['oidc.providerUnreachable']);
    expect(events[0]).toMatchObject({ code: '502.1', actorId: null, provider: 'test', stage: 'tokenExchange', reason: 'invalid_client' });
    // Neither the private key nor the assertion reaches the answer or an event.
    const told = answer.body + JSON.stringify(events);
    for (const secret of [other.privateKeyPem, other.privateKeyPem.split('\n')[1], received[0].assertion, received[0].assertion.split('.')[2]]) expect(told).not.toContain(secret);
  });
});
