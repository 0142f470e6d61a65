import type { Actor } from '../src/actor';
import { combineStores } from '../src/store/combine';
import { describeStoreConformance } from '../src/store/conformance';
import { MemoryStore } from '../src/store/memory';
import { RedisStore } from '../src/store/redis';
import type { CredentialRecord, CredentialStore } from '../src/store/types';
import { useRedisPrefix } from './helpers/services';

/** A host's own user table, as a class with private state (so `this` binding matters). */
class HostUsers implements CredentialStore {
  #users = new Map<string, { actor: Actor; login: string; passwordHash: string }>([
    ['u-1', { actor: { id: 'u-1', kind: 'user', roles: ['admin'], tenant: 'acme' }, login: 'alice@example.org', passwordHash: '$2b$10$host' }],
  ]);

  async findCredentials(login: string): Promise<CredentialRecord | null> {
    for (const user of this.#users.values()) if (user.login === login) return { actor: user.actor, passwordHash: user.passwordHash };
    return null;
  }

  async findActor(id: string): Promise<Actor | null> {
    return this.#users.get(id)?.actor ?? null;
  }
}

describe('combineStores', () => {
  it("should answer user lookups from the host and everything else from the shared store", async () => {
    const shared = new MemoryStore({ passwordCost: 10 });
    const store = combineStores({ credentials: new HostUsers(), tokens: shared });

    expect(await store.findCredentials('alice@example.org')).toEqual({
      actor: { id: 'u-1', kind: 'user', roles: ['admin'], tenant: 'acme' },
      passwordHash: '$2b$10$host',
    });
    expect(await store.findActor('u-1')).toMatchObject({ id: 'u-1', tenant: 'acme' });
    expect(await store.findActor('nobody')).toBeNull();

    await store.saveToken({ hash: 'h1', kind: 'session', actorId: 'u-1', createdAt: 1, expiresAt: null });
    expect((await shared.findToken('h1'))?.actorId).toBe('u-1');
    await store.touchToken!('h1', 5);
    expect((await shared.findToken('h1'))?.lastUsedAt).toBe(5);
    await store.saveRevocation('jti', 7, Date.now() + 60_000);
    expect(await shared.findRevocations(['jti'])).toEqual([7]);
    expect(await store.recordFailedAttempt('alice@example.org', { maxAttempts: 3, windowMs: 1000, lockMs: 1000 }, 0)).toEqual({
      count: 1,
      lockedUntil: null,
    });
    expect(await shared.readAttempts('alice@example.org', 0)).toEqual({ count: 1, lockedUntil: null });
  });

  it('should take revocations and counters from their own parts when given', async () => {
    const tokens = new MemoryStore({ passwordCost: 10 });
    const revocations = new MemoryStore({ passwordCost: 10 });
    const attempts = new MemoryStore({ passwordCost: 10 });
    const store = combineStores({ credentials: new HostUsers(), tokens, revocations, attempts });
    await store.saveRevocation('jti', 7, Date.now() + 60_000);
    await store.recordFailedAttempt('k', { maxAttempts: 3, windowMs: 1000, lockMs: 1000 }, 0);
    expect(await revocations.findRevocations(['jti'])).toEqual([7]);
    expect(await tokens.findRevocations(['jti'])).toEqual([null]);
    expect(await attempts.readAttempts('k', 0)).toEqual({ count: 1, lockedUntil: null });
    expect(await tokens.readAttempts('k', 0)).toEqual({ count: 0, lockedUntil: null });
  });

  it('should leave touchToken out when the token store has none', async () => {
    const shared = new MemoryStore({ passwordCost: 10 });
    const withoutTouch = {
      saveToken: shared.saveToken.bind(shared),
      updateToken: shared.updateToken.bind(shared),
      findToken: shared.findToken.bind(shared),
      deleteToken: shared.deleteToken.bind(shared),
      deleteTokensForActor: shared.deleteTokensForActor.bind(shared),
      deleteTokenFamily: shared.deleteTokenFamily.bind(shared),
      markTokenUsed: shared.markTokenUsed.bind(shared),
      saveRevocation: shared.saveRevocation.bind(shared),
      findRevocations: shared.findRevocations.bind(shared),
      readAttempts: shared.readAttempts.bind(shared),
      recordFailedAttempt: shared.recordFailedAttempt.bind(shared),
      clearAttempts: shared.clearAttempts.bind(shared),
    };
    const store = combineStores({ credentials: new HostUsers(), tokens: withoutTouch });
    expect(store.touchToken).toBeUndefined();
    expect(await store.findToken('unknown')).toBeNull();
  });

  it('should throw a TypeError naming the missing method', () => {
    const tokens = new MemoryStore({ passwordCost: 10 });
    expect(() => combineStores({ credentials: { findCredentials: async () => null } as never, tokens })).toThrow(
      new TypeError('combineStores: credentials.findActor must be a function (credentials lacks findActor).'),
    );
    const tokensOnly = { ...Object.fromEntries(['saveToken', 'updateToken', 'findToken', 'deleteToken', 'deleteTokensForActor', 'deleteTokenFamily', 'markTokenUsed'].map((m) => [m, async () => null])) };
    expect(() => combineStores({ credentials: new HostUsers(), tokens: tokensOnly as never })).toThrow(/tokens\.saveRevocation must be a function.*pass revocations/);
    expect(() => combineStores({ credentials: new HostUsers(), tokens: { ...tokensOnly, markTokenUsed: 1 } as never })).toThrow(/tokens\.markTokenUsed/);
    expect(() => combineStores({ credentials: undefined as never, tokens })).toThrow(/credentials is required/);
    expect(() => combineStores(undefined as never)).toThrow(TypeError);
  });
});

// The combined store is a store like any other: it passes the conformance suite.
const redis = useRedisPrefix('combine');
describeStoreConformance('combineStores(host users + RedisStore)', () =>
  combineStores({ credentials: new HostUsers(), tokens: new RedisStore({ client: redis.client(), keyPrefix: redis.keyPrefix }) }),
);
