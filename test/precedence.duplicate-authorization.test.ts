import express from 'express';
import { buildApp, CONFIG_API_KEY, type TestApp } from './helpers/app';
import { listen, rawRequest } from './helpers/raw-http';

// Node keeps only the first of repeated Authorization headers in req.headers, and its
// client will not send two: these requests go over a raw socket.
async function served(options = {}): Promise<{ t: TestApp; session: string; port: number; close: () => Promise<void> }> {
  const t = await buildApp(options);
  const { token: session } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
  const { port, close } = await listen(t.app);
  return { t, session, port, close };
}

const get = (path: string, ...headers: string[]) => [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...headers].join('\r\n');

describe('more than one Authorization header is refused with 400.2', () => {
  it('a valid ApiKey header followed by a bad Bearer header is not let through on the first', async () => {
    const { port, close } = await served();
    try {
      const res = await rawRequest(port, get('/v1/projects', `Authorization: ApiKey ${CONFIG_API_KEY}`, 'Authorization: Bearer not-a-token'));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ status: 400, code: '400.2' });
      expect(body.detail).toMatch(/Authorization header/);
      expect(res.body).not.toContain(CONFIG_API_KEY);
      expect(res.headers['www-authenticate']).toBeUndefined();
    } finally {
      await close();
    }
  });

  it.each([
    ['the same valid token twice', (s: string) => [`Authorization: Bearer ${s}`, `Authorization: Bearer ${s}`]],
    ['names in different cases', (s: string) => [`authorization: Bearer ${s}`, `AUTHORIZATION: Bearer ${s}`]],
    ['an empty header first', (s: string) => ['Authorization:', `Authorization: Bearer ${s}`]],
    ['headers apart, with others between', (s: string) => [`Authorization: Bearer ${s}`, 'Accept: */*', 'X-Other: 1', `Authorization: ApiKey ${CONFIG_API_KEY}`]],
  ])('%s', async (_case, headers) => {
    const { session, port, close } = await served();
    try {
      const res = await rawRequest(port, get('/v1/projects', ...headers(session)));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).code).toBe('400.2');
    } finally {
      await close();
    }
  });

  it('also with a URL key that would win precedence, and on DELETE /sessions/current', async () => {
    const { t, session, port, close } = await served();
    const { token: device } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    try {
      const keyed = await rawRequest(port, get(`/v1/key/${device}/forms`, `Authorization: Bearer ${session}`, `Authorization: Bearer ${session}`));
      expect(JSON.parse(keyed.body).code).toBe('400.2');
      const logout = await rawRequest(
        port,
        ['DELETE /v1/sessions/current HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${session}`, 'Authorization: Bearer other'].join('\r\n'),
      );
      expect(logout.status).toBe(400);
      expect(JSON.parse(logout.body).code).toBe('400.2');
      // The session was not ended by the refused logout.
      expect((await rawRequest(port, get('/v1/projects', `Authorization: Bearer ${session}`))).status).toBe(200);
    } finally {
      await close();
    }
  });

  it('one Authorization header, whatever other headers repeat, is read as before', async () => {
    const { session, port, close } = await served();
    try {
      const res = await rawRequest(port, get('/v1/projects', 'Accept: */*', 'Accept: text/plain', `Authorization: Bearer ${session}`, 'X-Authorization: x'));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).authInfo.scheme).toBe('sessionToken');
    } finally {
      await close();
    }
  });
});

describe('the count costs nothing on requests without an Authorization header', () => {
  it('reads req.rawHeaders once with one header, never without', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    let reads = 0;
    const outer = express();
    outer.use((req, _res, next) => {
      const raw = req.rawHeaders;
      Object.defineProperty(req, 'rawHeaders', { get: () => ((reads += 1), raw), configurable: true });
      next();
    });
    outer.use(t.app);
    const { port, close } = await listen(outer);
    try {
      expect((await rawRequest(port, get('/v1/public'))).status).toBe(200);
      expect(reads).toBe(0);
      expect((await rawRequest(port, get('/v1/projects', `Authorization: Bearer ${token}`))).status).toBe(200);
      expect(reads).toBe(1);
    } finally {
      await close();
    }
  });
});
