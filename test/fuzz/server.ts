/**
 * The server the fuzz run attacks: every scheme on, over HTTP and HTTPS (self-signed) on
 * 127.0.0.1, with a morgan-like access log of `req.originalUrl` and a route that echoes
 * what the app sees of the URL. Its credentials are issued at start and handed to the
 * generator, which mixes them into the requests, and to the checks, which look for them
 * in every response body and log line.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import selfsigned from 'selfsigned';
import { gatehouse, MemoryStore } from '../../src';

const FUZZ_JWT_SECRET = 'fuzz-jwt-secret-that-is-at-least-32-bytes';
const FUZZ_COOKIE_SECRET = 'fuzz-cookie-secret-of-at-least-32-characters';
const FUZZ_API_KEY = 'fuzzconfigkey5f3a9c1e7b2d4086';
export const LOGINS = ['alice@example.org', 'bob@example.org', 'tablet-7'] as const;
const PASSWORDS = { alice: 'correct horse battery staple', bob: 'bob:has:colons:too' } as const;

/** Every credential the run issued, by what it is; all of them are secrets for the checks. */
export interface IssuedCredentials {
  passwords: string[];
  /** Session, personal and app-user tokens that stay valid all run (never sent to a logout). */
  bearer: { session: string; personal: string; appUser: string; storeApiKey: string };
  configApiKey: string;
  /** A JWT access token whose refresh token is never sent, so its family stays valid. */
  jwtAccess: string;
  /** A refresh token the run may rotate or replay (its family may end). */
  jwtRefresh: string;
  /** `name=value` of a browser session cookie, and its CSRF token. */
  cookie: string;
  csrf: string;
  /** `Basic …` credentials of alice, encoded. */
  basic: string;
  /** Session tokens only ever sent to the logout endpoints, which may end them. */
  disposable: string[];
}

export interface FuzzServer {
  httpPort: number;
  httpsPort: number;
  credentials: IssuedCredentials;
  /** Every secret string above (and the cookie's session id alone). */
  secrets: string[];
  /** Called with each access-log line as it is written. */
  onLogLine: (listener: (line: string) => void) => void;
  close: () => Promise<void>;
}

async function jsonOver(port: number, path: string, body: unknown, secure: boolean): Promise<{ status: number; json: any; setCookie: string[] }> {
  const payload = JSON.stringify(body);
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      { host: '127.0.0.1', port, path, method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text), setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: LOGINS[0], password: PASSWORDS.alice, roles: ['admin'] });
  const bob = await store.addUser({ login: LOGINS[1], password: PASSWORDS.bob, roles: ['editor'] });
  const device = await store.addUser({ login: LOGINS[2], kind: 'appUser' });
  const auth = gatehouse({
    store,
    apiKeys: { [FUZZ_API_KEY]: { role: 'admin', label: 'fuzz' } },
    jwt: { secret: FUZZ_JWT_SECRET, issuer: 'https://fuzz.example.org', audience: 'api' },
    cookie: { secret: FUZZ_COOKIE_SECRET },
    // A short lock keeps valid logins succeeding now and then; every lock still costs
    // maxAttempts bcrypt checks, which bounds the run's password work.
    lockout: { maxAttempts: 5, window: 60_000, duration: 3_000 },
    passwords: { cost: 10, maxQueue: 1000 },
  });

  const listeners: Array<(line: string) => void> = [];
  const app = express();
  app.use((req, res, next) => {
    res.on('finish', () => {
      const line = `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode} ${res.getHeader('content-length') ?? '-'}`;
      for (const listener of listeners) listener(line);
    });
    next();
  });
  app.use('/v1', auth.routes());
  app.use('/v1', auth.authenticate());
  const echo = (req: express.Request, res: express.Response) =>
    res.json({ url: req.url, originalUrl: req.originalUrl, query: req.query, user: req.user?.id ?? null, scheme: req.authInfo?.scheme ?? null });
  app.all('/v1/echo', echo);
  app.get('/v1/public', echo);
  app.get('/v1/projects', auth.require(), echo);
  app.post('/v1/projects', auth.require(), echo);
  app.get('/v1/forms', auth.require({ actors: ['user', 'appUser'] }), echo);
  app.post('/v1/forms/:id/submissions', auth.require({ actors: ['user', 'appUser'] }), echo);
  app.get('/v1/admin', auth.require({ roles: ['admin'] }), echo);

  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048 });
  const plain = http.createServer({ keepAliveTimeout: 30_000 }, app);
  const secure = https.createServer({ key: pems.private, cert: pems.cert, keepAliveTimeout: 30_000 }, app);
  await Promise.all([plain, secure].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const httpPort = (plain.address() as AddressInfo).port;
  const httpsPort = (secure.address() as AddressInfo).port;

  const issue = (actorId: string, kind: 'session' | 'personal' | 'appUser' | 'apiKey') => auth.tokens.issue({ actorId, kind }).then((issued) => issued.token);
  const jwtKept = await jsonOver(httpPort, '/v1/jwt/authenticate', { login: LOGINS[1], password: PASSWORDS.bob }, false);
  const jwtRotated = await jsonOver(httpPort, '/v1/jwt/authenticate', { login: LOGINS[0], password: PASSWORDS.alice }, false);
  const cookieLogin = await jsonOver(httpsPort, '/v1/sessions', { login: LOGINS[0], password: PASSWORDS.alice, session: true }, true);
  if (jwtKept.status !== 200 || jwtRotated.status !== 200 || cookieLogin.status !== 200) throw new Error('fuzz server: could not issue the JWT or the cookie session');
  const cookie = cookieLogin.setCookie.map((line) => line.split(';')[0]).find((pair) => pair.startsWith('__Host-gatehouse='));
  if (!cookie) throw new Error('fuzz server: no session cookie');

  const credentials: IssuedCredentials = {
    passwords: [PASSWORDS.alice, PASSWORDS.bob],
    bearer: {
      session: await issue(alice.id, 'session'),
      personal: await issue(bob.id, 'personal'),
      appUser: await issue(device.id, 'appUser'),
      storeApiKey: await issue(alice.id, 'apiKey'),
    },
    configApiKey: FUZZ_API_KEY,
    jwtAccess: jwtKept.json.access,
    jwtRefresh: jwtRotated.json.refresh,
    cookie,
    csrf: cookieLogin.json.csrf,
    basic: Buffer.from(`${LOGINS[0]}:${PASSWORDS.alice}`).toString('base64'),
    disposable: await Promise.all(Array.from({ length: 50 }, () => issue(bob.id, 'session'))),
  };
  const sessionId = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1)).replace(/^s:/, '').split('.')[0];
  const secrets = [
    ...credentials.passwords,
    ...Object.values(credentials.bearer),
    credentials.configApiKey,
    credentials.jwtAccess,
    jwtRotated.json.access,
    credentials.jwtRefresh,
    jwtKept.json.refresh,
    cookie.slice(cookie.indexOf('=') + 1),
    sessionId,
    credentials.csrf,
    credentials.basic,
    ...credentials.disposable,
  ];
  if (secrets.some((secret) => typeof secret !== 'string' || secret.length < 16)) throw new Error('fuzz server: a credential was not issued');

  return {
    httpPort,
    httpsPort,
    credentials,
    secrets,
    onLogLine: (listener) => listeners.push(listener),
    close: async () => {
      for (const server of [plain, secure]) server.closeAllConnections();
      await Promise.all([plain, secure].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
