import request from 'supertest';
import { apiKeyDigest } from '../src';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

describe('API keys', () => {
  it('a role-only configured key authenticates as { kind: apiKey, id: label, roles }', async () => {
    const t = await buildApp();
    const res = await request(t.app).get('/v1/admin').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'config-admin', kind: 'apiKey', roles: ['admin'], displayName: 'config-admin' });
    expect(res.body.authInfo).toEqual({ scheme: 'apiKey', tokenKind: 'apiKey' });
  });

  it("accepts 'sha256:<hex>' entries so no plaintext sits in configuration", async () => {
    const key = 'reporting-key-5f2a9c1e7d';
    const t = await buildApp({ apiKeys: { [apiKeyDigest(key)]: { roles: ['reader'] } } });
    const res = await request(t.app).get(`/v1/projects?apikey=${key}`);
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['reader']);
    expect(res.body.user.id).toMatch(/^apikey:[0-9a-f]{12}$/);
    const wrong = await request(t.app).get(`/v1/projects?apikey=${key}x`);
    expect(wrong.status).toBe(401);
  });

  it("a configured key with actorId acts as that actor, with the key roles; a missing actor fails", async () => {
    const probe = await buildApp();
    const t = await buildApp({ apiKeys: { "bob-service-key-000001": { actorId: probe.bob.id, role: "deployer" }, "ghost-service-key-0001": { actorId: "no-such-actor" } } }, probe.store);
    const res = await request(t.app).get("/v1/projects").set("Authorization", "ApiKey bob-service-key-000001");
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: probe.bob.id, kind: "user", roles: ["deployer"] });
    const gone = await request(t.app).get("/v1/projects").set("Authorization", "ApiKey ghost-service-key-0001");
    expect(gone.status).toBe(401);
  });

  it('store-issued keys work in the header and the query, and stop working when revoked', async () => {
    const t = await buildApp();
    const issued = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey', label: 'ci', roles: ['deployer'] });
    const header = await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${issued.token}`);
    expect(header.status).toBe(200);
    expect(header.body.user).toMatchObject({ id: t.bob.id, kind: 'user', roles: ['deployer'] });
    const query = await request(t.app).get(`/v1/projects?apiKey=${issued.token}`);
    expect(query.status).toBe(200);
    expect(await t.auth.tokens.revoke(issued.token)).toBe(true);
    const after = await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${issued.token}`);
    expect(after.status).toBe(401);
  });

  it('a store-issued API key is not a bearer token, and a session token is not an API key', async () => {
    const t = await buildApp();
    const key = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'apiKey' });
    const session = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${key.token}`)).status).toBe(401);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${session.token}`)).status).toBe(401);
  });

  it('apiKeys: false turns the scheme off: the query parameter reaches the app, the header fails', async () => {
    const t = await buildApp({ apiKeys: false });
    const query = await request(t.app).get(`/v1/public?apikey=${CONFIG_API_KEY}`);
    expect(query.status).toBe(200);
    expect(query.body.user).toBeNull();
    expect(query.body.query).toEqual({ apikey: CONFIG_API_KEY });
    const header = await request(t.app).get('/v1/public').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(header.status).toBe(401);
  });
});
