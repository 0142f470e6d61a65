import request from 'supertest';
import { resolveVerificationCacheOptions, VerificationCache } from '../src/passwords/verification-cache';
import { ALICE_LOGIN, ALICE_PASSWORD, basicApp, basicHeader, passwordFixture, probeBcrypt, testClock } from './helpers/passwords';

const HASH_A = '$2b$10$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const HASH_B = '$2b$10$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('VerificationCache', () => {
  it('should hit only for the same login, password and stored hash', () => {
    const cache = new VerificationCache();
    cache.set('alice', 'pw', HASH_A);
    expect(cache.get('alice', 'pw', HASH_A)).toBe(true);
    expect(cache.get('alice', 'pw2', HASH_A)).toBe(false);
    expect(cache.get('bob', 'pw', HASH_A)).toBe(false);
    expect(cache.get('alice', 'pw', HASH_B)).toBe(false);
    // Asked again, a check against the old hash still says nothing about the new one.
    expect(cache.get('alice', 'pw', HASH_B)).toBe(false);
    cache.set('alice', 'pw', HASH_B);
    expect(cache.get('alice', 'pw', HASH_B)).toBe(true);
  });

  it('should keep login and password apart, however the colons fall', () => {
    const cache = new VerificationCache();
    cache.set('a:b', 'c', HASH_A);
    expect(cache.get('a', 'b:c', HASH_A)).toBe(false);
    cache.set('ab', 'c', HASH_A);
    expect(cache.get('a', 'bc', HASH_A)).toBe(false);
  });

  it('should forget an entry after the ttl', () => {
    const clock = testClock();
    const cache = new VerificationCache({ ttl: 60_000, now: clock.now });
    cache.set('alice', 'pw', HASH_A);
    clock.advance(59_999);
    expect(cache.get('alice', 'pw', HASH_A)).toBe(true);
    clock.advance(1);
    expect(cache.get('alice', 'pw', HASH_A)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('should push out the least recently used entry when full', () => {
    const cache = new VerificationCache({ maxEntries: 2 });
    cache.set('a', 'pw', HASH_A);
    cache.set('b', 'pw', HASH_A);
    expect(cache.get('a', 'pw', HASH_A)).toBe(true); // a is now the most recent
    cache.set('c', 'pw', HASH_A);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 'pw', HASH_A)).toBe(false);
    expect(cache.get('a', 'pw', HASH_A)).toBe(true);
    expect(cache.get('c', 'pw', HASH_A)).toBe(true);
  });

  it('should hold neither the password nor the login in memory', () => {
    const cache = new VerificationCache();
    cache.set('alice@example.org', 'hunter2-secret', HASH_A);
    const kept = JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries]);
    expect(kept).not.toContain('hunter2-secret');
    expect(kept).not.toContain('alice');
    expect(kept).not.toContain(HASH_A);
  });

  it('should use a different key in each instance', () => {
    const one = new VerificationCache();
    const two = new VerificationCache();
    one.set('alice', 'pw', HASH_A);
    two.set('alice', 'pw', HASH_A);
    const keys = (cache: VerificationCache) => [...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()];
    expect(keys(one)).not.toEqual(keys(two));
  });

  it('should validate its options', () => {
    expect(resolveVerificationCacheOptions(undefined)).toEqual({ ttl: 60_000, maxEntries: 10_000 });
    expect(resolveVerificationCacheOptions(false)).toBe(false);
    expect(() => resolveVerificationCacheOptions({ ttl: 0 })).toThrow('basic.cache.ttl must be a whole number of milliseconds');
    expect(() => resolveVerificationCacheOptions({ maxEntries: -1 })).toThrow('basic.cache.maxEntries must be a positive integer');
    expect(() => resolveVerificationCacheOptions({ size: 3 } as never)).toThrow('basic.cache.size is not an option');
  });
});

describe('Basic uses the verification cache', () => {
  async function setup() {
    const fixture = await passwordFixture();
    const { app } = basicApp(fixture.passwordCheck, { trustProxy: true });
    const get = (password: string) =>
      request(app).get('/me').set('X-Forwarded-Proto', 'https').set('Authorization', basicHeader(ALICE_LOGIN, password));
    return { ...fixture, get };
  }

  it('should check the password with bcrypt once, then answer from the cache', async () => {
    const { get } = await setup();
    const probe = probeBcrypt();
    try {
      expect((await get(ALICE_PASSWORD)).status).toBe(200);
      expect((await get(ALICE_PASSWORD)).status).toBe(200);
      expect((await get(ALICE_PASSWORD)).status).toBe(200);
      expect(probe.compareCalls).toBe(1);
    } finally {
      probe.restore();
    }
  });

  it('should check again with bcrypt once the ttl has passed', async () => {
    const { get, clock } = await setup();
    const probe = probeBcrypt();
    try {
      await get(ALICE_PASSWORD);
      clock.advance(60_000);
      expect((await get(ALICE_PASSWORD)).status).toBe(200);
      expect(probe.compareCalls).toBe(2);
    } finally {
      probe.restore();
    }
  });

  it('should never cache a failure', async () => {
    const { get } = await setup();
    const probe = probeBcrypt();
    try {
      expect((await get('wrong')).body.code).toBe('401.2');
      expect((await get('wrong')).body.code).toBe('401.2');
      expect(probe.compareCalls).toBe(2);
    } finally {
      probe.restore();
    }
  });

  it('should refuse the old password on the very next request after a password change', async () => {
    const { get, store, alice, hasher } = await setup();
    expect((await get(ALICE_PASSWORD)).status).toBe(200);
    await store.setPasswordHash(alice.id, await hasher.hash('a brand new password'));
    expect((await get(ALICE_PASSWORD)).body.code).toBe('401.2');
    expect((await get('a brand new password')).status).toBe(200);
  });

  it('should refuse a removed user on the very next request', async () => {
    const { get, store, alice } = await setup();
    expect((await get(ALICE_PASSWORD)).status).toBe(200);
    await store.removeUser(alice.id);
    expect((await get(ALICE_PASSWORD)).body.code).toBe('401.2');
  });

  it('should not let a cached password past a lockout', async () => {
    const { get, passwordCheck } = await setup();
    expect((await get(ALICE_PASSWORD)).status).toBe(200);
    for (let i = 0; i < 5; i += 1) await passwordCheck.check({ login: ALICE_LOGIN, password: 'wrong' }).catch(() => undefined);
    expect((await get(ALICE_PASSWORD)).body.code).toBe('403.2');
  });

  it('should not use the cache for login endpoints (useCache off)', async () => {
    const { passwordCheck } = await setup();
    const probe = probeBcrypt();
    try {
      await passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
      await passwordCheck.check({ login: ALICE_LOGIN, password: ALICE_PASSWORD });
      expect(probe.compareCalls).toBe(2);
    } finally {
      probe.restore();
    }
  });
});

describe('concurrent identical checks share one bcrypt run', () => {
  it('50 parallel checks of the same login and password run bcrypt once and all succeed; failures are not cached', async () => {
    const { MemoryStore } = await import('../src');
    const { PasswordHasher } = await import('../src/passwords/hasher');
    const { PasswordCheck } = await import('../src/passwords/password-check');
    const { VerificationCache } = await import('../src/passwords/verification-cache');
    const store = new MemoryStore({ passwordCost: 10 });
    await store.addUser({ login: 'excel@example.org', password: 'report password 1' });
    const hasher = new PasswordHasher({ cost: 10 });
    let verifications = 0;
    const original = hasher.verify.bind(hasher);
    hasher.verify = (plain: string, hash: string) => {
      verifications += 1;
      return original(plain, hash);
    };
    const check = new PasswordCheck({ store, hasher, lockout: false, cache: new VerificationCache({}) });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => check.check({ login: 'excel@example.org', password: 'report password 1', useCache: true })),
    );
    expect(results.every((r) => r.actor.displayName === 'excel@example.org')).toBe(true);
    expect(verifications).toBe(1);

    const wrong = await Promise.allSettled(
      Array.from({ length: 5 }, () => check.check({ login: 'excel@example.org', password: 'wrong', useCache: true })),
    );
    expect(wrong.every((r) => r.status === 'rejected')).toBe(true);
    expect(verifications).toBe(2);
    await expect(check.check({ login: 'excel@example.org', password: 'wrong', useCache: true })).rejects.toMatchObject({ code: '401.2' });
    expect(verifications).toBe(3);
  });
});
