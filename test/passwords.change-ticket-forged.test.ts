/**
 * A change ticket's signature is checked before anything of it is used: a forged ticket —
 * whatever login it names, however long, with NUL — never reaches the store.
 */
import request from 'supertest';
import { MemoryStore } from '../src';
import { buildApp } from './helpers/app';
import { realNow } from './helpers/clock';

const OLD = 'carol old password';

const forgedTicket = (claims: object, mac = 'A'.repeat(43)) => `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`;

describe('a forged change ticket', () => {
  it.each([
    ['a long login with NUL', { l: `carol\u0000${'x'.repeat(1200)}`, a: 'u1', e: realNow() + 60_000 }],
    ['a real login', { l: 'carol', a: 'u1', e: realNow() + 60_000 }],
    ['a real login, with the hash binding of the new format', { l: 'carol', a: 'u1', e: realNow() + 60_000, h: 'A'.repeat(43) }],
  ])('should be refused 401.2 without a store call (%s)', async (_what, claims) => {
    const store = new MemoryStore({ passwordCost: 10 });
    const carol = await store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
    // Spied before gatehouse() takes the store's methods, so every call it makes is seen.
    const findCredentials = jest.spyOn(store, 'findCredentials');
    const t = await buildApp({ passwordChange: {} }, store);
    findCredentials.mockClear();
    const ticket = forgedTicket({ ...claims, a: carol.id });
    const res = await request(t.app).post('/v1/sessions/password').send({ ticket, password: 'a long fine passphrase' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('401.2');
    expect(findCredentials).not.toHaveBeenCalled();
  });

  it('should still take the ticket of a real 403.3, which does call the store', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    await store.addUser({ login: 'carol', password: OLD, passwordExpiresAt: 0 });
    const findCredentials = jest.spyOn(store, 'findCredentials');
    const t = await buildApp({ passwordChange: {} }, store);
    const { changeTicket } = (await request(t.app).post('/v1/sessions').send({ login: 'carol', password: OLD })).body;
    findCredentials.mockClear();
    expect((await request(t.app).post('/v1/sessions/password').send({ ticket: changeTicket, password: 'a long fine passphrase' })).status).toBe(200);
    expect(findCredentials).toHaveBeenCalledWith('carol');
  });
});
