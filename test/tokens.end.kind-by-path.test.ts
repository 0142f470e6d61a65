/**
 * Every way of ending a credential means the same thing. For each kind of credential and
 * each path that can end it — `tokens.revoke(token)`, `tokens.revokeById(id)`,
 * `DELETE /sessions/{token}` and logout (`DELETE /sessions/current` with the credential
 * itself) — the credential and everything that ends with it (the cookie of a login that also
 * handed out a token, and the other way round; the access tokens of a refresh token's
 * family) no longer authenticate on the next request.
 *
 * Cells left out cannot be taken: a cookie's secret is a session id, not a token (so neither
 * `revoke` nor `DELETE /sessions/{token}` takes it), a refresh token is never presented as a
 * credential (logout is made with its family's access token instead), and app users cannot
 * log themselves out (403.1, by design).
 */
import request from 'supertest';
import type { GatehouseOptions } from '../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { COOKIE_SECRET, sessionCookie } from './helpers/cookie';
import { JWT_OPTIONS } from './helpers/jwt';

type Path = 'revoke' | 'revokeById' | 'DELETE /sessions/{token}' | 'logout';
const PATHS: Path[] = ['revoke', 'revokeById', 'DELETE /sessions/{token}', 'logout'];

/** A credential as the test holds it: what ends it by each path, and what must stop working. */
interface Held {
  token?: string;
  id: string;
  /** Makes a request with this credential (or with what ends with it). */
  probes: Array<(t: TestApp) => request.Test>;
  /** Probes made only after it ended: presenting a refresh token rotates it. */
  probesAfter?: Array<(t: TestApp) => request.Test>;
  /** The logout request, made with the credential itself. */
  logout?: (t: TestApp) => request.Test;
}

const HTTPS = { 'X-Forwarded-Proto': 'https' };
const bearer = (token: string, path = '/v1/projects') => (t: TestApp) => request(t.app).get(path).set(HTTPS).set('Authorization', `Bearer ${token}`);
const apiKey = (token: string) => (t: TestApp) => request(t.app).get('/v1/projects').set(HTTPS).set('Authorization', `ApiKey ${token}`);
const cookie = (pair: string) => (t: TestApp) => request(t.app).get('/v1/projects').set(HTTPS).set('Cookie', pair);
const refresh = (token: string) => (t: TestApp) => request(t.app).post('/v1/jwt/refresh').set(HTTPS).send({ refresh: token });
const logoutWith = (headers: Record<string, string>) => (t: TestApp) => request(t.app).delete('/v1/sessions/current').set(HTTPS).set(headers);

async function idOf(t: TestApp, kind: 'session' | 'cookie' | 'refresh'): Promise<string> {
  const [credential] = await t.auth.tokens.list(t.alice.id, { kinds: [kind] });
  return credential!.id;
}

async function logIn(t: TestApp, body: Record<string, unknown> = {}) {
  const res = await request(t.app).post('/v1/sessions').set(HTTPS).send({ login: 'alice@example.org', password: ALICE_PASSWORD, ...body });
  expect(res.status).toBe(200);
  return res;
}

const KINDS: Record<string, { options?: Partial<GatehouseOptions>; paths: Path[]; hold(t: TestApp): Promise<Held> }> = {
  session: {
    paths: PATHS,
    async hold(t) {
      const issued = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
      return { token: issued.token, id: issued.id, probes: [bearer(issued.token)], logout: logoutWith({ Authorization: `Bearer ${issued.token}` }) };
    },
  },
  personal: {
    paths: PATHS,
    async hold(t) {
      const issued = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
      return { token: issued.token, id: issued.id, probes: [bearer(issued.token)], logout: logoutWith({ Authorization: `Bearer ${issued.token}` }) };
    },
  },
  appUser: {
    paths: ['revoke', 'revokeById', 'DELETE /sessions/{token}'],
    async hold(t) {
      const issued = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
      return { token: issued.token, id: issued.id, probes: [bearer(issued.token, '/v1/forms'), (app) => request(app.app).get(`/v1/key/${issued.token}/forms`).set(HTTPS)] };
    },
  },
  apiKey: {
    paths: PATHS,
    async hold(t) {
      const issued = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey' });
      return { token: issued.token, id: issued.id, probes: [apiKey(issued.token)], logout: logoutWith({ Authorization: `ApiKey ${issued.token}` }) };
    },
  },
  'refresh (its family and access tokens)': {
    paths: PATHS,
    async hold(t) {
      const res = await request(t.app).post('/v1/jwt/authenticate').set(HTTPS).send({ login: 'alice@example.org', password: ALICE_PASSWORD });
      expect(res.status).toBe(200);
      const { access, refresh: token } = res.body as { access: string; refresh: string };
      return { token, id: await idOf(t, 'refresh'), probes: [bearer(access)], probesAfter: [refresh(token)], logout: logoutWith({ Authorization: `Bearer ${access}` }) };
    },
  },
  cookie: {
    paths: ['revokeById', 'logout'],
    async hold(t) {
      const pair = sessionCookie(await logIn(t, { session: true })).pair;
      return { id: await idOf(t, 'cookie'), probes: [cookie(pair)], logout: logoutWith({ Cookie: pair, Origin: 'https://127.0.0.1', 'Sec-Fetch-Site': 'same-origin' }) };
    },
  },
  "session of a 'token+cookie' login (and its cookie)": {
    options: { login: { credentials: 'token+cookie' } },
    paths: PATHS,
    async hold(t) {
      const res = await logIn(t);
      const { token } = res.body as { token: string };
      return { token, id: await idOf(t, 'session'), probes: [bearer(token), cookie(sessionCookie(res).pair)], logout: logoutWith({ Authorization: `Bearer ${token}` }) };
    },
  },
  "cookie of a 'token+cookie' login (and its token)": {
    options: { login: { credentials: 'token+cookie' } },
    paths: ['revokeById', 'logout'],
    async hold(t) {
      const res = await logIn(t);
      const pair = sessionCookie(res).pair;
      return {
        id: await idOf(t, 'cookie'),
        probes: [cookie(pair), bearer((res.body as { token: string }).token)],
        logout: logoutWith({ Cookie: pair, Origin: 'https://127.0.0.1', 'Sec-Fetch-Site': 'same-origin' }),
      };
    },
  },
};

const CELLS = Object.entries(KINDS).flatMap(([kind, spec]) => spec.paths.map((path) => [kind, path] as const));

async function endBy(t: TestApp, path: Path, held: Held, admin: string): Promise<void> {
  if (path === 'revoke') expect(await t.auth.tokens.revoke(held.token!)).toBe(true);
  else if (path === 'revokeById') expect(await t.auth.tokens.revokeById(held.id)).toBe(true);
  else if (path === 'DELETE /sessions/{token}') {
    expect((await request(t.app).delete(`/v1/sessions/${held.token}`).set(HTTPS).set('Authorization', `Bearer ${admin}`)).status).toBe(200);
  } else expect((await held.logout!(t)).status).toBe(200);
}

describe('ending a credential: every path agrees, for every kind', () => {
  it.each(CELLS)('%s, ended by %s, no longer authenticates, nor does anything linked to it', async (kind, path) => {
    const spec = KINDS[kind]!;
    const t = await buildApp({ jwt: JWT_OPTIONS, cookie: { secret: COOKIE_SECRET }, ...spec.options });
    t.app.set('trust proxy', 'loopback');
    // The administrator who ends someone's token through DELETE /sessions/{token}: a credential of its own.
    const admin = (await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' })).token;
    const held = await spec.hold(t);
    for (const probe of held.probes) expect((await probe(t)).status).toBe(200);

    await endBy(t, path, held, admin);

    for (const probe of [...held.probes, ...(held.probesAfter ?? [])]) expect((await probe(t)).status).toBe(401);
    expect((await bearer(admin)(t)).status).toBe(200);
  });
});
