import request from 'supertest';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

describe("multipleCredentials: 'reject'", () => {
  it('answers 400.2 when two credentials are presented, even if both are valid', async () => {
    const t = await buildApp({ multipleCredentials: 'reject' });
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const device = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });

    const two = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', `Bearer ${token}`);
    expect(two.status).toBe(400);
    expect(two.body.code).toBe('400.2');

    const keyAndHeader = await request(t.app).get(`/v1/key/${device.token}/forms`).set('Authorization', `Bearer ${token}`);
    expect(keyAndHeader.body.code).toBe('400.2');

    const twoQueryKeys = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}&apiKey=${CONFIG_API_KEY}`);
    expect(twoQueryKeys.body.code).toBe('401.2');

    const one = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`);
    expect(one.status).toBe(200);
  });

  it("'first' (the default) tries the first of two", async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const res = await request(t.app).get(`/v1/projects?apikey=${CONFIG_API_KEY}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.authInfo.scheme).toBe('sessionToken');
  });
});
