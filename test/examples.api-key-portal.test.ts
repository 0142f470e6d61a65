import path from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from './helpers/build';
import { realNow } from './helpers/clock';

const T0 = realNow();
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** examples/api-key-portal.js, on the package as users get it, driven over HTTP as a portal page would. */
describe('example: a developer portal for API keys', () => {
  let app: import('express').Express;
  const clock = { now: T0 };

  beforeAll(async () => {
    ensureBuilt();
    const { createApiKeyPortalApp } = require(path.join(ROOT, 'examples', 'api-key-portal.js'));
    ({ app } = await createApiKeyPortalApp({ now: () => clock.now }));
  });

  async function login(loginName: string, password: string): Promise<string> {
    const res = await request(app).post('/v1/sessions').send({ login: loginName, password });
    expect(res.status).toBe(200);
    return res.body.token;
  }

  it('a user creates a key, uses it, rotates it with a grace period, disables and deletes keys; no one else reaches them', async () => {
    const alice = await login('alice@example.org', 'correct horse battery');
    const bob = await login('bob@example.org', 'another good password');
    const portal = (token: string) => ({ get: (url: string) => request(app).get(url).set('Authorization', `Bearer ${token}`), post: (url: string) => request(app).post(url).set('Authorization', `Bearer ${token}`), delete: (url: string) => request(app).delete(url).set('Authorization', `Bearer ${token}`) });
    const callApi = (key: string, method: 'get' | 'post' = 'get') => request(app)[method]('/v1/reports').set('Authorization', `ApiKey ${key}`);

    const created = await portal(alice).post('/v1/portal/keys').send({ label: 'reporting job', scopes: ['reports:read'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ label: 'reporting job', state: 'active', scopes: ['reports:read'], expiresAt: new Date(T0 + 90 * DAY).toISOString() });
    const { key, id } = created.body;
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    expect(created.body.start).toBe(key.slice(0, 12));

    expect((await callApi(key)).body).toEqual({ owner: expect.any(String), reports: ['2026-q4'] });
    const write = await callApi(key, 'post');
    expect([write.status, write.body.code]).toEqual([403, '403.5']);
    // The portal does not take an API key, even its owner's.
    expect((await request(app).get('/v1/portal/keys').set('Authorization', `ApiKey ${key}`)).status).toBe(403);
    // Outside the policy: 400 naming the field.
    expect((await portal(alice).post('/v1/portal/keys').send({ expiresInDays: 400 })).body).toMatchObject({ field: 'expiresAt' });

    const listed = await portal(alice).get('/v1/portal/keys');
    expect(listed.body).toEqual([expect.objectContaining({ id, start: key.slice(0, 12), state: 'active' })]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect((await portal(bob).get('/v1/portal/keys')).body).toEqual([]);

    // Rotate with a 2-hour grace: both work, both listed and linked.
    const rotated = await portal(alice).post(`/v1/portal/keys/${id}/rotate`).send({ graceHours: 2 });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ replaces: id, label: 'reporting job', scopes: ['reports:read'] });
    expect((await callApi(key)).status).toBe(200);
    expect((await callApi(rotated.body.key)).status).toBe(200);
    const states = async () => new Map((await portal(alice).get('/v1/portal/keys')).body.map((info: { id: string; state: string }) => [info.id, info.state]));
    expect(await states()).toEqual(new Map([[id, 'rotating'], [rotated.body.id, 'active']]));
    clock.now += 2 * HOUR;
    expect((await callApi(key)).body.code).toBe('401.4');
    expect((await callApi(rotated.body.key)).status).toBe(200);

    // Bob cannot touch alice's key; alice disables, enables and deletes it.
    for (const action of ['disable', 'enable', 'rotate']) expect((await portal(bob).post(`/v1/portal/keys/${rotated.body.id}/${action}`).send({})).status).toBe(404);
    expect((await portal(bob).delete(`/v1/portal/keys/${rotated.body.id}`)).status).toBe(404);
    expect((await portal(alice).post(`/v1/portal/keys/${rotated.body.id}/disable`)).status).toBe(204);
    expect((await callApi(rotated.body.key)).body.code).toBe('401.2');
    expect(await states()).toEqual(new Map([[id, 'expired'], [rotated.body.id, 'disabled']]));
    expect((await portal(alice).post(`/v1/portal/keys/${rotated.body.id}/enable`)).status).toBe(204);
    expect((await callApi(rotated.body.key)).status).toBe(200);
    expect((await portal(alice).delete(`/v1/portal/keys/${rotated.body.id}`)).status).toBe(204);
    expect((await callApi(rotated.body.key)).body.code).toBe('401.2');
    expect((await portal(alice).get('/v1/portal/keys')).body.map((info: { id: string }) => info.id)).toEqual([id]);
  });

  it("lists each key's limits and usage: used in the current window, what is left and when it resets; listing counts nothing", async () => {
    const alice = await login('alice@example.org', 'correct horse battery');
    const portal = (url: string) => request(app).get(url).set('Authorization', `Bearer ${alice}`);
    const create = (body: object) => request(app).post('/v1/portal/keys').set('Authorization', `Bearer ${alice}`).send(body);
    const callApi = (key: string, method: 'get' | 'post' = 'get') => request(app)[method]('/v1/reports').set('Authorization', `ApiKey ${key}`);
    const pro = (await create({ label: 'pro job', scopes: ['reports:read', 'reports:write'], plan: 'pro' })).body;
    const basic = (await create({ label: 'basic job', scopes: ['reports:read'] })).body;
    expect((await create({ plan: 'gold' })).body).toMatchObject({ field: 'plan' });

    for (let i = 0; i < 2; i += 1) expect((await callApi(pro.key)).status).toBe(200);
    expect((await callApi(pro.key, 'post')).status).toBe(201); // a write costs 5
    expect((await callApi(basic.key)).status).toBe(200);

    const now = clock.now;
    const minuteEnd = new Date(Math.floor(now / 60_000) * 60_000 + 60_000).toISOString();
    const monthEnd = new Date(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth() + 1, 1)).toISOString();
    const dayEnd = new Date(Math.floor(now / DAY) * DAY + DAY).toISOString();
    const limitsOf = async (keyId: string) => (await portal('/v1/portal/keys')).body.find((info: { id: string }) => info.id === keyId).limits;
    expect(await limitsOf(pro.id)).toEqual([
      { name: 'burst', limit: 600, window: 60_000, quota: false, source: 'key', used: 7, remaining: 593, resetsAt: minuteEnd },
      { name: 'monthly', limit: 100_000, window: 'month', quota: true, source: 'key', used: 7, remaining: 99_993, resetsAt: monthEnd },
    ]);
    expect(await limitsOf(basic.id)).toEqual([
      { name: 'burst', limit: 60, window: 60_000, quota: false, source: 'default', used: 1, remaining: 59, resetsAt: minuteEnd },
      { name: 'daily', limit: 1000, window: DAY, quota: true, source: 'default', used: 1, remaining: 999, resetsAt: dayEnd },
    ]);
    // Listing again reads the same counts: the portal's reads are not requests of the key.
    expect((await limitsOf(pro.id)).map((limit: { used: number }) => limit.used)).toEqual([7, 7]);
    expect((await callApi(pro.key)).headers.ratelimit).toMatch(/^"burst";r=592;t=\d+, "monthly";r=99992;t=\d+$/);
  });
});
