import { randomBytes } from 'node:crypto';
import { defaultMaxConcurrent, PasswordHasher, resolvePasswordOptions } from '../src/passwords/hasher';

describe('passwords options', () => {
  it('should fill in the defaults', () => {
    const resolved = resolvePasswordOptions(undefined);
    expect(resolved).toEqual({ cost: 12, maxConcurrent: defaultMaxConcurrent(), maxQueue: 100, prehash: false });
    expect(resolved.maxConcurrent).toBeGreaterThanOrEqual(1);
  });

  it('should keep the default concurrency below the libuv pool size and leave a core to the event loop', () => {
    const before = process.env.UV_THREADPOOL_SIZE;
    try {
      process.env.UV_THREADPOOL_SIZE = '2';
      expect(defaultMaxConcurrent()).toBe(1);
      process.env.UV_THREADPOOL_SIZE = '64';
      expect(defaultMaxConcurrent()).toBe(Math.max(1, require('node:os').availableParallelism() - 1));
    } finally {
      if (before === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = before;
    }
  });

  it('should keep a private copy of the pepper as bytes', () => {
    const pepper = randomBytes(32);
    const resolved = resolvePasswordOptions({ prehash: { pepper } });
    pepper.fill(0);
    expect(resolved.prehash && resolved.prehash.pepper.equals(Buffer.alloc(32))).toBe(false);
    expect(resolvePasswordOptions({ prehash: { pepper: 'x'.repeat(32) } }).prehash).toEqual({ pepper: Buffer.from('x'.repeat(32)) });
  });

  it.each([
    [{ cost: 9 }, 'passwords.cost must be an integer from 10 to 31 (bcrypt cost); default 12.'],
    [{ cost: 32 }, 'passwords.cost must be an integer from 10 to 31'],
    [{ cost: 12.5 }, 'passwords.cost must be an integer from 10 to 31'],
    [{ cost: '12' }, 'passwords.cost must be an integer from 10 to 31'],
    [{ maxConcurrent: 0 }, 'passwords.maxConcurrent must be a positive integer'],
    [{ maxQueue: -1 }, 'passwords.maxQueue must be a non-negative integer; default 100.'],
    [{ prehash: true }, 'passwords.prehash must be false or { pepper }'],
    [{ prehash: { pepper: 42 } }, 'passwords.prehash must be false or { pepper }'],
    [{ prehash: { pepper: 'too short' } }, 'passwords.prehash.pepper must be at least 32 bytes; generate one with crypto.randomBytes(32).'],
    // PasswordHasher lists its own `now` after these.
    [{ rounds: 12 }, 'passwords.rounds is not an option; the options are cost, maxConcurrent, maxQueue'],
    [null, 'passwords must be an object'],
  ])('should refuse %p naming the option', (input, message) => {
    expect(() => resolvePasswordOptions(input as never)).toThrow(TypeError);
    expect(() => resolvePasswordOptions(input as never)).toThrow(message);
    expect(() => new PasswordHasher(input as never)).toThrow(message);
  });

  it('should never echo the pepper in an error', () => {
    const pepper = 'secret-pepper-that-is-short';
    expect(() => resolvePasswordOptions({ prehash: { pepper } })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(pepper) }));
  });
});
