import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { cookieApp, sessionCookie, withCookie } from './helpers/cookie';

describe('An HTML form logs in for a cookie with session=true', () => {
  it('should set the cookie, with no token, for a form whose session field is the string "true"', async () => {
    const t = await cookieApp();
    const res = await request(t.app)
      .post('/v1/sessions')
      .set('X-Forwarded-Proto', 'https')
      .type('form')
      .send(`login=alice%40example.org&password=${encodeURIComponent(ALICE_PASSWORD)}&session=true`);
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('token');
    const me = await withCookie(request(t.app).get('/v1/projects'), sessionCookie(res).pair);
    expect(me.status).toBe(200);
  });

  it('should hand out a token for session=false in a form', async () => {
    const t = await cookieApp();
    const res = await request(t.app).post('/v1/sessions').type('form').send(`login=alice%40example.org&password=${encodeURIComponent(ALICE_PASSWORD)}&session=false`);
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
  });

  it('should still refuse session=yes (400.1 naming the field), and the string "true" in a JSON body', async () => {
    const t = await cookieApp();
    const form = await request(t.app).post('/v1/sessions').type('form').send(`login=alice%40example.org&password=x&session=yes`);
    expect(form.status).toBe(400);
    expect(form.body).toMatchObject({ code: '400.1', field: 'session' });
    const json = await request(t.app).post('/v1/sessions').send({ login: 'alice@example.org', password: 'x', session: 'true' });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ code: '400.1', field: 'session' });
  });
});
