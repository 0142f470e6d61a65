/**
 * store.error: the cause of every 503.1 reaches the host — the very object the store threw,
 * with the scheme (where a credential was being checked) and the client address — once
 * per answer, and never as a refused credential or a failed login.
 */
import request from 'supertest';
import { ALICE_PASSWORD } from './helpers/app';
import { eventApp, StoreDown } from './helpers/events';

const CLIENT = '203.0.113.9';

describe('store.error events', () => {
  it('should hand the host the error the store threw when a credential check answers 503.1', async () => {
    const t = await eventApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    t.events.length = 0;
    t.store.down = true;
    const res = await request(t.app).get('/v1/projects').set('X-Forwarded-For', CLIENT).set('Authorization', `Bearer ${token}`);
    expect(res.body.code).toBe('503.1');
    expect(t.events).toEqual([{ type: 'store.error', time: new Date(t.clock.now()), scheme: 'sessionToken', actorId: null, ip: CLIENT, code: '503.1', error: t.store.thrown[0] }]);
    expect(t.store.thrown[0]).toBeInstanceOf(StoreDown);
  });

  it('should report a login that fails on the store as store.error, not as a failed login', async () => {
    const t = await eventApp();
    t.store.down = true;
    const res = await request(t.app).post('/v1/sessions').set('X-Forwarded-For', CLIENT).send({ login: 'alice@example.org', password: ALICE_PASSWORD });
    expect(res.body.code).toBe('503.1');
    expect(t.events).toEqual([expect.objectContaining({ type: 'store.error', scheme: null, ip: CLIENT, error: t.store.thrown[0] })]);
  });

  it('should report a store that does not answer in time, with the timeout as the error', async () => {
    const t = await eventApp({ storeTimeout: 50 });
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    t.events.length = 0;
    t.store.down = 'hang';
    expect((await request(t.app).get('/v1/projects').set('Authorization', `Bearer ${token}`)).body.code).toBe('503.1');
    const [event] = t.ofType('store.error');
    expect(event.error).toBeInstanceOf(Error);
    expect((event.error as Error).message).toBe('store.findToken did not answer within 50 ms');
  });

  it('should report a logout that fails on the store once', async () => {
    const t = await eventApp();
    const { token } = await t.auth.tokens.issue({ actorId: t.alice.id, kind: 'session' });
    t.events.length = 0;
    t.store.down = true;
    expect((await request(t.app).delete('/v1/sessions/current').set('Authorization', `Bearer ${token}`)).body.code).toBe('503.1');
    expect(t.events).toEqual([expect.objectContaining({ type: 'store.error', scheme: 'sessionToken', error: t.store.thrown[0] })]);
  });
});
