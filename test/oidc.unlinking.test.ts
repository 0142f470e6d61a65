/**
 * A signed-in user lists their identities at OpenID providers (`GET {oidc}/identities`) and
 * unlinks one (`DELETE {oidc}/identities/{provider}/{subject}`): with a recent sign-in (401.6
 * otherwise), never the last way they can sign in (403.1, `lastWayToSignIn`), never someone
 * else's, a cookie only from this site; reported as `identity.unlinked` with ids only. The
 * providers are never called: listing and unlinking are the store's.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent } from '../src';
import { realNow } from './helpers/clock';

const ISSUER = 'https://login.example.org';
const OTHER_ISSUER = 'https://accounts.example.com';
const GONE_ISSUER = 'https://retired.example.net';
const COOKIE_SECRET = 'a-cookie-secret-of-at-least-thirty-two-characters';
const PASSWORD = 'correct horse battery';
const MINUTE = 60_000;

async function appWith(store = new MemoryStore({ passwordCost: 10 })) {
  let clock = realNow();
  const events: AuditEvent[] = [];
  const auth = gatehouse({
    store,
    now: () => clock,
    cookie: { secret: COOKIE_SECRET, secure: false },
    oidc: {
      providers: {
        test: { issuer: ISSUER, clientId: 'gatehouse', redirectUri: 'http://127.0.0.1/v1/oidc/test/callback' },
        other: { issuer: OTHER_ISSUER, clientId: 'gatehouse', redirectUri: 'http://127.0.0.1/v1/oidc/other/callback' },
      },
    },
    onEvent: (event) => {
      events.push(event);
    },
  });
  const app = express();
  app.use('/v1', auth.routes());
  const link = (subject: string, actorId: string, issuer = ISSUER, linkedAt = clock) => store.linkIdentity({ issuer, subject, actorId, linkedAt });
  /** A bearer session token of a fresh password login. */
  const tokenOf = async (login: string) => (await request(app).post('/v1/sessions').send({ login, password: PASSWORD })).body.token as string;
  return { app, auth, store, events, link, tokenOf, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('listing and unlinking identities at OpenID providers', () => {
  it("should list the user's own identities (provider, issuer, subject, linkedAt; no token), oldest first", async () => {
    const { app, store, link, tokenOf, now } = await appWith();
    const alice = await store.addUser({ login: 'alice@example.org', password: PASSWORD });
    const bob = await store.addUser({ login: 'bob@example.org', password: PASSWORD });
    const at = now();
    await link('alice-2', alice.id, OTHER_ISSUER, at + 2);
    await link('alice-1', alice.id, ISSUER, at + 1);
    await link('alice-old', alice.id, GONE_ISSUER, at);
    await link('bob', bob.id);
    const answer = await request(app).get('/v1/oidc/identities').set('Authorization', `Bearer ${await tokenOf('alice@example.org')}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toEqual({
      identities: [
        { provider: null, issuer: GONE_ISSUER, subject: 'alice-old', linkedAt: new Date(at).toISOString() },
        { provider: 'test', issuer: ISSUER, subject: 'alice-1', linkedAt: new Date(at + 1).toISOString() },
        { provider: 'other', issuer: OTHER_ISSUER, subject: 'alice-2', linkedAt: new Date(at + 2).toISOString() },
      ],
    });
    expect((await request(app).get('/v1/oidc/identities')).body.code).toBe('401.1');
  });

  it('should describe both endpoints in auth.openapi()', async () => {
    const { auth } = await appWith();
    const paths = (auth.openapi({ mountPath: '/v1' }) as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> }).paths;
    expect(paths['/v1/oidc/identities'].get.operationId).toBe('gatehouseListIdentities');
    const unlink = paths['/v1/oidc/identities/{provider}/{subject}'].delete;
    expect(unlink.operationId).toBe('gatehouseUnlinkIdentity');
    expect(Object.keys(unlink.responses).sort()).toEqual(['200', '400', '401', '403', '503']);
  });

  it('should unlink an identity of a user with a password, report identity.unlinked with ids only, and leave the credentials as they are', async () => {
    const { app, store, events, link, tokenOf } = await appWith();
    const alice = await store.addUser({ login: 'alice@example.org', password: PASSWORD });
    await link('alice/at "test"', alice.id);
    const token = await tokenOf('alice@example.org');
    const answer = await request(app).delete(`/v1/oidc/identities/test/${encodeURIComponent('alice/at "test"')}`).set('Authorization', `Bearer ${token}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ success: true });
    expect(await store.findIdentity(ISSUER, 'alice/at "test"')).toBeNull();
    expect(events.filter((event) => event.type === 'identity.unlinked')).toEqual([
      { type: 'identity.unlinked', time: expect.any(Date), scheme: 'sessionToken', actorId: alice.id, ip: expect.any(String), code: null, provider: 'test', issuer: ISSUER, subject: 'alice/at "test"' },
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
    // The credential in use still works: unlinking ends no sign-in.
    expect((await request(app).get('/v1/oidc/identities').set('Authorization', `Bearer ${token}`)).body).toEqual({ identities: [] });
    // Unlinked already: nothing of hers to unlink.
    expect((await request(app).delete('/v1/oidc/identities/test/alice').set('Authorization', `Bearer ${token}`)).body.code).toBe('403.1');
  });

  it("should refuse someone else's identity and an unknown one alike (403.1), and an unknown provider (400.1)", async () => {
    const { app, store, link, tokenOf, events } = await appWith();
    const alice = await store.addUser({ login: 'alice@example.org', password: PASSWORD });
    const bob = await store.addUser({ login: 'bob@example.org', password: PASSWORD });
    await link('bob', bob.id);
    await link('alice', alice.id);
    const token = await tokenOf('alice@example.org');
    const bobs = await request(app).delete('/v1/oidc/identities/test/bob').set('Authorization', `Bearer ${token}`);
    const unknown = await request(app).delete('/v1/oidc/identities/test/nobody').set('Authorization', `Bearer ${token}`);
    expect([bobs.status, bobs.body.code, bobs.body.detail]).toEqual([403, '403.1', unknown.body.detail]);
    expect([unknown.status, unknown.body.code]).toEqual([403, '403.1']);
    expect((await request(app).delete(`/v1/oidc/identities/test/${'x'.repeat(300)}`).set('Authorization', `Bearer ${token}`)).body.code).toBe('403.1');
    expect(await store.findIdentity(ISSUER, 'bob')).toMatchObject({ actorId: bob.id });
    const provider = await request(app).delete('/v1/oidc/identities/nope/alice').set('Authorization', `Bearer ${token}`);
    expect([provider.status, provider.body.code]).toEqual([400, '400.1']);
    expect(events.filter((event) => event.type === 'identity.unlinked')).toEqual([]);
  });

  it('should answer 401.6 (with max_age) when the sign-in is older than oidc.recentSignIn (default 5 minutes), and unlink after a re-authentication', async () => {
    const { app, store, link, tokenOf, advance } = await appWith();
    const alice = await store.addUser({ login: 'alice@example.org', password: PASSWORD });
    await link('alice', alice.id);
    const token = await tokenOf('alice@example.org');
    advance(5 * MINUTE + 1000);
    const stale = await request(app).delete('/v1/oidc/identities/test/alice').set('Authorization', `Bearer ${token}`);
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ code: '401.6', maxAge: 300 });
    expect(stale.headers['www-authenticate']).toContain('error="insufficient_user_authentication"');
    expect(stale.headers['www-authenticate']).toContain('max_age="300"');
    expect(await store.findIdentity(ISSUER, 'alice')).toMatchObject({ actorId: alice.id });
    expect((await request(app).post('/v1/sessions/reauthenticate').set('Authorization', `Bearer ${token}`).send({ login: 'alice@example.org', password: PASSWORD })).status).toBe(200);
    expect((await request(app).delete('/v1/oidc/identities/test/alice').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('should refuse to unlink the last way to sign in (no password, no other identity) with 403.1 and lastWayToSignIn, and allow it while another identity is left', async () => {
    const { app, store, link, tokenOf } = await appWith();
    // Carol signs in only through providers; a password login stands in for her fresh sign-in here.
    const carol = await store.addUser({ login: 'carol@example.org', password: PASSWORD });
    await link('carol-1', carol.id);
    await link('carol-2', carol.id, OTHER_ISSUER);
    // An identity at a provider no longer configured is no way to sign in.
    await link('carol-old', carol.id, GONE_ISSUER);
    const token = await tokenOf('carol@example.org');
    await store.setPasswordHash(carol.id, null);
    expect((await request(app).delete('/v1/oidc/identities/test/carol-1').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const last = await request(app).delete('/v1/oidc/identities/other/carol-2').set('Authorization', `Bearer ${token}`);
    expect(last.status).toBe(403);
    expect(last.body).toMatchObject({ code: '403.1', lastWayToSignIn: true, detail: expect.stringContaining('last way you can sign in') });
    expect(await store.findIdentity(OTHER_ISSUER, 'carol-2')).toMatchObject({ actorId: carol.id });
  });

  it('should keep one of the last two identities when two unlinks race', async () => {
    // Both unlinks pass their first check before either unlinks: a gate on the store's unlink.
    const store = new MemoryStore({ passwordCost: 10 });
    const original = store.unlinkIdentity.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    store.unlinkIdentity = async (...args) => {
      waiting += 1;
      if (waiting === 2) release();
      await gate;
      return original(...args);
    };
    const { app, link, tokenOf } = await appWith(store);
    const dave = await store.addUser({ login: 'dave@example.org', password: PASSWORD });
    await link('dave-1', dave.id);
    await link('dave-2', dave.id, OTHER_ISSUER);
    const token = await tokenOf('dave@example.org');
    await store.setPasswordHash(dave.id, null);
    const answers = await Promise.all([
      request(app).delete('/v1/oidc/identities/test/dave-1').set('Authorization', `Bearer ${token}`),
      request(app).delete('/v1/oidc/identities/other/dave-2').set('Authorization', `Bearer ${token}`),
    ]);
    expect(waiting).toBe(2);
    expect(answers.map((answer) => answer.body.code)).toEqual(['403.1', '403.1']);
    expect(await store.listIdentities(dave.id)).toHaveLength(2);
  });

  it('should take a cookie only from this site (403.4 cross-site)', async () => {
    const { app, store, link } = await appWith();
    const alice = await store.addUser({ login: 'alice@example.org', password: PASSWORD });
    await link('alice', alice.id);
    const login = await request(app).post('/v1/sessions').send({ login: 'alice@example.org', password: PASSWORD, session: true });
    const cookie = (login.headers['set-cookie'] as unknown as string[]).map((line) => line.split(';')[0]).join('; ');
    const crossSite = await request(app).delete('/v1/oidc/identities/test/alice').set('Cookie', cookie).set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site');
    expect([crossSite.status, crossSite.body.code]).toEqual([403, '403.4']);
    expect(await store.findIdentity(ISSUER, 'alice')).toMatchObject({ actorId: alice.id });
    const sameSite = await request(app).delete('/v1/oidc/identities/test/alice').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin');
    expect(sameSite.status).toBe(200);
  });
});
