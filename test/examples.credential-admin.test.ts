import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from './helpers/build';
import { realNow } from './helpers/clock';

const T0 = realNow();

/** The host admin endpoints of examples/credential-admin.js, on the package as users get it. */
describe('example: host endpoints that list and revoke credentials', () => {
  let app: import('express').Express;
  const clock = { now: T0 };

  beforeAll(async () => {
    ensureBuilt();
    const { createCredentialAdminApp } = require(path.join(ROOT, 'examples', 'credential-admin.js'));
    ({ app } = await createCredentialAdminApp({ now: () => clock.now }));
  });

  async function login(loginName: string, password: string): Promise<string> {
    const res = await request(app).post('/v1/sessions').send({ login: loginName, password });
    expect(res.status).toBe(200);
    return res.body.token;
  }

  it("ODK Central's App Users: an admin creates one, sees its key listed without the secret, and revokes it", async () => {
    const admin = await login('admin@example.org', 'admin password 1234');
    const created = await request(app).post('/v1/app-users').set('Authorization', `Bearer ${admin}`).send({ displayName: 'Tablet 7' });
    expect(created.status).toBe(201);
    const { id: actorId, credentialId, token } = created.body;
    expect((await request(app).get(`/v1/key/${token}/forms`)).body).toEqual({ actor: actorId, forms: ['household-survey'] });

    const listed = await request(app).get(`/v1/actors/${actorId}/credentials`).set('Authorization', `Bearer ${admin}`);
    expect(listed.body).toEqual([
      { id: credentialId, kind: 'appUser', label: 'Tablet 7', roles: null, createdAt: new Date(T0).toISOString(), expiresAt: null, state: 'active', lastUsedAt: new Date(T0).toISOString() },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(token);

    expect((await request(app).delete(`/v1/credentials/${credentialId}`).set('Authorization', `Bearer ${admin}`)).body).toEqual({ success: true });
    expect((await request(app).get(`/v1/key/${token}/forms`)).status).toBe(401);
    expect((await request(app).delete(`/v1/credentials/${credentialId}`).set('Authorization', `Bearer ${admin}`)).status).toBe(404);
  });

  it('a DRF-style token page: a user creates, lists and deletes their own tokens, and no one else can', async () => {
    const alice = await login('alice@example.org', 'correct horse battery');
    const admin = await login('admin@example.org', 'admin password 1234');
    const created = await request(app).post('/v1/me/tokens').set('Authorization', `Bearer ${alice}`).send({ label: 'CI deploy key' });
    expect(created.status).toBe(201);
    clock.now += 90_000;
    expect((await request(app).get('/v1/forms').set('Authorization', `Bearer ${created.body.token}`)).status).toBe(200);

    const mine = await request(app).get('/v1/me/tokens').set('Authorization', `Bearer ${alice}`);
    expect(mine.body).toEqual([expect.objectContaining({ id: created.body.id, label: 'CI deploy key', lastUsedAt: new Date(clock.now).toISOString() })]);
    expect(JSON.stringify(mine.body)).not.toContain(created.body.token);

    // The admin's own token page does not reach alice's token, and alice cannot use the admin routes.
    expect((await request(app).delete(`/v1/me/tokens/${created.body.id}`).set('Authorization', `Bearer ${admin}`)).status).toBe(404);
    expect((await request(app).delete(`/v1/credentials/${created.body.id}`).set('Authorization', `Bearer ${alice}`)).status).toBe(403);
    expect((await request(app).get('/v1/forms').set('Authorization', `Bearer ${created.body.token}`)).status).toBe(200);

    expect((await request(app).delete(`/v1/me/tokens/${created.body.id}`).set('Authorization', `Bearer ${alice}`)).status).toBe(204);
    expect((await request(app).get('/v1/forms').set('Authorization', `Bearer ${created.body.token}`)).status).toBe(401);
    expect((await request(app).get('/v1/me/tokens').set('Authorization', `Bearer ${alice}`)).body).toEqual([]);
  });
});
