/**
 * `rateLimits.headers`: which answers carry the `RateLimit-Policy` / `RateLimit` header
 * fields. `'always'` (the default): accepted and refused requests alike. `'refused'`: only
 * the 429 answers, with `Retry-After`; accepted requests are counted all the same, as
 * `tokens.list` and the 429 at exactly the limit show. `auth.openapi()` describes whichever
 * is configured.
 */
import express from 'express';
import request from 'supertest';
import { gatehouse, MemoryStore, type GatehouseOptions, type RateLimitOptions } from '../src';
import { realNow } from './helpers/clock';
import { thrownBy } from './helpers/thrown';

const KEY = 'headerskey-0123456789abcdef';
const MINUTE = 60_000;

async function limitedApp(rateLimits: RateLimitOptions) {
  const store = new MemoryStore({ passwordCost: 10 });
  const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery' });
  // The first millisecond of a minute ahead of the real clock: the window is whole.
  const start = Math.floor(realNow() / MINUTE) * MINUTE + MINUTE;
  const options: GatehouseOptions = { store, now: () => start, apiKeys: { [KEY]: { role: 'reader', actorId: alice.id } }, rateLimits };
  const auth = gatehouse(options);
  const app = express();
  app.use('/v1', auth.authenticate());
  app.get('/v1/projects', auth.require(), (_req, res) => res.json({ ok: true }));
  const { key: issued, id } = await auth.tokens.create({ actorId: alice.id, label: 'CI' });
  return { app, auth, alice, issued, id, get: (key: string) => request(app).get('/v1/projects').set('Authorization', `ApiKey ${key}`) };
}

const LIMITS = [{ name: 'burst', limit: 3, window: '1m' }];

describe("rateLimits.headers: 'refused'", () => {
  it.each([
    ['a configured key', (t: Awaited<ReturnType<typeof limitedApp>>) => KEY],
    ['a store-issued key', (t: Awaited<ReturnType<typeof limitedApp>>) => t.issued],
  ])('%s: accepted answers carry no RateLimit fields, yet count; the 429 at the limit carries both and Retry-After', async (_name, keyOf) => {
    const t = await limitedApp({ limits: LIMITS, headers: 'refused' });
    const key = keyOf(t);
    for (let i = 0; i < 3; i += 1) {
      const ok = await t.get(key);
      expect(ok.status).toBe(200);
      expect(ok.headers).not.toHaveProperty('ratelimit');
      expect(ok.headers).not.toHaveProperty('ratelimit-policy');
    }
    const refused = await t.get(key);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, code: '429.1', rateLimit: 'burst' });
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
    expect(refused.headers.ratelimit).toBe('"burst";r=0;t=60');
  });

  it('counts what it does not announce: tokens.list shows the uses of a store-issued key', async () => {
    const t = await limitedApp({ limits: LIMITS, headers: 'refused' });
    expect((await t.get(t.issued)).status).toBe(200);
    expect((await t.get(t.issued)).status).toBe(200);
    const [listed] = (await t.auth.tokens.list(t.alice.id, { kinds: ['apiKey'] })).filter((info) => info.id === t.id);
    expect(listed.limits?.map((limit) => [limit.name, limit.used, limit.remaining])).toEqual([['burst', 2, 1]]);
  });

  it('is described by auth.openapi(): the 429 response names the fields, without "also sent on accepted requests"', async () => {
    const refusedOnly = (await limitedApp({ limits: LIMITS, headers: 'refused' })).auth.openapi();
    const always = (await limitedApp({ limits: LIMITS })).auth.openapi();
    const described = (document: typeof always) => {
      const headers = (document.components.responses!.GatehouseRateLimited as { headers: Record<string, { description: string }> }).headers;
      return [headers['RateLimit-Policy'].description, headers.RateLimit.description];
    };
    for (const description of described(refusedOnly)) expect(description).not.toMatch(/accepted requests/);
    for (const description of described(always)) expect(description).toMatch(/Also sent on accepted requests\.$/);
  });
});

describe("rateLimits.headers: 'always' (the default)", () => {
  it('accepted answers carry both fields', async () => {
    const t = await limitedApp({ limits: LIMITS });
    const ok = await t.get(t.issued);
    expect(ok.status).toBe(200);
    expect(ok.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
    expect(ok.headers.ratelimit).toBe('"burst";r=2;t=60');
  });
});

describe('rateLimits.headers is checked at start-up', () => {
  it.each([['never'], ['ALWAYS'], [''], [true], [null], [['refused']]])('%p is refused, naming the option', (headers) => {
    const store = new MemoryStore({ passwordCost: 10 });
    const error = thrownBy(() => gatehouse({ store, rateLimits: { limits: LIMITS, headers: headers as never } }));
    expect(error).toMatchObject({ name: 'GatehouseConfigError', code: 'GATEHOUSE_INVALID_OPTION', option: 'rateLimits.headers' });
    expect(error?.message).toContain("'always' or 'refused'");
  });
});
