/**
 * `lockout.by: 'login+ip'` counts an IPv6 client by its /64 (one host's usual allocation, so
 * one attacker cannot mint a fresh address per guess), an IPv4-mapped IPv6 address as the
 * IPv4 address, and keeps a per-account ceiling (`lockout.accountMaxAttempts`, default five
 * times `maxAttempts`) that locks the login whatever addresses the guesses come from.
 */
import { Lockout, resolveLockoutOptions } from '../src/passwords/lockout';
import { ALICE_LOGIN, ALICE_PASSWORD, passwordFixture } from './helpers/passwords';

async function attempt(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return await run();
  } catch (error) {
    return error;
  }
}

/** The `n`th address of the /64 `2001:db8:0:<net>::/64`. */
const inNet = (net: number, n: number) => `2001:db8:0:${net.toString(16)}::${(n + 1).toString(16)}`;

describe("lockout.by 'login+ip' with IPv6 clients", () => {
  it('should lock a login after maxAttempts guesses from as many addresses of one /64', async () => {
    const { passwordCheck, alice } = await passwordFixture({ lockout: { maxAttempts: 5, by: 'login+ip' } });
    for (let i = 0; i < 12; i += 1) {
      const outcome = await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: `guess-${i}`, clientIp: inNet(7, i) }));
      expect(outcome).toMatchObject({ code: i < 5 ? '401.2' : '403.2' });
    }
    expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: '2001:db8:0:7:ffff:ffff:ffff:ffff' }))).toMatchObject({ code: '403.2' });
    // Another /64 is not locked by them.
    await expect(passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: inNet(8, 0) })).resolves.toMatchObject({ actor: alice });
  });

  it('should count an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    const { passwordCheck } = await passwordFixture({ lockout: { maxAttempts: 2, by: 'login+ip' } });
    await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong', clientIp: '::ffff:203.0.113.9' }));
    await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong', clientIp: '::FFFF:cb00:7109' }));
    expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: '203.0.113.9' }))).toMatchObject({ code: '403.2' });
  });

  it('should lock the login for every address once accountMaxAttempts guesses come from many /64s', async () => {
    const { passwordCheck } = await passwordFixture({ lockout: { maxAttempts: 2, accountMaxAttempts: 6, by: 'login+ip' } });
    for (let net = 0; net < 6; net += 1) {
      expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong', clientIp: inNet(net, 0) }))).toMatchObject({ code: '401.2' });
    }
    for (const clientIp of [inNet(99, 0), '198.51.100.7']) {
      expect(await attempt(() => passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp }))).toMatchObject({
        code: '403.2',
        extensions: { lockoutTimeRemaining: 900 },
      });
    }
  });

  it('should let a fresh /64 in below the ceiling, and with the default ceiling of five times maxAttempts', async () => {
    const below = await passwordFixture({ lockout: { maxAttempts: 2, accountMaxAttempts: 6, by: 'login+ip' } });
    for (let net = 0; net < 5; net += 1) await attempt(() => below.passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong', clientIp: inNet(net, 0) }));
    await expect(below.passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD, clientIp: inNet(99, 0) })).resolves.toMatchObject({ actor: below.alice });

    const byDefault = await passwordFixture({ lockout: { maxAttempts: 2, by: 'login+ip' } });
    for (let net = 0; net < 10; net += 1) await attempt(() => byDefault.passwordCheck.check({ login: 'nobody@example.org', password: 'wrong', clientIp: inNet(net, 0) }));
    expect(await attempt(() => byDefault.passwordCheck.check({ login: 'nobody@example.org', password: 'wrong', clientIp: inNet(99, 0) }))).toMatchObject({ code: '403.2' });
  });
});

describe('lockout.accountMaxAttempts', () => {
  it("should default to five times maxAttempts with by: 'login+ip', and be absent with by: 'login'", () => {
    expect(resolveLockoutOptions({ by: 'login+ip', maxAttempts: 4 })).toEqual({ maxAttempts: 4, window: 900_000, duration: 900_000, by: 'login+ip', accountMaxAttempts: 20 });
    expect(resolveLockoutOptions({ by: 'login+ip', accountMaxAttempts: 7 })).toMatchObject({ accountMaxAttempts: 7 });
    expect(resolveLockoutOptions({})).not.toHaveProperty('accountMaxAttempts');
  });

  it.each([
    [{ by: 'login', accountMaxAttempts: 20 }, "lockout.accountMaxAttempts applies to by: 'login+ip' only"],
    [{ accountMaxAttempts: 20 }, "lockout.accountMaxAttempts applies to by: 'login+ip' only"],
    [{ by: 'login+ip', maxAttempts: 5, accountMaxAttempts: 4 }, 'lockout.accountMaxAttempts must be an integer of at least maxAttempts (5)'],
    [{ by: 'login+ip', accountMaxAttempts: 2.5 }, 'lockout.accountMaxAttempts must be an integer'],
    [{ by: 'login+ip', accountMaxAttempts: false }, 'lockout.accountMaxAttempts must be an integer'],
  ])('should refuse %p naming the option', (input, message) => {
    expect(() => resolveLockoutOptions(input as never)).toThrow(message);
  });

  it('should key an IPv6 client by its /64, and an IPv4-mapped one by its IPv4 address', () => {
    const store = { readAttempts: jest.fn(), recordFailedAttempt: jest.fn(), clearAttempts: jest.fn() };
    const perIp = new Lockout({ store, options: { by: 'login+ip' } });
    expect(perIp.keyFor('alice', '2001:DB8::1')).toBe('ip:2001:db8:0:0::/64:login:alice');
    expect(perIp.keyFor('alice', '2001:db8:0:0:ffff::2')).toBe('ip:2001:db8:0:0::/64:login:alice');
    expect(perIp.keyFor('alice', 'fe80::1%eth0')).toBe('ip:fe80:0:0:0::/64:login:alice');
    expect(perIp.keyFor('alice', '::ffff:198.51.100.7')).toBe('ip:198.51.100.7:login:alice');
    expect(perIp.keyForActor('42', '2001:db8:1:2:3:4:5:6')).toBe('ip:2001:db8:1:2::/64:actor:42');
  });
});
