import express from 'express';
import express4 from 'express4';
import { gatehouse, MemoryStore } from '../src';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { accessLog, listen, rawRequest } from './helpers/raw-http';

// Near misses of /key/{token}/… are sent over a raw socket: Node's client and supertest
// would normalise some of them (dot segments, absolute forms) before they reach the server.
async function served(): Promise<{ t: TestApp; token: string; log: string[]; port: number; close: () => Promise<void> }> {
  const t = await buildApp();
  const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
  const log: string[] = [];
  const outer = express();
  outer.use(accessLog(log));
  outer.use(t.app);
  const { port, close } = await listen(outer);
  return { t, token, log, port, close };
}

const NEAR_MISSES: [string, (token: string) => string][] = [
  ['an empty segment before it', (token) => `/v1//key/${token}/forms`],
  ['upper case', (token) => `/v1/KEY/${token}/forms`],
  ['mixed case', (token) => `/v1/Key/${token}/forms`],
  ['a percent-encoded letter', (token) => `/v1/%6Bey/${token}/forms`],
  ['every letter percent-encoded', (token) => `/v1/%6b%45%79/${token}/forms`],
  ['a double-encoded letter', (token) => `/v1/%256Bey/${token}/forms`],
  ['a dot segment before it', (token) => `/v1/./key/${token}/forms`],
  ['an encoded dot segment before it', (token) => `/v1/%2e/key/${token}/forms`],
  ['a dot-dot segment before it', (token) => `/v1/../key/${token}/forms`],
  ['a dot-dot segment further on', (token) => `/v1/forms/../key/${token}/forms`],
  ['a climb out of the mount and back', (token) => `/v1/../v1/key/${token}/forms`],
  ['encoded slashes around it', (token) => `/v1/%2Fkey%2F${token}%2Fforms`],
  ['encoded slashes after it', (token) => `/v1/key%2F${token}%2Fforms`],
  ['an encoded backslash before it', (token) => `/v1/%5Ckey/${token}/forms`],
];

describe('near misses of an app-user URL never leak the key', () => {
  it.each(NEAR_MISSES)('%s: refused with 400.1, the key in neither the body nor the access log', async (_form, build) => {
    const { token, log, port, close } = await served();
    try {
      const res = await rawRequest(port, `GET ${build(token)} HTTP/1.1\r\nHost: 127.0.0.1`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: '400.1' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.body).not.toContain(token);
      expect(log).toHaveLength(1);
      expect(log[0]).toMatch(/^GET \/v1\/.*REDACTED.* 400$/);
      expect(log[0]).not.toContain(token);
    } finally {
      await close();
    }
  });

  it('a near miss with a valid key and a valid Bearer header is still refused (no fallback)', async () => {
    const { t, token, port, close } = await served();
    const { token: session } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    try {
      const res = await rawRequest(port, `GET /v1/KEY/${token}/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${session}`);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).code).toBe('400.1');
    } finally {
      await close();
    }
  });

  it('a login posted to a near miss is refused, not logged in', async () => {
    const { token, log, port, close } = await served();
    try {
      const body = JSON.stringify({ login: 'alice@example.org', password: ALICE_PASSWORD });
      const res = await rawRequest(port, `POST /v1/KEY/${token}/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json`, body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).code).toBe('400.1');
      expect(log.join('\n')).not.toContain(token);
    } finally {
      await close();
    }
  });

  it('paths that only look alike (/keys, /keyboard, a bare /key) reach the app untouched', async () => {
    const { t, port, close } = await served();
    t.app.get('/v1/keys/:id', (req, res) => res.json({ id: req.params.id }));
    t.app.get('/v1/keyboard', (_req, res) => res.json({ ok: true }));
    t.app.get('/v1/key', (_req, res) => res.json({ bare: true }));
    try {
      expect(JSON.parse((await rawRequest(port, 'GET /v1/keys/7 HTTP/1.1\r\nHost: x')).body)).toEqual({ id: '7' });
      expect(JSON.parse((await rawRequest(port, 'GET /v1/keyboard HTTP/1.1\r\nHost: x')).body)).toEqual({ ok: true });
      expect(JSON.parse((await rawRequest(port, 'GET /v1/key HTTP/1.1\r\nHost: x')).body)).toEqual({ bare: true });
    } finally {
      await close();
    }
  });
});

describe('absolute-form request lines (GET http://host/v1/key/…)', () => {
  it('are app-user URLs: the key is taken off and the app sees the rest', async () => {
    const { t, token, log, port, close } = await served();
    try {
      const res = await rawRequest(port, `GET http://127.0.0.1/v1/key/${token}/forms?x=1 HTTP/1.1\r\nHost: 127.0.0.1`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).user.id).toBe(t.device.id);
      expect(t.seen.url).toBe('http://127.0.0.1/v1/forms?x=1');
      expect(t.seen.originalUrl).toBe('http://127.0.0.1/v1/key/REDACTED/forms?x=1');
      expect(log).toEqual(['GET http://127.0.0.1/v1/key/REDACTED/forms?x=1 200']);
    } finally {
      await close();
    }
  });

  it('a 404 page and the access log never show the key', async () => {
    const { token, log, port, close } = await served();
    try {
      const res = await rawRequest(port, `GET http://127.0.0.1/v1/key/${token}/no-such-route HTTP/1.1\r\nHost: 127.0.0.1`);
      expect(res.status).toBe(404);
      expect(res.body).toContain('/v1/key/REDACTED/no-such-route');
      expect(res.body).not.toContain(token);
      expect(log.join('\n')).not.toContain(token);
    } finally {
      await close();
    }
  });

  it.each([`KEY`, `%6Bey`, `/key`])('a near miss in absolute form (/v1/%s/…) is refused with 400.1', async (marker) => {
    const { token, log, port, close } = await served();
    try {
      const res = await rawRequest(port, `GET http://127.0.0.1/v1/${marker}/${token}/forms HTTP/1.1\r\nHost: 127.0.0.1`);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).code).toBe('400.1');
      expect(res.body + log.join('\n')).not.toContain(token);
    } finally {
      await close();
    }
  });
});

describe('Express 4 host app (its router keeps http://host in front of mounted paths too)', () => {
  it('refuses a near miss and reads an absolute-form key URL', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const device = await store.addUser({ login: 'tablet-7', kind: 'appUser' });
    const auth = gatehouse({ store });
    const { token } = await auth.tokens.issue({ actorId: device.id, kind: 'appUser' });
    const log: string[] = [];
    const app = express4();
    app.use(accessLog(log) as never);
    app.use('/v1', auth.routes() as never);
    app.use('/v1', auth.authenticate() as never);
    app.get('/v1/forms', auth.require({ actors: ['appUser'] }) as never, (req: any, res: any) => res.json({ id: req.user.id, url: req.url }));
    const { port, close } = await listen(app as never);
    try {
      const nearMiss = await rawRequest(port, `GET /v1//KEY/${token}/forms HTTP/1.1\r\nHost: x`);
      expect(nearMiss.status).toBe(400);
      expect(JSON.parse(nearMiss.body).code).toBe('400.1');
      const absolute = await rawRequest(port, `GET http://x/v1/key/${token}/forms HTTP/1.1\r\nHost: x`);
      expect(absolute.status).toBe(200);
      expect(JSON.parse(absolute.body)).toEqual({ id: device.id, url: 'http://x/v1/forms' });
      const missing = await rawRequest(port, `GET http://x/v1/key/${token}/none HTTP/1.1\r\nHost: x`);
      expect(missing.status).toBe(404);
      expect(missing.body + log.join('\n')).not.toContain(token);
    } finally {
      await close();
    }
  });
});
