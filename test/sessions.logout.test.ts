import request from 'supertest';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

describe('logout endpoints', () => {
  it('DELETE /sessions/current ends exactly the token presented, no other', async () => {
    const t = await buildApp();
    const first = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const second = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const res = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${first.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${first.token}`)).status).toBe(401);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${second.token}`)).status).toBe(200);
    expect(await t.auth.tokens.verify(first.token)).toBeNull();
  });

  it('answers 401.1 without a credential and 401.2 with a bad one', async () => {
    const t = await buildApp();
    expect((await request(t.app).delete('/v1/sessions/current')).body.code).toBe('401.1');
    const bad = await request(t.app).delete('/v1/sessions/current').set('Authorization', 'Bearer gths_nope');
    expect(bad.body.code).toBe('401.2');
  });

  it('app users cannot end their own token, by URL key or header', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const viaUrl = await request(t.app).delete(`/v1/key/${token}/sessions/current`);
    expect(viaUrl.status).toBe(403);
    expect(viaUrl.body.code).toBe('403.1');
    const viaHeader = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`);
    expect(viaHeader.status).toBe(403);
    expect(await t.auth.tokens.verify(token)).not.toBeNull();
  });

  it('a configured API key has nothing to end: 403.1', async () => {
    const t = await buildApp();
    const res = await request(t.app).delete('/v1/sessions/current').set('Authorization', `ApiKey ${CONFIG_API_KEY}`);
    expect(res.body.code).toBe('403.1');
  });

  it('DELETE /sessions/:token: own token yes, another user’s no (same answer as unknown), admin yes', async () => {
    const t = await buildApp();
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const bob = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    const bob2 = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    const device = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });

    const notYours = await request(t.app).delete(`/v1/sessions/${alice.token}`).set('Authorization', `Bearer ${bob.token}`);
    const unknown = await request(t.app).delete(`/v1/sessions/gths_${'x'.repeat(49)}`).set('Authorization', `Bearer ${bob.token}`);
    expect(notYours.status).toBe(403);
    expect(notYours.body).toEqual(unknown.body);
    expect(await t.auth.tokens.verify(alice.token)).not.toBeNull();

    expect((await request(t.app).delete(`/v1/sessions/${bob2.token}`).set('Authorization', `Bearer ${bob.token}`)).status).toBe(200);
    expect(await t.auth.tokens.verify(bob2.token)).toBeNull();

    const byAdmin = await request(t.app).delete(`/v1/sessions/${device.token}`).set('Authorization', `Bearer ${alice.token}`);
    expect(byAdmin.status).toBe(200);
    expect(await t.auth.tokens.verify(device.token)).toBeNull();
    expect(byAdmin.headers['cache-control']).toBe('no-store');
  });

  it('an app user cannot end tokens by value either', async () => {
    const t = await buildApp();
    const device = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    const res = await request(t.app).delete(`/v1/key/${device.token}/sessions/${device.token}`);
    expect(res.body.code).toBe('403.1');
    expect(await t.auth.tokens.verify(device.token)).not.toBeNull();
  });
});

describe('tokens.revokeAll', () => {
  it('ends every token of the actor, of every kind, and no one else’s', async () => {
    const t = await buildApp();
    const kinds = ['session', 'personal', 'apiKey'] as const;
    const bobs = await Promise.all(kinds.map((kind) => t.auth.tokens.issue({ actorId: t.bob.id, kind })));
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    expect(await t.auth.tokens.revokeAll(t.bob.id)).toBe(3);
    for (const issued of bobs) expect(await t.auth.tokens.verify(issued.token)).toBeNull();
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${bobs[0].token}`)).status).toBe(401);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${alice.token}`)).status).toBe(200);
  });
});

describe('malformed logout URLs', () => {
  it('a badly escaped token in DELETE /sessions/:token is a client error, never 500 or 503', async () => {
    const t = await buildApp();
    const alice = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const res = await request(t.app).delete('/v1/sessions/%zz').set('Authorization', `Bearer ${alice.token}`);
    expect([400, 403]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
