import request from 'supertest';
import { MemoryStore, type GatehouseStore } from '../src';
import { buildApp, CONFIG_API_KEY } from './helpers/app';

/** A MemoryStore that can be told to fail or hang, like a database that went away. */
class FlakyStore extends MemoryStore {
  mode: 'ok' | 'reject' | 'throw' | 'hang' = 'ok';
  constructor() {
    super({ passwordCost: 10 });
    for (const method of ['findToken', 'findActor', 'deleteToken'] as const) {
      const original = (this as GatehouseStore)[method].bind(this) as (...a: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (this.mode === 'reject') return Promise.reject(new Error('ECONNREFUSED 10.0.0.5:5432 password=hunter2'));
        if (this.mode === 'throw') throw new Error('connection pool destroyed');
        if (this.mode === 'hang') return new Promise(() => undefined);
        return original(...args);
      };
    }
  }
}

describe('a failing store fails closed with 503.1', () => {
  it.each(['reject', 'throw', 'hang'] as const)('store %s → 503.1, never 200, never the store’s text; recovers when it returns', async (mode) => {
    const store = new FlakyStore();
    const t = await buildApp({ storeTimeout: 200 }, store);
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    store.mode = mode;
    const res = await request(t.app).get('/v1/public').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('503.1');
    expect(res.text).not.toMatch(/ECONNREFUSED|hunter2|pool/);
    const logout = await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`);
    expect(logout.body.code).toBe('503.1');
    store.mode = 'ok';
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('a configured API key needs no store and keeps working during an outage', async () => {
    const store = new FlakyStore();
    const t = await buildApp({}, store);
    store.mode = 'reject';
    expect((await request(t.app).get('/v1/projects').set('Authorization', `ApiKey ${CONFIG_API_KEY}`)).status).toBe(200);
  });

  it('malformed tokens are refused before the store, so an outage does not turn them into 503', async () => {
    const store = new FlakyStore();
    const t = await buildApp({}, store);
    store.mode = 'reject';
    expect((await request(t.app).get('/v1/projects').set('Authorization', 'Bearer gths_short')).body.code).toBe('401.2');
  });
});
