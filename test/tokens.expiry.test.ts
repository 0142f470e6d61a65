import request from 'supertest';
import { buildApp } from './helpers/app';
import { realNow } from './helpers/clock';

const HOUR = 3_600_000;

describe('token lifetimes (clock injected)', () => {
  it('a session lasts 24 h from creation, then answers 401.4; app-user keys do not expire', async () => {
    let now = realNow();
    const t = await buildApp({ now: () => now });
    const session = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const device = await t.auth.tokens.issue({ actorId: t.device.id, kind: 'appUser' });
    expect(session.expiresAt?.getTime()).toBe(now + 24 * HOUR);
    expect(device.expiresAt).toBeNull();

    now += 24 * HOUR - 1;
    const ok = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${session.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body.authInfo).toEqual({ scheme: 'sessionToken', tokenKind: 'session', expiresAt: session.expiresAt?.toISOString() });

    now += 1;
    const expired = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${session.token}`);
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('401.4');
    expect(expired.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');

    now += 365 * 24 * HOUR;
    expect((await request(t.app).get(`/v1/key/${device.token}/forms`)).status).toBe(200);
  });

  it('sessionToken.ttl and a per-token ttl set the lifetime; the idle timeout ends unused sessions', async () => {
    const start = realNow();
    let now = start;
    const t = await buildApp({ now: () => now, sessionToken: { ttl: 8 * HOUR, idleTimeout: HOUR } });
    const session = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    const personal = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal', ttl: 2 * HOUR });
    expect(session.expiresAt?.getTime()).toBe(now + 8 * HOUR);
    expect(personal.expiresAt?.getTime()).toBe(now + 2 * HOUR);

    // Used every 50 minutes it stays alive until the absolute lifetime.
    for (let i = 0; i < 9; i += 1) {
      now += 50 * 60_000;
      const res = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${session.token}`);
      expect(res.status).toBe(now - start >= 8 * HOUR ? 401 : 200);
    }
    const fresh = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    now += HOUR;
    const idle = await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${fresh.token}`);
    expect(idle.body.code).toBe('401.4');
  });

  it('tokens.issue refuses bad input with a TypeError naming the field', async () => {
    const t = await buildApp();
    await expect(t.auth.tokens.issue({ actorId: '', kind: 'session' })).rejects.toThrow(/actorId/);
    await expect(t.auth.tokens.issue({ actorId: t.alice.id, kind: 'nope' as never })).rejects.toThrow(/kind must be one of/);
    await expect(t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session', ttl: -5 })).rejects.toThrow(/ttl/);
    await expect(t.auth.tokens.issue({ actorId: 'ghost', kind: 'session' })).rejects.toThrow(/no actor/);
    expect(await t.auth.tokens.revoke('not a token')).toBe(false);
    expect(await t.auth.tokens.verify(42 as never)).toBeNull();
  });

  it('stores only the SHA-256 of a token, never the plaintext', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'personal' });
    const dump = JSON.stringify([...((t.store as unknown as { tokens: Map<string, unknown> }).tokens.entries())]);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(5, 30));
  });

  it('a removed user’s tokens stop working at once', async () => {
    const t = await buildApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.bob.id, kind: 'session' });
    await t.store.removeUser(t.bob.id);
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });
});
