/**
 * Remembers successful password checks for a short time (README, "Basic (HTTPS only)").
 *
 * Basic clients (Excel, Power BI, scripts) send the password with every request; without
 * this cache each request would cost a bcrypt check. Apache's mod_authn_socache and
 * CouchDB's auth cache do the same. What is kept is an HMAC, under a key that exists
 * only in this process's memory, of the login and password — never the password — bound
 * to a digest of the stored hash it was checked against, so a password change misses
 * on the next request. Failures are never cached: every wrong guess pays for bcrypt.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Bytes } from '../sha256';

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
  ttl: number;
  maxEntries: number;
}

/** Options of {@link VerificationCache}: the cache options plus an injectable clock. */
export interface VerificationCacheDependencies extends VerificationCacheOptions {
  /** Milliseconds clock. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  /** SHA-256 of the stored password hash the password was checked against. */
  boundHashDigest: Buffer;
  expiresAt: number;
}

const DEFAULTS: ResolvedVerificationCacheOptions = { ttl: 60_000, maxEntries: 10_000 };
const OPTION_NAMES = new Set(Object.keys(DEFAULTS));
const MAX_TTL_MS = 24 * 60 * 60_000;

/**
 * Validates the cache option and fills in defaults; `false` stays `false` (cache off).
 * Throws a `TypeError` naming the option and the fix.
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
): ResolvedVerificationCacheOptions | false {
  if (input === false) return false;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${optionName} must be an object such as { ttl: 60000 }, or false to turn the cache off.`);
  }
  for (const name of Object.keys(input)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`${optionName}.${name} is not an option; the options are ttl and maxEntries.`);
  }
  const ttl = input.ttl ?? DEFAULTS.ttl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_MS) {
    throw new TypeError(`${optionName}.ttl must be a whole number of milliseconds from 1 to a day; default 60000.`);
  }
  const maxEntries = input.maxEntries ?? DEFAULTS.maxEntries;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError(`${optionName}.maxEntries must be a positive integer; default 10000.`);
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
  /** Made per instance and never leaves memory, so cache keys are useless anywhere else. */
  private readonly hmacKey = randomBytes(32);
  /** A Map iterates in insertion order; re-inserting on a hit keeps the oldest use first (LRU). */
  private readonly entries = new Map<string, Entry>();
  /** Checks running now, by cache key and stored hash; never holds a result after it settles. */
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(dependencies: VerificationCacheDependencies = {}) {
    const { now, ...options } = dependencies ?? {};
    const resolved = resolveVerificationCacheOptions(options, 'VerificationCache');
    if (resolved === false) throw new TypeError('VerificationCache: options may not be false; leave the cache out instead.');
    this.options = Object.freeze(resolved);
    this.now = now ?? Date.now;
  }

  /** Entries held now (expired ones included until they are next looked at or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * True when this login and password were checked successfully within `ttl` against
   * exactly `currentPasswordHash`. A stale entry (expired, or bound to another hash) is
   * dropped and reported as a miss.
   */
  get(login: string, password: string, currentPasswordHash: string): boolean {
    const key = this.keyOf(login, password);
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt <= this.now() || !timingSafeEqual(entry.boundHashDigest, digestOf(currentPasswordHash))) {
      this.entries.delete(key);
      return false;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return true;
  }

  /** Remembers a successful check of this login and password against `passwordHash`. Call it only after bcrypt said yes. */
  set(login: string, password: string, passwordHash: string): void {
    const key = this.keyOf(login, password);
    this.entries.delete(key);
    this.entries.set(key, { boundHashDigest: digestOf(passwordHash), expiresAt: this.now() + this.options.ttl });
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
    const key = `${this.keyOf(login, password)}:${digestOf(passwordHash).toString('base64')}`;
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

  private keyOf(login: string, password: string): string {
    // Length-prefixed, so ('a:b', 'c') and ('a', 'b:c') can never share a key. One string,
    // one update: a cache hit costs the HMAC of a few dozen bytes, not four calls into
    // native code and three buffers (issue 20's instruction counts).
    return createHmac('sha256', this.hmacKey).update(`${login.length}:${password.length}:${login}:${password}`, 'utf8').digest('base64');
  }
}

function digestOf(passwordHash: string): Buffer {
  return sha256Bytes(passwordHash);
}
