/**
 * bcrypt with bounded concurrency (README, "Passwords and lockout").
 *
 * bcrypt's async API runs on libuv's thread pool, which the process shares with `fs`,
 * `dns.lookup`, zlib and WebCrypto. A burst of password checks (a Basic client retrying,
 * a credential-stuffing run) would otherwise fill that pool and stall unrelated requests,
 * so at most `maxConcurrent` bcrypt operations run at once, at most `maxQueue` more wait
 * in FIFO order, and the rest are refused at once with 503.2 and `Retry-After`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcrypt';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { ConcurrencyLimit } from './concurrency-limit';
import { assertFitsBcrypt, fitsBcrypt } from '../bcrypt-limits';

/**
 * The `passwords` option of `gatehouse()`.
 *
 * @example
 * ```ts
 * gatehouse({ store, passwords: { cost: 12, maxQueue: 200, prehash: { pepper: process.env.PASSWORD_PEPPER! } } });
 * ```
 */
export interface PasswordOptions {
  /**
   * bcrypt cost (log2 of the rounds): an integer from 10 to 31. Default `12`.
   * Each step doubles the time of every hash and check.
   * @example { cost: 13 }
   */
  cost?: number;
  /**
   * bcrypt operations allowed to run at once; a positive integer. Default: one less than the
   * number of cores (`os.availableParallelism()`), at least 1 and at most `UV_THREADPOOL_SIZE`
   * − 1 (3 by default) — 1 on a 2-core machine. One core stays with the event loop, and one
   * pool thread stays free for `fs` and
   * `dns` — running more bcrypt jobs than pool threads only queues them inside libuv,
   * ahead of file reads. Raise `UV_THREADPOOL_SIZE` with it on a large machine.
   * @example { maxConcurrent: 4 } // with UV_THREADPOOL_SIZE=8
   */
  maxConcurrent?: number;
  /**
   * Password checks allowed to wait for a free slot; a non-negative integer. Default `100`.
   * Beyond it a check is refused at once with 503.2 and `Retry-After`. The default keeps
   * the longest wait to seconds at cost 12 (about 250 ms a check on a server core): a
   * client waiting longer has usually given up, and its check would be wasted work.
   * @example { maxQueue: 500 }
   */
  maxQueue?: number;
  /**
   * `false` (default), or `{ pepper }`: each password is first turned into
   * base64(HMAC-SHA-256(pepper, password)) — 44 bytes — so passwords longer than bcrypt's
   * 72 bytes are accepted and checked in full. The pepper is a server-side secret of at
   * least 32 bytes kept outside the database. Hashes made with prehash on verify only with
   * prehash on and the same pepper (and hashes made without it only with it off), so
   * choose once, before the first user is stored.
   * @example { prehash: { pepper: Buffer.from(process.env.PASSWORD_PEPPER!, 'base64') } }
   */
  prehash?: {
    /** The server-side secret (at least 32 bytes), as a string or bytes. */
    pepper: string | Buffer;
  } | false;
}

/** Per-check options of {@link PasswordHasher.verify} and {@link PasswordHasher.verifyDummy}. */
export interface CheckOptions {
  /**
   * The request's "client went away" signal. A check still waiting in the queue when it
   * aborts is dropped and never runs bcrypt, so a connect-and-drop flood costs nothing;
   * the check rejects with the signal's reason. A check already running finishes.
   */
  signal?: AbortSignal;
  /**
   * Runs in the check's slot, just before bcrypt; a rejection skips bcrypt and rejects the
   * check. `PasswordCheck` counts the lockout attempt here, so a check refused with 503.2 or
   * dropped from the queue never counts as a failed password.
   */
  beforeRun?: () => Promise<unknown>;
}

/** {@link PasswordOptions} after validation, every default filled in. */
export interface ResolvedPasswordOptions {
  /** {@link PasswordOptions.cost}, default filled in. */
  cost: number;
  /** {@link PasswordOptions.maxConcurrent}, default filled in. */
  maxConcurrent: number;
  /** {@link PasswordOptions.maxQueue}, default filled in. */
  maxQueue: number;
  /** The pepper as bytes (a private copy), or `false`. */
  prehash: {
    /** The pepper's bytes. */
    pepper: Buffer;
  } | false;
}

/** Options of {@link PasswordHasher}: the `passwords` options plus an injectable clock. */
export interface PasswordHasherOptions extends PasswordOptions {
  /** Milliseconds clock, used only to estimate `Retry-After`. Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_COST = 12;
const DEFAULT_MAX_QUEUE = 100;
const MIN_PEPPER_BYTES = 32;
/** The options of `passwords`; a compile error when it and {@link PasswordOptions} disagree. */
const OPTION_NAMES: OptionNames<PasswordOptions> = { cost: true, maxConcurrent: true, maxQueue: true, prehash: true };
const HASHER_OPTION_NAMES: OptionNames<PasswordHasherOptions> = { ...OPTION_NAMES, now: true };
const PREHASH_OPTION_NAMES: OptionNames<Exclude<PasswordOptions['prehash'], false | undefined>> = { pepper: true };
/** A bcrypt hash as bcrypt writes it: version, two-digit cost, 22 salt and 31 hash characters. */
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** A check that fails before bcrypt (an over-long password) still counts as a checked one. */
async function failWithoutBcrypt(options: CheckOptions): Promise<false> {
  if (options.signal?.aborted) throw options.signal.reason;
  await options.beforeRun?.();
  return false;
}

/**
 * The default for `passwords.maxConcurrent` on this machine (see {@link PasswordOptions.maxConcurrent}).
 *
 * @example
 * ```ts
 * defaultMaxConcurrent(); // 1 on a 2-core machine; 3 on a 16-core one with the default UV_THREADPOOL_SIZE of 4
 * ```
 */
export function defaultMaxConcurrent(): number {
  const poolSize = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  const threads = Number.isInteger(poolSize) && poolSize > 0 ? poolSize : 4;
  // One core is left to the event loop: on a 2-core machine two bcrypt threads would take
  // every core, and request handling would slow to a crawl under a password-guessing burst.
  return Math.max(1, Math.min(availableParallelism() - 1, threads - 1));
}

/**
 * Validates the `passwords` option and fills in defaults. Throws a `GatehouseConfigError`
 * naming the option and the fix (`where` starts its message); never echoes the pepper.
 *
 * @example
 * ```ts
 * const resolved = resolvePasswordOptions({ cost: 10 }); // { cost: 10, maxConcurrent: 1, maxQueue: 100, prehash: false } on 2 cores
 * ```
 */
export function resolvePasswordOptions(input: PasswordOptions | undefined = {}, where = 'gatehouse()'): ResolvedPasswordOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    fail('passwords', 'passwords must be an object such as { cost: 12 }, or left out for the defaults.', { where });
  }
  knownOptions(input, OPTION_NAMES, 'passwords', { where });
  const cost = input.cost ?? DEFAULT_COST;
  if (!Number.isInteger(cost) || cost < 10 || cost > 31) {
    fail('passwords.cost', `passwords.cost must be an integer from 10 to 31 (bcrypt cost); default ${DEFAULT_COST}.`, { where });
  }
  const maxConcurrent = input.maxConcurrent ?? defaultMaxConcurrent();
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
    fail(
      'passwords.maxConcurrent',
      'passwords.maxConcurrent must be a positive integer; default: one less than the number of cores, at least 1 and at most UV_THREADPOOL_SIZE − 1 (3 by default).',
      { where },
    );
  }
  const maxQueue = input.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 0) {
    fail('passwords.maxQueue', `passwords.maxQueue must be a non-negative integer; default ${DEFAULT_MAX_QUEUE}.`, { where });
  }
  return { cost, maxConcurrent, maxQueue, prehash: resolvePrehash(input.prehash, where) };
}

function resolvePrehash(prehash: PasswordOptions['prehash'], where: string): ResolvedPasswordOptions['prehash'] {
  if (prehash === undefined || prehash === false) return false;
  if (prehash && typeof prehash === 'object') knownOptions(prehash, PREHASH_OPTION_NAMES, 'passwords.prehash', { where });
  const pepper: unknown = prehash && typeof prehash === 'object' ? prehash.pepper : undefined;
  if (typeof pepper !== 'string' && !Buffer.isBuffer(pepper)) {
    fail('passwords.prehash', 'passwords.prehash must be false or { pepper } with a string or Buffer pepper of at least 32 bytes.', { where });
  }
  const bytes = Buffer.from(pepper as string | Buffer);
  if (bytes.length < MIN_PEPPER_BYTES) {
    fail('passwords.prehash.pepper', `passwords.prehash.pepper must be at least ${MIN_PEPPER_BYTES} bytes; generate one with crypto.randomBytes(32).`, { where });
  }
  return { pepper: bytes };
}

/**
 * Hashes and checks passwords with bcrypt, off the event loop and with bounded
 * concurrency. Passwords over 72 bytes are never silently truncated: without prehash,
 * `hash` refuses them and `verify` answers `false`.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher({ cost: 12 });
 * const hash = await hasher.hash('correct horse battery');
 * await hasher.verify('correct horse battery', hash); // true
 * await hasher.verifyDummy('anything');               // false, after the same work
 * ```
 */
export class PasswordHasher {
  /** The validated options in use. */
  readonly options: Readonly<ResolvedPasswordOptions>;
  private readonly limit: ConcurrencyLimit;
  private readonly now: () => number;
  /** Average milliseconds of one bcrypt operation, for `Retry-After`; starts from a guess by cost. */
  private averageMs: number;
  /** Dummy hashes by cost: the configured one for unknown logins, lower ones to top up cheaper stored hashes. */
  private readonly dummyHashes = new Map<number, Promise<string>>();

  constructor(options: PasswordHasherOptions = {}) {
    const given = options !== null && typeof options === 'object';
    if (given) knownOptions(options, HASHER_OPTION_NAMES, 'passwords', { where: 'PasswordHasher' });
    const { now, ...passwordOptions } = given ? options : {};
    if (now !== undefined && typeof now !== 'function') fail('now', 'now must be a function returning milliseconds.', { where: 'PasswordHasher' });
    // A non-object goes to the validator as it came, which names the mistake.
    this.options = Object.freeze(resolvePasswordOptions(given ? passwordOptions : options, 'PasswordHasher'));
    this.now = now ?? Date.now;
    this.limit = new ConcurrencyLimit({ maxConcurrent: this.options.maxConcurrent, maxQueue: this.options.maxQueue });
    this.averageMs = 250 * 2 ** (this.options.cost - DEFAULT_COST);
  }

  /** bcrypt operations running now. */
  get active(): number {
    return this.limit.active;
  }

  /** bcrypt operations waiting for a slot now. */
  get waiting(): number {
    return this.limit.waiting;
  }

  /**
   * Hashes a password with the configured cost. Rejects with a `RangeError` for a password
   * over 72 bytes when prehash is off, and with GatehouseError 503.2 when the queue is full.
   */
  async hash(plain: string): Promise<string> {
    if (typeof plain !== 'string' || plain === '') fail('', 'the password must be a non-empty string.', { where: 'PasswordHasher.hash' });
    if (!this.options.prehash) assertFitsBcrypt(plain);
    const input = this.bcryptInput(plain);
    return this.limited(() => bcrypt.hash(input, this.options.cost));
  }

  /**
   * True when `plain` matches `hash`. False — never a rejection — for a malformed hash, a
   * non-string, or a password over 72 bytes without prehash. Rejects with 503.2 when the
   * queue is full, and with `options.signal`'s reason when it aborts before the check starts.
   *
   * A wrong password checked against a stored hash of a lower cost than the configured one
   * is topped up with dummy checks until the work done equals one check at the configured
   * cost (2^cost rounds): a known login then takes as long as an unknown one, whose dummy
   * check runs at the configured cost, even before its stored hash is upgraded.
   */
  async verify(plain: string, hash: string, options: CheckOptions = {}): Promise<boolean> {
    if (typeof plain !== 'string' || !this.accepts(plain)) return failWithoutBcrypt(options);
    // A malformed stored hash costs as much as a real check, so it cannot be told apart by timing.
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) return this.verifyDummy(plain, options);
    const input = this.bcryptInput(plain);
    return this.limited(async () => {
      await options.beforeRun?.();
      if (await bcrypt.compare(input, hash).catch(() => false)) return true;
      // Costs cost, cost+1, …, configured-1 add up to 2^configured - 2^cost rounds.
      for (let cost = bcrypt.getRounds(hash); cost < this.options.cost; cost += 1) {
        await bcrypt.compare(input, await this.dummyHashAt(cost)).catch(() => false);
      }
      return false;
    }, options.signal);
  }

  /**
   * Does the work of a real check against a dummy hash of the configured cost (made once,
   * on first use) and resolves to `false`, so a login that does not exist takes as long as
   * a wrong password. Rejects with 503.2 when the queue is full, and with `options.signal`'s
   * reason when it aborts before the check starts.
   */
  async verifyDummy(plain: string, options: CheckOptions = {}): Promise<false> {
    if (typeof plain !== 'string' || !this.accepts(plain)) return failWithoutBcrypt(options);
    const input = this.bcryptInput(plain);
    // One slot for making the dummy hash (first use only) and the check, so waiting for
    // the dummy never bypasses the queue bound.
    await this.limited(async () => {
      await options.beforeRun?.();
      await bcrypt.compare(input, await this.dummyHashAt(this.options.cost)).catch(() => false);
    }, options.signal);
    return false;
  }

  /**
   * True when `hash` is a bcrypt hash of another cost than the configured one, so a
   * successful login should store a fresh hash (see `CredentialStore.updatePasswordHash`).
   */
  needsRehash(hash: string): boolean {
    return typeof hash === 'string' && BCRYPT_HASH.test(hash) && bcrypt.getRounds(hash) !== this.options.cost;
  }

  /**
   * True when the password can be hashed and checked in full: at most 72 bytes in UTF-8,
   * or any length with prehash on. Over-long passwords fail fast whether or not the login
   * exists, so this leaks nothing.
   */
  accepts(plain: string): boolean {
    return this.options.prehash !== false || fitsBcrypt(plain);
  }

  private bcryptInput(plain: string): string {
    if (!this.options.prehash) return plain;
    // base64, not the raw digest: bcrypt stops at a NUL byte, which a raw digest may contain.
    return createHmac('sha256', this.options.prehash.pepper).update(plain, 'utf8').digest('base64');
  }

  /** A dummy hash of `cost`, made once per cost and process. */
  private dummyHashAt(cost: number): Promise<string> {
    let dummy = this.dummyHashes.get(cost);
    if (!dummy) {
      // Called inside a slot; a second caller meanwhile holds its slot waiting, not hashing.
      dummy = bcrypt.hash(randomBytes(32).toString('base64'), cost).catch((error: unknown) => {
        this.dummyHashes.delete(cost);
        throw error;
      });
      this.dummyHashes.set(cost, dummy);
    }
    return dummy;
  }

  private limited<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limit.run(
      async () => {
        const startedAt = this.now();
        try {
          return await operation();
        } finally {
          const elapsed = this.now() - startedAt;
          if (Number.isFinite(elapsed) && elapsed >= 0) this.averageMs = this.averageMs * 0.8 + elapsed * 0.2;
        }
      },
      () => this.queueFull(),
      signal,
    );
  }

  private queueFull(): GatehouseError {
    // Time for everything ahead of a new request to drain, in whole seconds, at least 1.
    const ahead = this.limit.active + this.limit.waiting;
    const seconds = Math.max(1, Math.ceil(((ahead / this.options.maxConcurrent) * this.averageMs) / 1000));
    return new GatehouseError('503.2', {
      headers: { 'Retry-After': String(seconds) },
      extensions: { retryAfter: seconds },
    });
  }
}
