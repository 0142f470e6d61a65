import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type AuditEvent, type GatehouseOptions } from '../src';
import { realNow } from './helpers/clock';
import { thrownBy } from './helpers/thrown';

/**
 * Issue 29, per-key rate limits and quotas, over MemoryStore with an injected clock: the
 * fixed window at its edges, the 429 answers and their header fields, costs, quotas, classes,
 * limits shared by an actor's keys, events, and store failures.
 */
const KEY = 'ratelimitedkey-0123456789';
const OTHER_KEY = 'ratelimitedkey-9876543210';

async function limitedApp(options: Partial<GatehouseOptions>, clockStart = realNow()) {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  let now = clockStart;
  const events: AuditEvent[] = [];
  const auth = gatehouse({ store, now: () => now, onEvent: (event) => void events.push(event), ...options });
  const app = express();
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (_req, res) => res.json({ ok: true }));
  app.post('/v1/reports', auth.require(), (_req, res) => res.json({ ok: true }));
  return {
    app,
    auth,
    store,
    alice,
    events,
    get: (key: string) => request(app).get('/v1/projects').set('Authorization', `ApiKey ${key}`),
    setNow: (value: number) => {
      now = value;
    },
  };
}

/** A clock start at a window's first millisecond, in the future of the real clock. */
const windowStart = (ms: number) => Math.floor(realNow() / ms) * ms + ms;

describe('rate limits of a configured key (fixed window)', () => {
  it('accepts exactly the limit, refuses the next with 429.1 and the header fields, and accepts again in the next window', async () => {
    const start = windowStart(10_000);
    const t = await limitedApp({ apiKeys: { [KEY]: { role: 'reader' } }, rateLimits: { limits: [{ name: 'burst', limit: 3, window: '10s' }] } }, start);
    for (let i = 1; i <= 3; i += 1) {
      const ok = await t.get(KEY);
      expect(ok.status).toBe(200);
      expect(ok.headers['ratelimit-policy']).toBe('"burst";q=3;w=10');
      expect(ok.headers.ratelimit).toBe(`"burst";r=${3 - i};t=10`);
    }
    t.setNow(start + 2_500);
    const refused = await t.get(KEY);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, code: '429.1', rateLimit: 'burst', title: 'Too Many Requests' });
    expect(refused.headers['retry-after']).toBe('8');
    expect(refused.headers.ratelimit).toBe('"burst";r=0;t=8');
    expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=10');
    // The last millisecond of the window is still the window; the next one starts again.
    t.setNow(start + 9_999);
    expect((await t.get(KEY)).status).toBe(429);
    t.setNow(start + 10_000);
    const next = await t.get(KEY);
    expect(next.status).toBe(200);
    expect(next.headers.ratelimit).toBe('"burst";r=2;t=10');
  });

  it('refuses a cost over what is left without counting it, and accepts a cost of exactly what is left', async () => {
    const start = windowStart(60_000);
    const t = await limitedApp(
      { apiKeys: { [KEY]: { role: 'reader' } }, rateLimits: { limits: [{ name: 'minute', limit: 10, window: '1m' }], cost: (req) => (req.method === 'POST' ? 5 : 1) } },
      start,
    );
    for (let i = 0; i < 7; i += 1) expect((await t.get(KEY)).status).toBe(200);
    const post = () => request(t.app).post('/v1/reports').set('Authorization', `ApiKey ${KEY}`);
    const tooDear = await post();
    expect(tooDear.status).toBe(429);
    expect(tooDear.headers.ratelimit).toBe('"minute";r=3;t=60');
    const last = await t.get(KEY);
    expect(last.headers.ratelimit).toBe('"minute";r=2;t=60');
    expect((await t.get(KEY)).status).toBe(200);
    expect((await t.get(KEY)).headers.ratelimit).toBe('"minute";r=0;t=60');
  });

  it('answers 429.2 for a used-up quota, with Retry-After at the end of the calendar month', async () => {
    const start = Date.UTC(new Date(realNow()).getUTCFullYear() + 1, 0, 31, 23, 59, 0);
    const t = await limitedApp(
      { apiKeys: { [KEY]: { role: 'reader' } }, rateLimits: { limits: [{ name: 'burst', limit: 100, window: '1s' }, { name: 'monthly', limit: 2, window: 'month', quota: true }] } },
      start,
    );
    const first = await t.get(KEY);
    expect(first.headers['ratelimit-policy']).toBe(`"burst";q=100;w=1, "monthly";q=2;w=${31 * 86_400}`);
    expect(first.headers.ratelimit).toBe('"burst";r=99;t=1, "monthly";r=1;t=60');
    expect((await t.get(KEY)).status).toBe(200);
    const refused = await t.get(KEY);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: '429.2', rateLimit: 'monthly' });
    expect(refused.headers['retry-after']).toBe('60');
    expect(t.events.filter((e) => e.type === 'limit.exceeded')).toEqual([
      expect.objectContaining({ type: 'limit.exceeded', scheme: 'apiKey', code: '429.2', limit: 'monthly', credentialId: expect.stringMatching(/^apikey:/), cost: 1 }),
    ]);
    expect(t.events.some((e) => e.type === 'credential.refused')).toBe(false);
    t.setNow(Date.UTC(new Date(start).getUTCFullYear(), 1, 1));
    expect((await t.get(KEY)).status).toBe(200);
  });

  it('gives a key the limits of its class or its own, and counts an actor\'s keys together in perActor', async () => {
    const start = windowStart(60_000);
    const t = await limitedApp(
      {
        apiKeys: { [KEY]: { actorId: 'shared-actor', limits: 'small' }, [OTHER_KEY]: { actorId: 'shared-actor', limits: [{ name: 'own', limit: 50, window: '1m' }] } },
        rateLimits: { classes: { small: [{ name: 'small', limit: 2, window: '1m' }] }, perActor: [{ name: 'account', limit: 4, window: '1m' }] },
      },
      start,
    );
    await t.store.addUser({ login: 'svc', id: 'shared-actor' });
    expect((await t.get(KEY)).headers.ratelimit).toBe('"small";r=1;t=60, "account";r=3;t=60');
    expect((await t.get(KEY)).status).toBe(200);
    expect((await t.get(KEY)).body.rateLimit).toBe('small');
    expect((await t.get(OTHER_KEY)).headers.ratelimit).toBe('"own";r=49;t=60, "account";r=1;t=60');
    expect((await t.get(OTHER_KEY)).status).toBe(200);
    const shared = await t.get(OTHER_KEY);
    expect(shared.status).toBe(429);
    expect(shared.body.rateLimit).toBe('account');
  });
});

describe('rate limits of a store-issued key', () => {
  it('counts the key against the limits it was issued with (a class or its own), else the defaults', async () => {
    const start = windowStart(60_000);
    const t = await limitedApp({ rateLimits: { limits: [{ name: 'default', limit: 1, window: '1m' }], classes: { pro: [{ name: 'pro', limit: 3, window: '1m' }] } } }, start);
    const plain = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey' });
    const pro = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey', limits: 'pro' });
    const own = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'apiKey', limits: [{ name: 'own', limit: 2, window: '1m' }] });
    expect((await t.get(plain.token)).headers.ratelimit).toBe('"default";r=0;t=60');
    const refused = await t.get(plain.token);
    expect(refused.status).toBe(429);
    expect(t.events.find((e) => e.type === 'limit.exceeded')).toMatchObject({ actorId: t.alice.id, credentialId: plain.id, limit: 'default', code: '429.1' });
    expect((await t.get(pro.token)).headers.ratelimit).toBe('"pro";r=2;t=60');
    expect((await t.get(own.token)).headers.ratelimit).toBe('"own";r=1;t=60');
    // An unknown key is refused as before (401.2), and counts nothing.
    expect((await t.get(`${plain.token.slice(0, -2)}xx`)).status).toBe(401);
  });

  it('refuses limits on tokens.issue without rateLimits, on other kinds, and an unknown class, with coded errors', async () => {
    const off = await limitedApp({});
    await expect(off.auth.tokens.issue({ actorId: off.alice.id, kind: 'apiKey', limits: [{ name: 'a', limit: 1, window: '1s' }] })).rejects.toMatchObject({ code: 'GATEHOUSE_INVALID_OPTION', option: 'limits' });
    const on = await limitedApp({ rateLimits: {} });
    await expect(on.auth.tokens.issue({ actorId: on.alice.id, kind: 'personal', limits: [{ name: 'a', limit: 1, window: '1s' }] })).rejects.toMatchObject({ option: 'limits' });
    await expect(on.auth.tokens.issue({ actorId: on.alice.id, kind: 'apiKey', limits: 'gold' })).rejects.toMatchObject({ option: 'limits' });
  });
});

describe('rate limits and store failures', () => {
  function failingCounter(store: MemoryStore): MemoryStore {
    store.consumeLimits = () => Promise.reject(new Error('counter down'));
    store.findTokenAndConsume = () => Promise.reject(new Error('counter down'));
    return store;
  }

  it('fails closed with 503.1 by default, and lets the request through uncounted with failOpen', async () => {
    for (const failOpen of [false, true]) {
      const store = failingCounter(new MemoryStore({ passwordCost: 10 }));
      const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
      const auth = gatehouse({ store, apiKeys: { [KEY]: { role: 'reader' } }, rateLimits: { limits: [{ name: 'burst', limit: 5, window: '1s' }], failOpen } });
      const issued = await auth.tokens.issue({ actorId: alice.id, kind: 'apiKey' });
      const app = express();
      app.use(auth.authenticate());
      app.get('/', auth.require(), (_req, res) => res.send('ok'));
      for (const key of [KEY, issued.token]) {
        const res = await request(app).get('/').set('Authorization', `ApiKey ${key}`);
        expect([res.status, res.body.code ?? null, res.headers.ratelimit ?? null]).toEqual(failOpen ? [200, null, null] : [503, '503.1', null]);
      }
    }
  });
});

describe('rateLimits options', () => {
  const build = (rateLimits: unknown, apiKeys: unknown = {}) => () => gatehouse({ store: new MemoryStore(), rateLimits, apiKeys } as never);
  it.each([
    ['a limit of 0', { limits: [{ name: 'a', limit: 0, window: '1s' }] }, 'rateLimits.limits.limit'],
    ['a window in weeks', { limits: [{ name: 'a', limit: 1, window: '1w' }] }, 'rateLimits.limits.window'],
    ['a name with a quote', { limits: [{ name: 'a"b', limit: 1, window: '1s' }] }, 'rateLimits.limits.name'],
    ['a name twice', { limits: [{ name: 'a', limit: 1, window: '1s' }, { name: 'a', limit: 2, window: '1m' }] }, 'rateLimits.limits.name'],
    ['a negative cost', { cost: -1 }, 'rateLimits.cost'],
    ['failOpen as a string', { failOpen: 'yes' }, 'rateLimits.failOpen'],
    ['quota as a string', { perActor: [{ name: 'a', limit: 1, window: '1s', quota: 'yes' }] }, 'rateLimits.perActor.quota'],
  ])('refuses %s at construction, naming the option', (_label, rateLimits, option) => {
    expect(thrownBy(build(rateLimits))).toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option });
  });

  it('refuses an entry with limits but no rateLimits, and an unknown class', () => {
    expect(thrownBy(build(undefined, { [KEY]: { role: 'a', limits: [{ name: 'a', limit: 1, window: '1s' }] } }))).toMatchObject({ option: 'apiKeys.*.limits' });
    expect(thrownBy(build({}, { [KEY]: { role: 'a', limits: 'gold' } }))).toMatchObject({ option: 'apiKeys.*.limits' });
  });

  it('needs a store with consumeLimits', () => {
    const store = new MemoryStore();
    Object.defineProperty(store, 'consumeLimits', { value: undefined });
    expect(thrownBy(() => gatehouse({ store, rateLimits: {} }))).toMatchObject({ code: 'GATEHOUSE_STORE_METHODS_MISSING' });
  });
});
