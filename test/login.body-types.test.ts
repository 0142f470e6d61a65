import request from 'supertest';
import { ALICE_PASSWORD, buildApp, type TestApp } from './helpers/app';
import { JWT_OPTIONS } from './helpers/jwt';

const ACCEPTED = 'application/json, application/x-www-form-urlencoded';
const LOGIN = JSON.stringify({ login: 'alice@example.org', password: ALICE_PASSWORD });

describe('what the login endpoints answer for a body they cannot read', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildApp({ jwt: JWT_OPTIONS });
  });

  describe.each(['/v1/sessions', '/v1/jwt/authenticate'])('POST %s', (path) => {
    it.each([
      ['text/plain', LOGIN],
      ['application/xml', '<login>alice@example.org</login>'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="login"\r\n\r\nalice@example.org\r\n--x--\r\n'],
    ])('a %s body answers 415.1 naming the accepted types, not "login is required"', async (type, body) => {
      const res = await request(t.app).post(path).set('Content-Type', type).send(body);
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['accept-post']).toBe(ACCEPTED);
      expect(res.body).toMatchObject({ code: '415.1', title: 'Unsupported Media Type', accepted: ACCEPTED });
      expect(res.body.detail).toContain('application/json');
      expect(res.body.detail).toContain('application/x-www-form-urlencoded');
      expect(JSON.stringify(res.body)).not.toContain('alice');
    });

    it('a body without a Content-Type answers 415.1 saying it has none', async () => {
      const res = await request(t.app).post(path).set('Content-Type', '').send(Buffer.from(LOGIN));
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ code: '415.1', accepted: ACCEPTED });
      expect(res.body.detail).toMatch(/no Content-Type/);
    });

    it('a JSON body sent as application/x-www-form-urlencoded (ApostropheCMS\'s documented client) logs in', async () => {
      const res = await request(t.app).post(path).set('Content-Type', 'application/x-www-form-urlencoded').send(LOGIN);
      expect(res.status).toBe(200);
      expect(res.body.token ?? res.body.access).toEqual(expect.any(String));
    });

    it('keeps + and %XX in a JSON body sent as a form exactly as typed', async () => {
      const password = 'a+b%20c d';
      await t.store.setPasswordHash(t.bob.id, await t.auth.passwords.hash(password));
      const body = JSON.stringify({ login: 'bob@example.org', password });
      const res = await request(t.app).post(path).set('Content-Type', 'application/x-www-form-urlencoded').send(body);
      expect(res.status).toBe(200);
    });

    it('broken JSON sent as a form answers 400.1', async () => {
      const res = await request(t.app).post(path).set('Content-Type', 'application/x-www-form-urlencoded').send('{"login": "alice@example.org", ');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('400.1');
    });

    it('an empty body with no Content-Type is a missing field (400.1), not 415', async () => {
      const res = await request(t.app).post(path);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: '400.1', field: 'login' });
    });

    it('a body over the 16 KB limit answers 413.1, not 400', async () => {
      const res = await request(t.app).post(path).send({ login: 'alice@example.org', password: 'x'.repeat(200_000) });
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: '413.1', title: 'Content Too Large', limit: 16_384 });
      expect(res.body.detail).toContain('16 KB');
    });

    it('a form body over the limit answers 413.1 too; one just under it is read', async () => {
      const over = await request(t.app).post(path).type('form').send(`login=alice%40example.org&password=${'x'.repeat(17_000)}`);
      expect(over.status).toBe(413);
      expect(over.body.code).toBe('413.1');
      const under = await request(t.app).post(path).type('form').send(`login=alice%40example.org&password=${'x'.repeat(1_000)}&pad=${'p'.repeat(15_000)}`);
      expect(under.status).toBe(401);
    });
  });

  it('POST /jwt/refresh and /jwt/verify answer 415.1 for a text body too', async () => {
    for (const path of ['/v1/jwt/refresh', '/v1/jwt/verify']) {
      const res = await request(t.app).post(path).set('Content-Type', 'text/plain').send('gthr_x');
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('415.1');
    }
  });

  it('an unsupported charset answers 415.1', async () => {
    const res = await request(t.app).post('/v1/sessions').set('Content-Type', 'application/json; charset=iso-8859-1').send('{}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('415.1');
    expect(res.body.detail).toMatch(/charset/);
  });
});
