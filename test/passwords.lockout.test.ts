import request from 'supertest';
import { GatehouseError } from '../src/errors';
import { Lockout, resolveLockoutOptions } from '../src/passwords/lockout';
import { ALICE_LOGIN, ALICE_PASSWORD, basicApp, basicHeader, passwordFixture, probeBcrypt } from './helpers/passwords';

const MINUTE = 60_000;

async function attempt(check: () => Promise<unknown>): Promise<GatehouseError | 'ok'> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
}

describe('Repeated failures lock a login', () => {
  it.each([
    ['an existing login', ALICE_LOGIN],
    ['a login that does not exist', 'nobody@example.org'],
  ])('should lock %s after 5 failures and count the time down', async (_name, login) => {
    const { passwordCheck, clock } = await passwordFixture();
    for (let i = 0; i < 5; i += 1) {
      // The failure that reaches the limit is still answered 401.2, like every wrong password.
      expect(await attempt(() => passwordCheck.check({ login, password: `wrong ${i}` }))).toMatchObject({ code: '401.2' });
      clock.advance(1_000);
    }
    const locked = await attempt(() => passwordCheck.check({ login, password: 'wrong again' }));
    expect(locked).toMatchObject({
      code: '403.2',
      status: 403,
      // Locked at the 5th failure (t = 4 s) for 15 minutes; asked at t = 5 s.
      extensions: { lockoutTimeRemaining: 15 * 60 - 1, maxRetriesExceeded: true },
    });

    clock.advance(10 * MINUTE + 500);
    expect(await attempt(() => passwordCheck.check({ login, password: 'wrong again' }))).toMatchObject({
      extensions: { lockoutTimeRemaining: 5 * 60 - 1, maxRetriesExceeded: true },
    });
    clock.advance(5 * MINUTE - 1_999);
    // 0.499 s left reads as 1 s: rounded up, never 0 while still locked.
    expect(await attempt(() => passwordCheck.check({ login, password: 'wrong again' }))).toMatchObject({
      extensions: { lockoutTimeRemaining: 1 },
    });
    clock.advance(500);
    expect(await attempt(() => passwordCheck.check({ login, password: 'wrong again' }))).toMatchObject({ code: '401.2' });
  });

  it('should refuse the right password while locked, before any bcrypt work', async () => {
    const { passwordCheck } = await passwordFixture();
    for (let i = 0; i < 5; i += 1) await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }));
    const probe = probeBcrypt();
    try {
      const result = await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD }));
      expect(result).toMatchObject({ code: '403.2' });
      expect(probe.compareCalls).toBe(0);
    } finally {
      probe.restore();
    }
  });

  it('should let the right password in once the lock has passed, and start counting afresh', async () => {
    const { passwordCheck, clock, alice } = await passwordFixture();
    for (let i = 0; i < 5; i += 1) await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }));
    clock.advance(15 * MINUTE);
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD })).resolves.toEqual({
      actor: alice,
      previousAccessFailedCount: 0,
      secondFactors: [],
    });
    expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }))).toMatchObject({ code: '401.2' });
  });

  it('should report and clear earlier failures on success', async () => {
    const { passwordCheck } = await passwordFixture();
    for (let i = 0; i < 3; i += 1) await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }));
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD })).resolves.toMatchObject({
      previousAccessFailedCount: 3,
    });
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD })).resolves.toMatchObject({
      previousAccessFailedCount: 0,
    });
  });

  it('should not lock when the failures are spread beyond the window', async () => {
    const { passwordCheck, clock } = await passwordFixture({ lockout: { maxAttempts: 3, window: 10 * MINUTE } });
    for (let i = 0; i < 6; i += 1) {
      expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }))).toMatchObject({ code: '401.2' });
      clock.advance(6 * MINUTE);
    }
  });

  it('should count one login however it is typed', async () => {
    const { passwordCheck } = await passwordFixture({ lockout: { maxAttempts: 2 } });
    await attempt(() => passwordCheck.check({ login: 'Alice@Example.org', password: 'wrong' }));
    await attempt(() => passwordCheck.check({ login: ' ALICE@EXAMPLE.ORG ', password: 'wrong' }));
    expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD }))).toMatchObject({ code: '403.2' });
  });

  it("should count per login and address with by: 'login+ip'", async () => {
    const { passwordCheck, alice } = await passwordFixture({ lockout: { maxAttempts: 2, by: 'login+ip' } });
    for (let i = 0; i < 2; i += 1) await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong', clientIp: '203.0.113.9' }));
    expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: '203.0.113.9' }))).toMatchObject({
      code: '403.2',
    });
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: '2001:db8::1' })).resolves.toMatchObject({
      actor: alice,
    });
  });

  it('should answer 403.2 with the remaining time to a Basic client', async () => {
    const { passwordCheck, clock } = await passwordFixture({ lockout: { maxAttempts: 2, duration: 5 * MINUTE } });
    const { app } = basicApp(passwordCheck, { trustProxy: true });
    const get = (password: string) =>
      request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, password));
    expect((await get('wrong')).body.code).toBe('401.2');
    expect((await get('wrong')).body.code).toBe('401.2');
    clock.advance(30_000);
    const res = await get(ALICE_PASSWORD);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'This login is locked after repeated failed attempts; try again later.',
      code: '403.2',
      lockoutTimeRemaining: 270,
      maxRetriesExceeded: true,
    });
  });

  it('should never touch the counters when lockout is off', async () => {
    const { passwordCheck, store } = await passwordFixture({ lockout: false });
    const spy = jest.spyOn(store, 'recordFailedAttempt');
    for (let i = 0; i < 8; i += 1) {
      expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }))).toMatchObject({ code: '401.2' });
    }
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('Lockout keys and options', () => {
  const store = { readAttempts: jest.fn(), recordFailedAttempt: jest.fn(), clearAttempts: jest.fn() };

  it('should key by the normalised login, or by address and login', () => {
    expect(new Lockout({ store }).keyFor(' Alice@Example.ORG', '198.51.100.7')).toBe('alice@example.org');
    const perIp = new Lockout({ store, options: { by: 'login+ip' } });
    expect(perIp.keyFor('Alice@Example.org', '2001:db8::1')).toBe('ip:2001:db8:0:0::/64:login:alice@example.org');
    expect(perIp.keyFor('alice', 'not an ip:login:x')).toBe('ip:not%20an%20ip%3Alogin%3Ax:login:alice');
    expect(perIp.keyFor('alice')).toBe('ip:unknown:login:alice');
  });

  it('should fill in the defaults', () => {
    expect(resolveLockoutOptions(undefined)).toEqual({ maxAttempts: 5, window: 900_000, duration: 900_000, by: 'login' });
    expect(resolveLockoutOptions(false)).toBe(false);
  });

  it.each([
    [{ maxAttempts: 0 }, 'lockout.maxAttempts must be a positive integer; default 5.'],
    [{ maxAttempts: 2.5 }, 'lockout.maxAttempts must be a positive integer'],
    [{ window: -1 }, 'lockout.window must be a whole number of milliseconds'],
    [{ window: '15m' }, 'lockout.window must be a whole number of milliseconds'],
    [{ duration: 0 }, 'lockout.duration must be a whole number of milliseconds'],
    [{ by: 'ip' }, "lockout.by must be 'login' or 'login+ip'; default 'login'."],
    [{ maxAtempts: 3 }, 'lockout.maxAtempts is not an option'],
    [true, 'lockout must be an object'],
  ])('should refuse %p naming the option', (input, message) => {
    expect(() => resolveLockoutOptions(input as never)).toThrow(TypeError);
    expect(() => resolveLockoutOptions(input as never)).toThrow(message);
  });
});
