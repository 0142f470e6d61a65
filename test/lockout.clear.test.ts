/**
 * `auth.lockout.clear(login)`: an administrator unlocks a login. With `lockout.by: 'login+ip'`
 * every client's counter goes (the store's optional `clearAttemptsOf`), and the event says so.
 */
import request from 'supertest';
import { combineStores, MemoryStore, type AuditEvent } from '../src';
import { ALICE_PASSWORD, buildApp } from './helpers/app';
import { bindAll } from './helpers/backends';

const wrongFrom = (app: Parameters<typeof request>[0], ip: string) =>
  request(app).post('/v1/sessions').set('X-Forwarded-For', ip).send({ login: 'alice@example.org', password: 'wrong password' });
const rightFrom = (app: Parameters<typeof request>[0], ip: string) =>
  request(app).post('/v1/sessions').set('X-Forwarded-For', ip).send({ login: 'alice@example.org', password: ALICE_PASSWORD });

describe('auth.lockout.clear', () => {
  it("with lockout.by: 'login+ip', unlocks the login for every client, and reports lockout.cleared", async () => {
    const events: AuditEvent[] = [];
    const t = await buildApp({ lockout: { by: 'login+ip', maxAttempts: 2 }, onEvent: (event) => void events.push(event) });
    t.app.set('trust proxy', true);
    for (const ip of ['192.0.2.1', '198.51.100.7']) for (let i = 0; i < 2; i += 1) await wrongFrom(t.app, ip);
    expect((await rightFrom(t.app, '192.0.2.1')).body.code).toBe('403.2');
    expect((await rightFrom(t.app, '198.51.100.7')).body.code).toBe('403.2');
    // Each client's two failures, and the login's ceiling (four).
    expect(await t.auth.lockout.clear('alice@example.org')).toBe(8);
    expect((await rightFrom(t.app, '192.0.2.1')).status).toBe(200);
    expect((await rightFrom(t.app, '198.51.100.7')).status).toBe(200);
    expect(events.filter((event) => event.type === 'lockout.cleared')).toEqual([
      { type: 'lockout.cleared', time: expect.any(Date), scheme: null, actorId: t.alice.id, ip: null, code: null, login: 'alice@example.org', count: 8 },
    ]);
  });

  it('without clearAttemptsOf in the store, clears the login-wide counter only', async () => {
    const users = new MemoryStore({ passwordCost: 10 });
    const { clearAttemptsOf: _left, ...withoutIt } = bindAll(users);
    const t = await buildApp({ lockout: { maxAttempts: 2 }, store: combineStores({ credentials: users, tokens: withoutIt as never }) }, users);
    for (let i = 0; i < 2; i += 1) await wrongFrom(t.app, '192.0.2.1');
    expect((await rightFrom(t.app, '192.0.2.1')).body.code).toBe('403.2');
    expect(await t.auth.lockout.clear('alice@example.org')).toBe(2);
    expect((await rightFrom(t.app, '192.0.2.1')).status).toBe(200);
  });

  it('resolves to 0 for a login nobody locked, and refuses an empty login', async () => {
    const t = await buildApp();
    expect(await t.auth.lockout.clear('nobody@example.org')).toBe(0);
    await expect(t.auth.lockout.clear('  ')).rejects.toThrow(expect.objectContaining({ option: 'login' }));
  });
});
