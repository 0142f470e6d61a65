import request from 'supertest';
import { GatehouseError } from '../src/errors';
import { basicApp, basicHeader, passwordFixture } from './helpers/passwords';
import { realNow } from './helpers/clock';

const HOUR = 60 * 60_000;

async function withCarol(passwordExpiresAt: Date | number | null) {
  const fixture = await passwordFixture();
  const carol = await fixture.store.addUser({ login: 'carol', password: 'carol password', passwordExpiresAt });
  return { ...fixture, carol };
}

describe('An expired password', () => {
  it('should answer 403.3 to the right password once passwordExpiresAt has passed', async () => {
    const start = realNow();
    const { passwordCheck, clock, carol } = await withCarol(new Date(start + HOUR));
    expect(clock.now()).toBe(start);
    await expect(passwordCheck.check({ login: 'carol', password: 'carol password' })).resolves.toMatchObject({ actor: carol });
    clock.advance(HOUR - 1);
    await expect(passwordCheck.check({ login: 'carol', password: 'carol password' })).resolves.toMatchObject({ actor: carol });
    clock.advance(1);
    await expect(passwordCheck.check({ login: 'carol', password: 'carol password' })).rejects.toMatchObject({
      code: '403.3',
      status: 403,
    });
  });

  it('should never expire a password without passwordExpiresAt', async () => {
    const { passwordCheck, clock } = await withCarol(null);
    clock.advance(10 * 365 * 24 * HOUR);
    await expect(passwordCheck.check({ login: 'carol', password: 'carol password' })).resolves.toBeDefined();
  });

  it('should answer 401.2, not 403.3, to a wrong password — expiry is never revealed without the password', async () => {
    const { passwordCheck } = await withCarol(0);
    const error = await passwordCheck.check({ login: 'carol', password: 'wrong' }).catch((e: GatehouseError) => e);
    expect(error).toMatchObject({ code: '401.2' });
  });

  it('should clear the failed-attempt counter, since the password was right', async () => {
    const { passwordCheck, store, clock } = await withCarol(1);
    await passwordCheck.check({ login: 'carol', password: 'wrong' }).catch(() => undefined);
    await passwordCheck.check({ login: 'carol', password: 'carol password' }).catch(() => undefined);
    expect(await store.readAttempts('carol', clock.now())).toEqual({ count: 0, lockedUntil: null });
  });

  it('should treat an invalid expiry date as expired (fail closed)', async () => {
    const { passwordCheck } = await withCarol(new Date('not a date'));
    await expect(passwordCheck.check({ login: 'carol', password: 'carol password' })).rejects.toMatchObject({ code: '403.3' });
  });

  it('should answer 403.3 to a Basic client, also when the check came from the cache', async () => {
    const { passwordCheck, store, carol, clock } = await withCarol(null);
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const get = () => request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader('carol', 'carol password'));
    expect((await get()).status).toBe(200);
    const current = await store.findCredentials('carol');
    await store.setPasswordHash(carol.id, current!.passwordHash, clock.now() - 1);
    const res = await get();
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: '403.3', detail: 'The password has expired and must be changed.' });
  });
});
