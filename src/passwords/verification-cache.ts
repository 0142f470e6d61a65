/**
 * Remembers successful password checks for a short time (README, "Basic (HTTPS only)").
 *
 * Basic clients (Excel, Power BI, scripts) send the password with every request; without
 * this cache each request would cost a bcrypt check. Apache's mod_authn_socache and
 * CouchDB's auth cache do the same. What is kept is a keyed digest — SHA-256 under a
 * secret that exists only in this process's memory — of the login, the password and the
 * stored hash it was checked against; never the password, the login or the hash. A hit
 * therefore means bcrypt said yes for exactly this password against exactly this stored
 * hash, so a password change misses on the next request. Failures are never cached:
 * every wrong guess pays for bcrypt.
 */
import { randomBytes } from 'node:crypto';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { sha256 } from '../sha256';

/**
 * The `basic.cache` option; `false` turns the cache off.
 *
 * @example
 * ```ts
 * gatehouse({ store, basic: { cache: { ttl: 30_000, maxEntries: 50_000 } } });
 * ```
 */
export interface VerificationCacheOptions {
  /**
   * Milliseconds a successful check is remembered; a positive integer. Default `60_000`.
   * A password change is noticed at once regardless; this bounds how long a check made
   * before a lockout or an account being disabled elsewhere keeps being reused.
   * @example { ttl: 30_000 }
   */
  ttl?: number;
  /**
   * Entries kept at most; the least recently used goes first. A positive integer.
   * Default `10_000` (about 2 MB).
   * @example { maxEntries: 1_000 }
   */
  maxEntries?: number;
}

/** {@link VerificationCacheOptions} after validation, every default filled in. */
export interface ResolvedVerificationCacheOptions {
  /** {@link VerificationCacheOptions.ttl}, default filled in (ms). */
  ttl: number;
  /** {@link VerificationCacheOptions.maxEntries}, default filled in. */
  maxEntries: number;
}

/** Options of {@link VerificationCache}: the cache options plus an injectable clock. */
export interface VerificationCacheDependencies extends VerificationCacheOptions {
  /** Milliseconds clock. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  expiresAt: number;
}

const DEFAULTS: ResolvedVerificationCacheOptions = { ttl: 60_000, maxEntries: 10_000 };
/** The options of the cache (`basic.cache`); a compile error when it and {@link VerificationCacheOptions} disagree. */
const OPTION_NAMES: OptionNames<VerificationCacheOptions> = { ttl: true, maxEntries: true };
const DEPENDENCY_NAMES: OptionNames<VerificationCacheDependencies> = { ...OPTION_NAMES, now: true };
const MAX_TTL_MS = 24 * 60 * 60_000;

/**
 * Validates the cache option and fills in defaults; `false` stays `false` (cache off).
 * Throws a `GatehouseConfigError` naming the option (`optionName`) and the fix; `where` starts its message.
 *
 * @example
 * ```ts
 * resolveVerificationCacheOptions({ ttl: 30_000 }); // { ttl: 30000, maxEntries: 10000 }
 * resolveVerificationCacheOptions(false);           // false
 * ```
 */
export function resolveVerificationCacheOptions(
  input: VerificationCacheOptions | false | undefined = {},
  optionName = 'basic.cache',
  where = 'gatehouse()',
): ResolvedVerificationCacheOptions | false {
  if (input === false) return false;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    fail(optionName, `${optionName} must be an object such as { ttl: 60000 }, or false to turn the cache off.`, { where });
  }
  knownOptions(input, OPTION_NAMES, optionName, { where });
  const ttl = input.ttl ?? DEFAULTS.ttl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_MS) {
    fail(`${optionName}.ttl`, `${optionName}.ttl must be a whole number of milliseconds from 1 to a day; default 60000.`, { where });
  }
  const maxEntries = input.maxEntries ?? DEFAULTS.maxEntries;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    fail(`${optionName}.maxEntries`, `${optionName}.maxEntries must be a positive integer; default 10000.`, { where });
  }
  return { ttl, maxEntries };
}

/**
 * An in-process, size-bounded, expiring record of successful password checks.
 * Pass logins already normalised (`normalizeLogin`), as `PasswordCheck` does.
 *
 * @example
 * ```ts
 * const cache = new VerificationCache({ ttl: 60_000 });
 * if (!cache.get(login, password, record.passwordHash)) {
 *   if (await hasher.verify(password, record.passwordHash)) cache.set(login, password, record.passwordHash);
 * }
 * ```
 */
export class VerificationCache {
  /** The validated options in use. */
  readonly options: Readonly<ResolvedVerificationCacheOptions>;
  private readonly now: () => number;
  /**
   * Made per instance and never leaves memory, so cache keys are useless anywhere else. The
   * digest is SHA-256 over this secret and the input, one call with no hash object made: a
   * cache hit costs a few microseconds and leaves nothing for the garbage collector but a
   * string (`npm run bench:instructions`: an HMAC object cost as much as the rest of the
   * hit). Length extension, the reason HMAC exists, needs a digest an attacker has seen; these
   * digests are map keys that never leave the process.
   */
  private readonly keySecret = `${randomBytes(32).toString('base64')}:`;
  /** A Map iterates in insertion order; re-inserting on a hit keeps the oldest use first (LRU). */
  private readonly entries = new Map<string, Entry>();
  /** Checks running now, by cache key and stored hash; never holds a result after it settles. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(dependencies: VerificationCacheDependencies = {}) {
    if (dependencies && typeof dependencies === 'object') knownOptions(dependencies, DEPENDENCY_NAMES, 'basic.cache', { where: 'VerificationCache' });
    const { now, ...options } = dependencies ?? {};
    const resolved = resolveVerificationCacheOptions(options, 'basic.cache', 'VerificationCache');
    if (resolved === false) fail('basic.cache', 'options may not be false; leave the cache out instead.', { where: 'VerificationCache' });
    this.options = Object.freeze(resolved);
    this.now = now ?? Date.now;
  }

  /** Entries held now (expired ones included until they are next looked at or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * True when this login and password were checked successfully within `ttl` against
   * exactly `currentPasswordHash`. An expired entry is dropped and reported as a miss; an
   * entry for another stored hash is never found (the hash is part of the key), and is
   * pushed out by newer ones or dropped when it is next looked up expired.
   */
  get(login: string, password: string, currentPasswordHash: string): boolean {
    const key = this.keyOf(login, password, currentPasswordHash);
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return false;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return true;
  }

  /** Remembers a successful check of this login and password against `passwordHash`. Call it only after bcrypt said yes. */
  set(login: string, password: string, passwordHash: string): void {
    const key = this.keyOf(login, password, passwordHash);
    this.entries.delete(key);
    this.entries.set(key, { expiresAt: this.now() + this.options.ttl });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /**
   * Runs `verify` once for concurrent checks of the same login, password and stored hash:
   * a client that opens many connections at once (Excel, Power BI) costs one bcrypt run,
   * not one per connection. Every caller gets that run's answer; a success is cached.
   */
  verifyOnce(login: string, password: string, passwordHash: string, verify: () => Promise<boolean>): Promise<boolean> {
    const key = this.keyOf(login, password, passwordHash);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const run = verify()
      .then((verified) => {
        if (verified) this.set(login, password, passwordHash);
        return verified;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, run);
    return run;
  }

  /** Forgets everything (e.g. after a mass password reset). */
  clear(): void {
    this.entries.clear();
  }

  private keyOf(login: string, password: string, passwordHash: string): string {
    // Length-prefixed, so ('a:b', 'c') and ('a', 'b:c') can never share a key; the stored
    // hash is what is left after them.
    return sha256(`${this.keySecret}${login.length}:${password.length}:${login}:${password}:${passwordHash}`, 'base64');
  }
}
