/**
 * Store-issued API keys as a product, on each store Gatehouse ships: an expiry within the
 * policy, enable/disable without deleting, expired keys kept and listed until the retention
 * ends (a check never deletes them), rotation with a grace period, and service keys owned by
 * no user. Everything new lives in the record's `data`, so each store keeps it as it is.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent, type GatehouseOptions } from '../src';
import { BACKENDS, pause, useBackends, type BackendName, type Pause } from './helpers/backends';
import { realNow } from './helpers/clock';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(BACKENDS)('API keys as a product on %s', (backend: BackendName) => {
  const backends = useBackends(`apikeys_${backend}`);

  /** Where the next `updateToken` waits before it runs, when set. */
  let beforeUpdate: Pause | null = null;

  async function setup(options: Partial<GatehouseOptions> = {}) {
    const users = new MemoryStore({ passwordCost: 10 });
    const bob = await users.addUser({ login: 'bob@example.org', password: 'irrelevant password', roles: ['reader'] });
    let now = realNow();
    const events: AuditEvent[] = [];
    const store = backends.storeFor(backend, users, (tokens) => ({
      ...tokens,
      updateToken: async (...args: unknown[]) => {
        await beforeUpdate?.wait();
        return tokens.updateToken(...args);
      },
    }));
    const auth = gatehouse({ store, now: () => now, onEvent: (event) => void events.push(event), ...options });
    const app = express();
    app.use(auth.authenticate());
    app.get('/me', auth.require(), (req, res) => res.json({ id: req.user!.id, kind: req.user!.kind, roles: req.user!.roles }));
    const use = async (key: string) => {
      const answer = await request(app).get('/me').set('Authorization', `ApiKey ${key}`);
      return answer.status === 200 ? 200 : (answer.body.code as string);
    };
    return { auth, bob, events, use, advance: (ms: number) => (now += ms), now: () => now };
  }

  it('an expired key answers 401.4, is never deleted by the check, stays listed as expired until the retention ends', async () => {
    const t = await setup({ apiKeyPolicy: { retention: '7d' } });
    const created = await t.auth.tokens.create({ actorId: t.bob.id, label: 'nightly', expiresIn: '1h' });
    expect(created).toMatchObject({ state: 'active', label: 'nightly', expiresAt: new Date(t.now() + HOUR) });
    expect(await t.use(created.key)).toBe(200);

    t.advance(HOUR);
    expect(await t.use(created.key)).toBe('401.4');
    expect(await t.use(created.key)).toBe('401.4');
    expect(t.events.filter((event) => event.type === 'apiKey.expired')).toEqual([expect.objectContaining({ keyId: created.id, actorId: t.bob.id, expiresAt: created.expiresAt })]);
    expect(await t.auth.tokens.list(t.bob.id)).toEqual([expect.objectContaining({ id: created.id, state: 'expired', start: created.start, expiresAt: created.expiresAt })]);

    t.advance(7 * DAY - 1);
    expect((await t.auth.tokens.list(t.bob.id)).map((info) => info.state)).toEqual(['expired']);
    t.advance(1);
    expect(await t.auth.tokens.list(t.bob.id)).toEqual([]);
  });

  it('disable answers 401.2 and keeps the key listed as disabled; enable lets it in again', async () => {
    const t = await setup();
    const { key, id } = await t.auth.tokens.create({ actorId: t.bob.id, metadata: { plan: 'pro' }, scopes: ['reports:read'] });
    expect(await t.auth.tokens.disable(id, { actorId: 'someone-else' })).toBe(false);
    expect(await t.auth.tokens.disable(id, { actorId: t.bob.id })).toBe(true);
    expect(await t.use(key)).toBe('401.2');
    expect(await t.auth.tokens.list(t.bob.id)).toEqual([expect.objectContaining({ id, state: 'disabled', metadata: { plan: 'pro' }, scopes: ['reports:read'] })]);
    const updated = await t.auth.tokens.update(id, { enabled: true, label: 'renamed', metadata: { plan: 'team' }, scopes: null });
    expect(updated).toMatchObject({ id, state: 'active', label: 'renamed', metadata: { plan: 'team' } });
    expect(updated).not.toHaveProperty('scopes');
    expect(await t.use(key)).toBe(200);
    expect(t.events.filter((event) => event.type.startsWith('apiKey.')).map((event) => event.type)).toEqual(['apiKey.created', 'apiKey.disabled', 'apiKey.updated', 'apiKey.enabled']);
  });

  it("rotate: the new key works at once, the old one until the grace ends; both listed and linked", async () => {
    const t = await setup();
    const old = await t.auth.tokens.create({ actorId: t.bob.id, label: 'deploy', scopes: ['deploy'] });
    const fresh = (await t.auth.tokens.rotate(old.id, { grace: '24h', actorId: t.bob.id }))!;
    expect(fresh).toMatchObject({ label: 'deploy', scopes: ['deploy'], replaces: old.id, state: 'active' });
    expect(await t.use(fresh.key)).toBe(200);
    expect(await t.use(old.key)).toBe(200);
    // Created in the same millisecond: list orders them by id then, so compare as a set.
    const listed = await t.auth.tokens.list(t.bob.id);
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: old.id, state: 'rotating', replacedBy: fresh.id, expiresAt: new Date(t.now() + DAY) }),
        expect.objectContaining({ id: fresh.id, state: 'active', replaces: old.id }),
      ]),
    );
    expect(t.events.find((event) => event.type === 'apiKey.rotated')).toMatchObject({ keyId: old.id, newKeyId: fresh.id, graceEndsAt: new Date(t.now() + DAY) });
    // A key being replaced is not rotated twice.
    await expect(t.auth.tokens.rotate(old.id)).rejects.toMatchObject({ name: 'GatehouseConfigError', option: 'id' });

    t.advance(DAY);
    expect(await t.use(old.key)).toBe('401.4');
    expect(await t.use(fresh.key)).toBe(200);
    expect(new Map((await t.auth.tokens.list(t.bob.id)).map((info) => [info.id, info.state]))).toEqual(new Map([[old.id, 'expired'], [fresh.id, 'active']]));
  });

  it('revoking either key during the grace is final', async () => {
    const t = await setup();
    const first = await t.auth.tokens.create({ actorId: t.bob.id });
    const second = (await t.auth.tokens.rotate(first.id, { grace: '1h' }))!;
    expect(await t.auth.tokens.revokeById(first.id)).toBe(true);
    expect(await t.use(first.key)).toBe('401.2');
    expect(await t.use(second.key)).toBe(200);
    // Nothing brings it back: not enabling, not rotating it.
    expect(await t.auth.tokens.enable(first.id)).toBe(false);
    expect(await t.auth.tokens.rotate(first.id)).toBeNull();
    expect(await t.use(first.key)).toBe('401.2');

    const third = (await t.auth.tokens.rotate(second.id, { grace: '1h' }))!;
    expect(await t.auth.tokens.revoke(third.key)).toBe(true);
    expect(await t.use(third.key)).toBe('401.2');
    expect(await t.use(second.key)).toBe(200);
    t.advance(HOUR);
    expect(await t.use(second.key)).toBe('401.4');
    expect(await t.use(third.key)).toBe('401.2');
  });

  it('a rotation racing a revocation of the old key does not happen: the old key stays revoked and its successor is removed', async () => {
    const t = await setup();
    const old = await t.auth.tokens.create({ actorId: t.bob.id });
    beforeUpdate = pause();
    const rotation = t.auth.tokens.rotate(old.id, { grace: '1h' });
    await beforeUpdate.reached; // the successor is saved; the old record is about to be replaced
    expect(await t.auth.tokens.revokeById(old.id)).toBe(true);
    beforeUpdate.release();
    beforeUpdate = null;
    expect(await rotation).toBeNull();
    expect(await t.use(old.key)).toBe('401.2');
    expect(await t.auth.tokens.list(t.bob.id)).toEqual([]);
    expect(t.events.some((event) => event.type === 'apiKey.rotated')).toBe(false);
  });

  it('a service key is owned by no user: it authenticates as service:<name> with its own roles', async () => {
    const t = await setup();
    const key = await t.auth.tokens.create({ service: 'billing-sync', roles: ['billing'], label: 'billing' });
    expect(key.actorId).toBe('service:billing-sync');
    expect((await request(express().use(t.auth.authenticate()).get('/', t.auth.require({ roles: ['billing'] }), (req, res) => res.json(req.user))).get('/').set('Authorization', `ApiKey ${key.key}`)).body).toEqual({
      id: 'service:billing-sync',
      kind: 'apiKey',
      roles: ['billing'],
      displayName: 'billing-sync',
    });
    expect(await t.auth.tokens.list('service:billing-sync')).toEqual([expect.objectContaining({ id: key.id, service: 'billing-sync', state: 'active' })]);
    const rotated = (await t.auth.tokens.rotate(key.id))!;
    expect(rotated).toMatchObject({ service: 'billing-sync', actorId: 'service:billing-sync' });
    expect(await t.use(rotated.key)).toBe(200);
    expect(await t.use(key.key)).toBe('401.4');
  });
});

describe('the expiry policy', () => {
  const store = () => new MemoryStore({ passwordCost: 10 });

  it('applies the default, refuses a lifetime outside the bounds and a key that never expires under a maximum', async () => {
    const users = store();
    const bob = await users.addUser({ login: 'bob@example.org', password: 'irrelevant password' });
    const now = realNow();
    const auth = gatehouse({ store: users, now: () => now, apiKeyPolicy: { expiry: { default: '90d', min: '1h', max: '365d' } } });
    expect((await auth.tokens.create({ actorId: bob.id })).expiresAt).toEqual(new Date(now + 90 * DAY));
    expect((await auth.tokens.create({ actorId: bob.id, expiresAt: new Date(now + 2 * HOUR) })).expiresAt).toEqual(new Date(now + 2 * HOUR));
    for (const input of [{ expiresIn: '30m' as const }, { expiresIn: '366d' as const }, { expiresAt: null }, { expiresAt: now - 1 }]) {
      await expect(auth.tokens.create({ actorId: bob.id, ...input })).rejects.toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option: 'expiresAt' });
    }
    await expect(auth.tokens.issue({ actorId: bob.id, kind: 'apiKey', ttl: null })).rejects.toMatchObject({ option: 'expiresAt' });
    expect(await auth.tokens.list(bob.id)).toHaveLength(2);
  });

  it('is checked at construction with coded errors', () => {
    const cases: Array<[GatehouseOptions['apiKeyPolicy'], string, string]> = [
      [{ expiry: { min: '2d', max: '1d' } }, 'apiKeyPolicy.expiry.max', 'GATEHOUSE_CONFLICTING_OPTIONS'],
      [{ expiry: { default: null, max: '1d' } }, 'apiKeyPolicy.expiry.default', 'GATEHOUSE_CONFLICTING_OPTIONS'],
      [{ expiry: { default: '2d', max: '1d' } }, 'apiKeyPolicy.expiry.default', 'GATEHOUSE_CONFLICTING_OPTIONS'],
      [{ expiry: { max: '1 day' as never } }, 'apiKeyPolicy.expiry.max', 'GATEHOUSE_INVALID_OPTION'],
      [{ retention: -1 }, 'apiKeyPolicy.retention', 'GATEHOUSE_INVALID_OPTION'],
      ['sk_' as never, 'apiKeyPolicy', 'GATEHOUSE_INVALID_OPTION'],
    ];
    for (const [apiKeyPolicy, option, code] of cases) {
      expect(() => gatehouse({ store: store(), apiKeyPolicy })).toThrow(expect.objectContaining({ name: 'GatehouseConfigError', option, code }));
    }
  });
});
