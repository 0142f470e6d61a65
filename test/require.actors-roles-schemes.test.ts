import request from 'supertest';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

describe('auth.require()', () => {
  it('checks roles (any of) and answers 403.1 for an authenticated actor without them', async () => {
    const t = await buildApp();
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const bob = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    expect((await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${alice.token}`)).status).toBe(200);
    const denied = await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${bob.token}`);
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: '403.1', status: 403, title: 'Forbidden', type: 'about:blank' });
    expect(denied.headers['www-authenticate']).toBeUndefined();
  });

  it('a role change takes effect on the next request (the actor is read per request)', async () => {
    const t = await buildApp();
    const bob = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    await t.store.setRoles(t.bob.id, ['admin']);
    expect((await request(t.app).get('/v1/admin').set('Authorization', `Bearer ${bob.token}`)).status).toBe(200);
  });

  it('lets app users in only where actors include appUser', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    expect((await request(t.app).get(`/v1/key/${token}/forms`)).status).toBe(200);
    expect((await request(t.app).get(`/v1/key/${token}/projects`)).body.code).toBe('403.1');
  });

  it('schemes is an allow-list of scheme ids', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    expect((await request(t.app).get('/v1/header-only').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const viaKey = await request(t.app).get('/v1/header-only').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(viaKey.status).toBe(403);
    expect(viaKey.body.code).toBe('403.1');
  });

  it('refuses bad options at construction, naming them', async () => {
    const t = await buildApp();
    expect(() => t.auth.require({ schemes: ['bearer' as never] })).toThrow(/unknown scheme 'bearer'/);
    expect(() => t.auth.require({ roles: [] })).toThrow(/roles must be a non-empty array/);
    expect(() => t.auth.require({ role: 'admin' } as never)).toThrow(/role is not an option \(did you mean 'roles'\?\)/);
  });
});
