/**
 * Sign-in through a real OpenID provider, for the tests: node-oidc-provider in a child process
 * (`oidc-provider.mjs`), a browser that keeps cookies and follows redirects by hand, and an
 * app server on a free loopback port (the redirect URI must be known before the provider is).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import jwt from 'jsonwebtoken';
import { hashSecret } from '../../src/tokens/format';

/** A running provider. */
export interface TestProvider {
  issuer: string;
  /** Replaces the `id_token` of the next token response. */
  tamperNextIdToken(idToken: string): Promise<void>;
  /** Signs an ID token with the provider's own key (what only the provider could do). */
  signIdToken(claims: Record<string, unknown>): string;
  /** Each `client_assertion` the token endpoint received, in order, with what it answered. */
  clientAssertions(): Promise<ReceivedClientAssertion[]>;
  stop(): Promise<void>;
}

/** A `client_assertion` (`private_key_jwt`) the provider's token endpoint received. */
interface ReceivedClientAssertion {
  assertion: string;
  /** The token endpoint's status: 200 when it accepted the client (and the grant). */
  status: number;
  /** Its OAuth `error` (`invalid_client`, …), or `null`. */
  error: string | null;
}

/** Client metadata as node-oidc-provider takes it. */
export type ClientMetadata = Record<string, unknown>;

/** Starts a provider with these clients and accounts (sub → claims); with `consent: true` it shows a consent page after the login. */
export async function startProviderWith(clients: ClientMetadata[], accounts: Record<string, Record<string, unknown>>, options: { consent?: boolean } = {}): Promise<TestProvider> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = { ...(privateKey as KeyObject).export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'oidc-provider.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    if (process.env.OIDC_PROVIDER_LOG) process.stderr.write(chunk);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n')) resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
    child.on('exit', (code) => reject(new Error(`oidc-provider.mjs exited with ${code}: ${stderr}`)));
    child.stdin!.end(JSON.stringify({ clients, accounts, jwks: { keys: [jwk] }, consent: options.consent === true }));
  });
  return {
    issuer,
    async tamperNextIdToken(idToken) {
      const response = await fetch(`${issuer}/__test/tamper`, { method: 'POST', body: JSON.stringify({ idToken }) });
      if (response.status !== 204) throw new Error(`tamper: ${response.status}`);
    },
    signIdToken(claims) {
      return jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: kid });
    },
    async clientAssertions() {
      const response = await fetch(`${issuer}/__test/client-assertions`);
      if (response.status !== 200) throw new Error(`client-assertions: ${response.status}`);
      return (await response.json()) as ReceivedClientAssertion[];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill();
      }),
  };
}

/** An HTTP server on a free loopback port whose handler is set later. */
export async function listening(): Promise<{ origin: string; serve(handler: http.RequestListener): void; close(): Promise<void> }> {
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One answer the browser got. */
export interface Visit {
  url: string;
  status: number;
  location: string | null;
  body: string;
  headers: Headers;
}

/** A browser: cookies per origin, redirects followed one at a time. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  /** The cookie `name` this browser holds for `origin`. */
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  /** Sets a cookie as if the origin had. */
  setCookie(origin: string, name: string, value: string): void {
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(origin, cookies);
  }

  /** One request, no redirect followed. */
  async visit(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Visit> {
    const { origin } = new URL(url);
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    const headers: Record<string, string> = { ...init.headers };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual', body: init.form ? new URLSearchParams(init.form).toString() : undefined });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=thu, 01 jan 1970/i.test(attribute));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(origin, cookies);
    const location = response.headers.get('location');
    return { url, status: response.status, location: location === null ? null : new URL(location, url).href, body: await response.text(), headers: response.headers };
  }

  /** Follows redirects from `url` until an answer that is not one, or one to a URL `stop` accepts (not visited). */
  async follow(url: string, stop: (next: string) => boolean = () => false): Promise<Visit> {
    let visit = await this.visit(url);
    for (let hops = 0; visit.location && visit.status >= 300 && visit.status < 400 && !stop(visit.location); hops++) {
      if (hops > 20) throw new Error('too many redirects');
      visit = await this.visit(visit.location);
    }
    return visit;
  }

  /**
   * Starts a sign-in at `startUrl`, signs `sub` in at the provider, and stops before the
   * provider's redirect reaches the callback: resolves to the callback URL (code, state, iss).
   */
  async signInAtProvider(startUrl: string, sub: string, options: { amr?: string; callbackPrefix: string }): Promise<string> {
    const atProvider = await this.follow(startUrl, (next) => next.startsWith(options.callbackPrefix));
    if (atProvider.location?.startsWith(options.callbackPrefix)) return atProvider.location;
    const uid = /action="\/interaction\/([^/]+)\/login"/.exec(atProvider.body)?.[1];
    if (!uid) throw new Error(`no sign-in form at ${atProvider.url}: ${atProvider.status} ${atProvider.body.slice(0, 300)}`);
    const finished = await this.visit(new URL(`/interaction/${uid}/login`, atProvider.url).href, { method: 'POST', form: { sub, ...(options.amr ? { amr: options.amr } : {}) } });
    const back = await this.follow(finished.location!, (next) => next.startsWith(options.callbackPrefix));
    if (!back.location?.startsWith(options.callbackPrefix)) throw new Error(`provider did not send the browser back: ${back.status} ${back.body.slice(0, 300)}`);
    return back.location;
  }

  /** Starts a sign-in and denies it at the provider; resolves to the callback URL (error=access_denied). */
  async denyAtProvider(startUrl: string, callbackPrefix: string): Promise<string> {
    const atProvider = await this.follow(startUrl, (next) => next.startsWith(callbackPrefix));
    const uid = /action="\/interaction\/([^/]+)\/login"/.exec(atProvider.body)?.[1];
    if (!uid) throw new Error(`no sign-in form: ${atProvider.body.slice(0, 300)}`);
    const finished = await this.visit(new URL(`/interaction/${uid}/abort`, atProvider.url).href, { method: 'POST', form: {} });
    const back = await this.follow(finished.location!, (next) => next.startsWith(callbackPrefix));
    return back.location!;
  }
}

export const CLIENT_SECRET = 'a-client-secret-of-the-gatehouse-client';
export const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';
export const JWT_SECRET = 'j'.repeat(32);

/** The provider's accounts in every test: alice is linked, bob has a password only, the others are new. */
const ACCOUNTS = {
  alice: { email: 'alice@example.org', email_verified: true, name: 'Alice' },
  bob: { email: 'bob@example.org', email_verified: true, name: 'Bob' },
  unverified: { email: 'bob@example.org', email_verified: false },
  newcomer: { email: 'new@example.org', email_verified: true },
};

/** A provider with one client whose redirect URI is on `server`, as `provider` at `{origin}/v1/oidc/test/…`. */
export async function providerFor(servers: Array<{ origin: string }>, extraClient: ClientMetadata = {}): Promise<TestProvider> {
  return startProviderWith(
    [
      {
        client_id: 'gatehouse',
        client_secret: CLIENT_SECRET,
        redirect_uris: servers.map((server) => `${server.origin}/v1/oidc/test/callback`),
        require_auth_time: true,
        // The provider then puts `sid` in its ID tokens and tells this URL of its logouts.
        backchannel_logout_uri: `${servers[0].origin}/v1/oidc/test/backchannel-logout`,
        backchannel_logout_session_required: true,
        post_logout_redirect_uris: servers.map((server) => `${server.origin}/signed-out`),
        ...extraClient,
      },
    ],
    ACCOUNTS,
  );
}

/** A listening test server, the provider for it (`providerFor`) and the callback URL of provider `test` on it. */
export interface ServerAndProvider {
  server: Awaited<ReturnType<typeof listening>>;
  provider: TestProvider;
  callbackPrefix: string;
}

/** Starts a server and its provider, for a test file's `beforeAll`; `stopServerAndProvider` ends both. */
export async function startServerAndProvider(): Promise<ServerAndProvider> {
  const server = await listening();
  return { server, provider: await providerFor([server]), callbackPrefix: `${server.origin}/v1/oidc/test/callback` };
}

export async function stopServerAndProvider({ server, provider }: ServerAndProvider): Promise<void> {
  await provider.stop();
  await server.close();
}

/** A client's key pair for `private_key_jwt`: the private key as PKCS#8 PEM (Gatehouse's `privateKeyJwt.key`), the public one as a JWK (the provider's client `jwks`). */
export interface ClientKeyPair {
  privateKeyPem: string;
  publicJwk: Record<string, unknown>;
  kid: string;
}

/** A fresh ES256 (P-256) key pair with a random `kid`. */
export function clientKeyPair(): ClientKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'ES256' },
    kid,
  };
}

/**
 * A provider with one confidential client `gatehouse-pkjwt` that authenticates at the token
 * endpoint with `private_key_jwt` (ES256) by the key whose public JWK is `publicJwk`; its
 * redirect URI is `{origin}/v1/oidc/test/callback` on each of `servers`.
 */
export async function providerForPrivateKeyJwt(servers: Array<{ origin: string }>, publicJwk: Record<string, unknown>): Promise<TestProvider> {
  return startProviderWith(
    [
      {
        client_id: 'gatehouse-pkjwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [publicJwk] },
        redirect_uris: servers.map((server) => `${server.origin}/v1/oidc/test/callback`),
        require_auth_time: true,
      },
    ],
    ACCOUNTS,
  );
}

/** A test server made by {@link listening}. */
export type TestServer = Awaited<ReturnType<typeof listening>>;

/** The `oidc.secret` of the instances in the multi-instance files: one secret, so a transaction started on one is finished on another. */
export const OIDC_SECRET = 'an-oidc-transaction-secret-shared-by-both-instances';
/** The `events` claim of a back-channel logout token. */
export const LOGOUT_EVENT = { 'http://schemas.openid.net/event/backchannel-logout': {} };

/**
 * Test servers under each name (`counts[name]` of them: two instances over one store, say), all
 * known to one provider (`providerFor`): started before the file's tests, stopped after. The
 * servers are there from the file's `beforeAll` on, the provider through `provider`.
 */
export function useServersAndProvider(counts: Record<string, number>): { servers: Record<string, TestServer[]>; readonly provider: TestProvider } {
  const servers: Record<string, TestServer[]> = {};
  let provider: TestProvider | undefined;
  beforeAll(async () => {
    for (const [name, count] of Object.entries(counts)) {
      servers[name] = [];
      for (let i = 0; i < count; i += 1) servers[name].push(await listening());
    }
    provider = await providerFor(Object.values(servers).flat());
  });
  afterAll(async () => {
    await provider?.stop();
    await Promise.all(Object.values(servers).flat().map((server) => server.close()));
  });
  return {
    servers,
    get provider() {
      if (!provider) throw new Error('the provider starts in beforeAll');
      return provider;
    },
  };
}

/** Gatehouse's `oidc.providers` with the provider as `test`, its callback on `server`. */
export function testProviderOn(provider: TestProvider, server: { origin: string }) {
  return { test: { issuer: provider.issuer, clientId: 'gatehouse', clientSecret: CLIENT_SECRET, redirectUri: `${server.origin}/v1/oidc/test/callback` } };
}

/** The app each instance serves: Gatehouse's routes and middleware under `/v1`, and `GET /v1/me` answering the actor's id. */
export function instanceApp(auth: { routes(): express.Router; authenticate(): express.RequestHandler; require(): express.RequestHandler }): express.Express {
  const app = express();
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  app.get('/v1/me', auth.require(), (req, res) => res.json({ id: req.user!.id }));
  return app;
}

/** Posts `logoutToken` to the back-channel logout endpoint of provider `test` at `origin`. */
export function postLogoutToken(origin: string, logoutToken: string): Promise<globalThis.Response> {
  return fetch(`${origin}/v1/oidc/test/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: logoutToken }) });
}

/** The options of an instance in the multi-instance files: its store, cookie sessions, JWT, and provider `test` under the shared {@link OIDC_SECRET}. */
export function instanceOptions<S>(store: S, provider: TestProvider, server: { origin: string }) {
  return { store, cookie: { secret: COOKIE_SECRET, secure: false }, jwt: { secret: JWT_SECRET }, oidc: { secret: OIDC_SECRET, providers: testProviderOn(provider, server) } };
}

/** What one provider session handed out on an instance: a cookie session, a session token and a JWT pair. */
export interface SignedInThrice {
  cookie: string;
  token: string;
  access: string;
  refresh: string;
}

/** Signs alice in through provider `test` in `browser` (one provider session) three times at `origin`: a cookie session, a session token, a JWT pair. */
export async function signInThrice(browser: Browser, origin: string): Promise<SignedInThrice> {
  const callback = (credentials: string) => browser.signInAtProvider(`${origin}/v1/oidc/test/start?credentials=${credentials}`, 'alice', { callbackPrefix: `${origin}/v1/oidc/test/callback` });
  expect((await browser.visit(await callback('cookie'))).status).toBe(303);
  const cookie = `gatehouse=${browser.cookie(origin, 'gatehouse')}`;
  const { token } = JSON.parse((await browser.visit(await callback('token'))).body) as { token: string };
  const { access, refresh } = JSON.parse((await browser.visit(await callback('jwt'))).body) as { access: string; refresh: string };
  return { cookie, token, access, refresh };
}

/** The provider session (`sid`) a session token came from, as its record in `store` keeps it. */
export async function sidOfToken(store: { findToken(hash: string): Promise<{ data?: unknown } | null> }, token: string): Promise<string> {
  const record = await store.findToken(hashSecret(token));
  const sid = (record?.data as { identityProvider?: { sid?: unknown } } | undefined)?.identityProvider?.sid;
  if (typeof sid !== 'string') throw new Error('the session token records no provider session');
  return sid;
}

/** `GET /v1/me` on each of `origins` with each credential of `signedIn`: the statuses, by credential. */
export async function statusesOn(origins: readonly string[], signedIn: Pick<SignedInThrice, 'cookie' | 'token' | 'access'>): Promise<Record<'cookie' | 'token' | 'access', number[]>> {
  const on = (headers: Record<string, string>) => Promise.all(origins.map(async (origin) => (await fetch(`${origin}/v1/me`, { headers })).status));
  return {
    cookie: await on({ cookie: signedIn.cookie }),
    token: await on({ authorization: `Bearer ${signedIn.token}` }),
    access: await on({ authorization: `Bearer ${signedIn.access}` }),
  };
}
