import bcrypt from 'bcrypt';
import { GatehouseError } from '../src/errors';
import { PasswordHasher } from '../src/passwords/hasher';
import { probeBcrypt, testClock } from './helpers/passwords';

/** A bcrypt.compare that finishes only when the test says so, to hold the pool busy deterministically. */
function gateCompare() {
  const started: Array<{ data: string; release: (result: boolean) => void }> = [];
  const spy = jest.spyOn(bcrypt, 'compare').mockImplementation(((data: string) =>
    new Promise<boolean>((resolve) => started.push({ data, release: resolve }))) as never);
  return { started, restore: () => spy.mockRestore() };
}

const HASH_OF_SECRET = bcrypt.hashSync('secret', 10);
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('The bcrypt queue is bounded', () => {
  it('should refuse with 503.2 and Retry-After once maxConcurrent run and maxQueue wait', async () => {
    const gate = gateCompare();
    try {
      const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 2, maxQueue: 3 });
      const checks = Array.from({ length: 8 }, (_, i) => hasher.verify(`guess ${i}`, HASH_OF_SECRET).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ));
      await settle();
      expect(hasher.active).toBe(2);
      expect(hasher.waiting).toBe(3);
      expect(gate.started).toHaveLength(2);

      gate.started.forEach((op) => op.release(false));
      await settle();
      gate.started.slice(2).forEach((op) => op.release(false));
      await settle();
      gate.started.slice(4).forEach((op) => op.release(false));
      const outcomes = await Promise.all(checks);

      expect(outcomes.slice(0, 5)).toEqual(Array(5).fill({ value: false }));
      for (const outcome of outcomes.slice(5)) {
        const error = (outcome as { error: unknown }).error;
        expect(error).toBeInstanceOf(GatehouseError);
        expect(error).toMatchObject({ code: '503.2', status: 503 });
        const retryAfter = (error as GatehouseError).headers['Retry-After'];
        expect(retryAfter).toMatch(/^[1-9]\d*$/);
        expect((error as GatehouseError).extensions).toEqual({ retryAfter: Number(retryAfter) });
      }
      expect(gate.started).toHaveLength(5);
    } finally {
      gate.restore();
    }
  });

  it('should start waiting checks in the order they arrived', async () => {
    const gate = gateCompare();
    try {
      const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 1, maxQueue: 10 });
      const checks = ['a', 'b', 'c', 'd'].map((guess) => hasher.verify(guess, HASH_OF_SECRET));
      for (let i = 0; i < 4; i += 1) {
        await settle();
        expect(gate.started).toHaveLength(i + 1);
        gate.started[i].release(false);
      }
      await Promise.all(checks);
      expect(gate.started.map((op) => op.data)).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      gate.restore();
    }
  });

  it('should make Retry-After longer when checks have been taking longer', async () => {
    const gate = gateCompare();
    const clock = testClock();
    try {
      const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 1, maxQueue: 1, now: clock.now });
      const retryAfter = async () => {
        const held = [hasher.verify('x', HASH_OF_SECRET), hasher.verify('y', HASH_OF_SECRET)];
        const refused = await hasher.verify('z', HASH_OF_SECRET).catch((error: GatehouseError) => error);
        await settle();
        for (let i = 0; i < 2; i += 1) {
          clock.advance(20_000); // each check "takes" 20 s on this overloaded machine
          gate.started[gate.started.length - 1].release(false);
          await settle();
        }
        await Promise.all(held);
        return Number((refused as GatehouseError).headers['Retry-After']);
      };
      const before = await retryAfter();
      for (let i = 0; i < 5; i += 1) await retryAfter();
      const after = await retryAfter();
      expect(before).toBe(1);
      expect(after).toBeGreaterThan(10);
    } finally {
      gate.restore();
    }
  });

  it('should never let more than maxConcurrent bcrypt operations run, however many arrive', async () => {
    const probe = probeBcrypt();
    try {
      const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 2, maxQueue: 10 });
      const checks = Array.from({ length: 50 }, (_, i) =>
        (i % 2 === 0 ? hasher.verify(`guess ${i}`, HASH_OF_SECRET) : hasher.verifyDummy(`guess ${i}`)).then(
          () => 'checked',
          (error: GatehouseError) => error.code,
        ),
      );
      const outcomes = await Promise.all(checks);
      expect(probe.maxInFlight).toBe(2);
      expect(outcomes.filter((o) => o === 'checked')).toHaveLength(12);
      expect(outcomes.filter((o) => o === '503.2')).toHaveLength(38);
      expect(hasher.active + hasher.waiting).toBe(0);
    } finally {
      probe.restore();
    }
  });

  it('should make the dummy hash once, at the configured cost, on first use', async () => {
    const probe = probeBcrypt();
    try {
      const hasher = new PasswordHasher({ cost: 10 });
      expect(probe.hashCalls).toBe(0);
      await Promise.all([hasher.verifyDummy('a'), hasher.verifyDummy('b')]);
      await hasher.verifyDummy('c');
      expect(probe.hashCalls).toBe(1);
      expect(probe.compareCalls).toBe(3);
    } finally {
      probe.restore();
    }
  });

  it('should refuse a dummy check with 503.2 like any other when the queue is full, then recover', async () => {
    const gate = gateCompare();
    try {
      const hasher = new PasswordHasher({ cost: 10, maxConcurrent: 1, maxQueue: 0 });
      const holding = hasher.verify('x', HASH_OF_SECRET);
      await settle();
      await expect(hasher.verifyDummy('y')).rejects.toMatchObject({ code: '503.2' });
      gate.started[0].release(false);
      await holding;
      gate.restore();
      await expect(hasher.verifyDummy('y')).resolves.toBe(false);
    } finally {
      gate.restore();
    }
  });
});

describe('PasswordHasher', () => {
  it('should hash with the configured cost and verify', async () => {
    const hasher = new PasswordHasher({ cost: 10 });
    const hash = await hasher.hash('correct horse battery');
    expect(bcrypt.getRounds(hash)).toBe(10);
    await expect(hasher.verify('correct horse battery', hash)).resolves.toBe(true);
    await expect(hasher.verify('Correct horse battery', hash)).resolves.toBe(false);
  });

  it.each([['not a hash'], [''], ['$2b$10$tooShort'], [null], [undefined], [42]])(
    'should answer false, not throw, for the malformed hash %p',
    async (hash) => {
      const hasher = new PasswordHasher({ cost: 10 });
      await expect(hasher.verify('anything', hash as string)).resolves.toBe(false);
    },
  );

  it('should refuse to hash an empty or non-string password', async () => {
    const hasher = new PasswordHasher({ cost: 10 });
    await expect(hasher.hash('')).rejects.toThrow(TypeError);
    await expect(hasher.hash(undefined as unknown as string)).rejects.toThrow(TypeError);
  });
});
