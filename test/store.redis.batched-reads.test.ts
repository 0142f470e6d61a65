import type { Redis } from 'ioredis';
import { RedisStore } from '../src/store/redis';
import { connectRedis, deleteRedisKeys, runId } from './helpers/services';

/**
 * Issue 20's store rows: the reads every authenticated request makes (its token, its
 * revocations, its lockout counter) go to Redis as one command for all the requests read in
 * one pass of the event loop. Each caller still gets exactly its own answer (and its own
 * record), and a failed command fails every caller in it.
 */
describe('RedisStore batches the per-request reads (issue 20)', () => {
  let client: Redis;
  const keyPrefix = `gatehouse-test-batched:${runId()}:`;
  let sent: string[] = [];
  let failNext: Error | null = null;

  beforeAll(async () => {
    client = await connectRedis();
    const sendCommand = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string; reject: (error: Error) => void; promise: Promise<unknown> }, stream?: unknown) => {
      sent.push(command.name);
      if (failNext) {
        const error = failNext;
        failNext = null;
        command.reject(error);
        return command.promise;
      }
      return sendCommand(command as never, stream as never);
    }) as typeof client.sendCommand;
  });
  afterAll(async () => {
    await deleteRedisKeys(client, keyPrefix);
    client.disconnect();
  });
  beforeEach(() => {
    sent = [];
  });

  const record = (hash: string, actorId: string) => ({ hash, kind: 'cookie' as const, actorId, createdAt: Date.now(), expiresAt: Date.now() + 60_000, roles: [actorId], data: { gatehouse: { lastSeenAt: 1 } } });

  it('answers 30 concurrent token lookups, some of one token, some unknown, with one command', async () => {
    const store = new RedisStore({ client, keyPrefix });
    for (let i = 0; i < 10; i += 1) await store.saveToken(record(`hash-${i}`, `actor-${i}`));
    // The first batch on a Redis that has not seen the script yet sends it (EVALSHA, then EVAL).
    await Promise.all([store.findToken('hash-0'), store.findToken('hash-1')]);
    sent = [];
    const hashes = [...Array.from({ length: 10 }, (_, i) => `hash-${i}`), ...Array.from({ length: 10 }, () => 'hash-3'), ...Array.from({ length: 10 }, (_, i) => `unknown-${i}`)];
    const found = await Promise.all(hashes.map((hash) => store.findToken(hash)));
    expect(sent).toHaveLength(1);
    expect(found.map((token) => token?.actorId ?? null)).toEqual(hashes.map((hash) => (hash.startsWith('hash-') ? `actor-${hash.slice(5)}` : null)));
    // Two callers of one token each get a record of their own.
    (found[3]!.data as { gatehouse: { lastSeenAt: number } }).gatehouse.lastSeenAt = 2;
    expect(found[10]!.data).toEqual({ gatehouse: { lastSeenAt: 1 } });
    // A lookup alone is the plain command.
    sent = [];
    expect((await store.findToken('hash-7'))?.actorId).toBe('actor-7');
    expect(sent).toEqual(['hmget']);
  });

  it('answers concurrent revocation and lockout reads, each with its own keys and clock, with one command each', async () => {
    const store = new RedisStore({ client, keyPrefix, now: () => 10_000 });
    await store.saveRevocation('jti:a', 1_000, 70_000);
    await store.saveRevocation('actor:b', 2_000, 70_000);
    const policy = { maxAttempts: 2, windowMs: 60_000, lockMs: 60_000 };
    await store.recordFailedAttempt('login:x', policy, 10_000);
    await store.recordFailedAttempt('login:x', policy, 10_000);
    sent = [];
    const [revocations, attempts] = await Promise.all([
      Promise.all([store.findRevocations(['jti:a', 'actor:b']), store.findRevocations(['jti:c', 'actor:b']), store.findRevocations(['jti:a'])]),
      Promise.all([store.readAttempts('login:x', 20_000), store.readAttempts('login:x', 80_000), store.readAttempts('login:y', 20_000)]),
    ]);
    expect(sent).toHaveLength(2);
    expect(revocations).toEqual([[1_000, 2_000], [null, 2_000], [1_000]]);
    expect(attempts).toEqual([{ count: 2, lockedUntil: 70_000 }, { count: 0, lockedUntil: null }, { count: 0, lockedUntil: null }]);
  });

  it('fails every lookup of a batch whose command fails, and answers the next batch', async () => {
    const store = new RedisStore({ client, keyPrefix });
    await store.saveToken(record('kept', 'actor-kept'));
    failNext = new Error('connection lost');
    const outcomes = await Promise.allSettled([store.findToken('kept'), store.findToken('kept'), store.findToken('other')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((await store.findToken('kept'))?.actorId).toBe('actor-kept');
  });
});
