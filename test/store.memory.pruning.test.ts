import { MemoryStore } from '../src';

describe('MemoryStore keeps memory bounded under a spray of made-up logins', () => {
  it('drops counters whose window has passed as new failures arrive', async () => {
    const store = new MemoryStore({ passwordCost: 10 });
    const policy = { maxAttempts: 5, windowMs: 1000, lockMs: 1000 };
    let now = 0;
    for (let i = 0; i < 5000; i += 1) {
      await store.recordFailedAttempt(`ghost-${i}@example.org`, policy, now);
      now += 10; // each counter's window ends 1 s after its first failure
    }
    expect(store.attemptCount).toBeLessThan(1200);
    // A counter still inside its window is kept and keeps counting.
    expect((await store.recordFailedAttempt('ghost-4999@example.org', policy, now)).count).toBe(2);
  });
});
