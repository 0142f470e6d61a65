import fc from 'fast-check';
import request from 'supertest';
import { buildApp, type TestApp } from './helpers/app';

/** Malformed input of any kind answers 400/401 — never 500, never a crash (SECURITY.md; ARCHITECTURE.md, "Invariants"). */
describe('malformed input never gives 500', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp();
  });

  const allowed = new Set([200, 400, 401, 403, 404]);

  it('random Authorization headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.tuple(fc.constantFrom('Bearer', 'ApiKey', 'Basic', 'bearer', 'Digest'), fc.string({ maxLength: 120 })).map(([s, v]) => `${s} ${v}`),
        ),
        async (header) => {
          // Node refuses to send some header values at all (control characters); those cannot reach a server.
          if (/[\r\n\0]/.test(header) || /[^\t\x20-\x7e\x80-\xff]/.test(header)) return;
          const res = await request(t.app).get('/v1/projects').set('Authorization', header);
          expect(allowed.has(res.status)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random /key/… paths and query keys, including broken percent-escapes', async () => {
    const piece = fc.stringMatching(/^[A-Za-z0-9%_.~!$&'()*+,;=:@-]{0,60}$/);
    await fc.assert(
      fc.asyncProperty(piece, piece, async (key, query) => {
        const res = await request(t.app).get(`/v1/key/${key}/forms?apikey=${query}&x=%`);
        expect(allowed.has(res.status)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ['{"login": "alice@example.org", "password": ', 'application/json'],
    ['[1,2,3]', 'application/json'],
    ['"just a string"', 'application/json'],
    ['{"login": 5, "password": "x"}', 'application/json'],
    ['{"login": "a", "password": {"$ne": null}}', 'application/json'],
    ['{}', 'application/json; charset=utf-7'],
  ])('a malformed login body %s gives 400.1', async (body, type) => {
    const res = await request(t.app).post('/v1/sessions').set('Content-Type', type).send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('400.1');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('a form body with broken percent-escapes is read leniently and fails as a wrong password, not a 500', async () => {
    const res = await request(t.app).post('/v1/sessions').set('Content-Type', 'application/x-www-form-urlencoded').send('login=%zz&password=%');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
  });

  it('names the missing field', async () => {
    const noPassword = await request(t.app).post('/v1/sessions').send({ email: 'alice@example.org' });
    expect(noPassword.body).toMatchObject({ code: '400.1', field: 'password' });
    const noLogin = await request(t.app).post('/v1/sessions').send({ password: 'x' });
    expect(noLogin.body).toMatchObject({ code: '400.1', field: 'login' });
    const numberLogin = await request(t.app).post('/v1/sessions').send({ username: 7, password: 'x' });
    expect(numberLogin.body).toMatchObject({ code: '400.1', field: 'username', detail: 'username must be a string.' });
  });

  it('a huge body is refused as 413.1 without reading it all', async () => {
    const res = await request(t.app).post('/v1/sessions').send({ login: 'a', password: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('413.1');
  });
});
