import request from 'supertest';
import type { GatehouseOptions, MemoryStore } from '../../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './app';

export const COOKIE_SECRET = 'a-cookie-secret-of-at-least-32-characters';

/** The app behind a TLS-terminating proxy on loopback, with cookie sessions on. */
export async function cookieApp(options: Partial<GatehouseOptions> = {}, store?: MemoryStore): Promise<TestApp> {
  const t = await buildApp({ cookie: { secret: COOKIE_SECRET }, ...options }, store);
  t.app.set('trust proxy', 'loopback');
  t.app.post('/v1/projects', t.auth.require(), (req, res) => res.json({ created: true, by: req.user!.id }));
  return t;
}

/** `name=value` of the session cookie from a response, and its raw Set-Cookie line. */
export function sessionCookie(res: request.Response, name = '__Host-gatehouse'): { pair: string; line: string } {
  const lines = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(lines)}`);
  return { pair: line.split(';')[0], line };
}

/** Logs alice in with `session: true` over "HTTPS"; resolves to the cookie pair, CSRF token and the response body. */
export async function loginWithCookie(t: TestApp, name?: string): Promise<{ cookie: string; csrf: string; line: string; body: Record<string, unknown> }> {
  const res = await request(t.app)
    .post('/v1/sessions')
    .set('X-Forwarded-Proto', 'https')
    .send({ login: 'alice@example.org', password: ALICE_PASSWORD, session: true });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { pair, line } = sessionCookie(res, name);
  return { cookie: pair, csrf: res.body.csrf, line, body: res.body };
}

/** Logs alice in for a bearer token (a login of its own: a cookie login hands out no token). */
export async function loginWithBearer(t: TestApp): Promise<string> {
  const res = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: ALICE_PASSWORD });
  if (res.status !== 200 || typeof res.body.token !== 'string') throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** A request over "HTTPS" with the cookie. */
export function withCookie(test: request.Test, cookie: string): request.Test {
  return test.set('X-Forwarded-Proto', 'https').set('Cookie', cookie);
}
