/**
 * Lockout after repeated failed password checks (README, "Passwords and lockout").
 *
 * Failures count against the actor the store resolved (so every spelling the host's lookup
 * maps to one user shares one counter), and per normalised login for logins the store does
 * not know, so the lockout itself does not reveal which logins are real. The counter is read before any bcrypt
 * work, so a locked login costs the server one store read, not a hash.
 */
import { fail, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { normalizeLogin } from '../login';
import type { AttemptPolicy, AttemptState, AttemptStore } from '../store/types';
import { addressGroup } from './address-group';

/**
 * The `lockout` option of `gatehouse()`; `false` turns lockout off.
 *
 * @example
 * ```ts
 * gatehouse({ store, lockout: { maxAttempts: 10, window: 10 * 60_000, duration: 30 * 60_000, by: 'login+ip' } });
 * ```
 */
export interface LockoutOptions {
  /**
   * Failures within `window` that lock the login; a positive integer. Default `5`.
   * @example { maxAttempts: 10 }
   */
  maxAttempts?: number;
  /**
   * Milliseconds the failures are counted over, from the first one. Default `900_000` (15 minutes).
   * @example { window: 10 * 60_000 }
   */
  window?: number;
  /**
   * Milliseconds a login stays locked once `maxAttempts` is reached. Default `900_000` (15 minutes).
   * @example { duration: 60 * 60_000 }
   */
  duration?: number;
  /**
   * What a counter belongs to. `'login'` (default; SIERA and Apostrophe do this): one
   * counter per login, so guessing from many addresses still locks. `'login+ip'`: one per
   * login and client (`req.ip`, which honours `trust proxy`; an IPv6 client by its /64, an
   * IPv4-mapped one by its IPv4 address), so an attacker can lock a login only from the
   * clients it uses — at the price of letting a distributed guesser make `maxAttempts`
   * guesses per client, up to `accountMaxAttempts` in all.
   * @example { by: 'login+ip' }
   */
  by?: 'login' | 'login+ip';
  /**
   * With `by: 'login+ip'`, the ceiling per login whatever the clients: after this many
   * failures within `window`, from any mix of addresses, the login is locked for everyone
   * for `duration`. It bounds a guesser with many addresses, and lets one with few lock
   * nobody out. An integer of at least `maxAttempts`. Default five times `maxAttempts` (25).
   * Refused with `by: 'login'`, whose one counter is the ceiling.
   * @example { by: 'login+ip', maxAttempts: 5, accountMaxAttempts: 50 }
   */
  accountMaxAttempts?: number;
}

/** {@link LockoutOptions} after validation, every default filled in. */
export interface ResolvedLockoutOptions {
  /** {@link LockoutOptions.maxAttempts}, default filled in. */
  maxAttempts: number;
  /** {@link LockoutOptions.window}, default filled in (ms). */
  window: number;
  /** {@link LockoutOptions.duration}, default filled in (ms). */
  duration: number;
  /** {@link LockoutOptions.by}, default filled in. */
  by: 'login' | 'login+ip';
  /** Present with `by: 'login+ip'` only. */
  accountMaxAttempts?: number;
}

/** The default `accountMaxAttempts`, as a multiple of `maxAttempts`. */
const ACCOUNT_CEILING_FACTOR = 5;
/** The fields of {@link LockoutDependencies}; a compile error when they disagree. */
const DEPENDENCY_NAMES: OptionNames<LockoutDependencies> = { store: true, options: true, now: true };
const DEFAULTS: ResolvedLockoutOptions = { maxAttempts: 5, window: 15 * 60_000, duration: 15 * 60_000, by: 'login' };
/** The options of `lockout`; a compile error when it and {@link LockoutOptions} disagree. */
const OPTION_NAMES: OptionNames<LockoutOptions> = { maxAttempts: true, window: true, duration: true, by: true, accountMaxAttempts: true };
/** Longer than any sane lock, and well inside what `setTimeout`-free arithmetic and stores handle. */
const MAX_MS = 365 * 24 * 60 * 60_000;

/**
 * Validates the `lockout` option and fills in defaults; `false` stays `false` (lockout
 * off). Throws a `GatehouseConfigError` naming the option and the fix; `where` starts its message.
 *
 * @example
 * ```ts
 * resolveLockoutOptions({ maxAttempts: 3 }); // { maxAttempts: 3, window: 900000, duration: 900000, by: 'login' }
 * resolveLockoutOptions(false);              // false
 * ```
 */
export function resolveLockoutOptions(input: LockoutOptions | false | undefined = {}, where = 'gatehouse()'): ResolvedLockoutOptions | false {
  if (input === false) return false;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    fail('lockout', 'lockout must be an object such as { maxAttempts: 5 }, or false to turn lockout off.', { where });
  }
  knownOptions(input, OPTION_NAMES, 'lockout', { where });
  const maxAttempts = input.maxAttempts ?? DEFAULTS.maxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    fail('lockout.maxAttempts', `lockout.maxAttempts must be a positive integer; default ${DEFAULTS.maxAttempts}.`, { where });
  }
  const window = input.window ?? DEFAULTS.window;
  if (!Number.isInteger(window) || window < 1 || window > MAX_MS) {
    fail('lockout.window', 'lockout.window must be a whole number of milliseconds from 1 to a year; default 900000 (15 minutes).', { where });
  }
  const duration = input.duration ?? DEFAULTS.duration;
  if (!Number.isInteger(duration) || duration < 1 || duration > MAX_MS) {
    fail('lockout.duration', 'lockout.duration must be a whole number of milliseconds from 1 to a year; default 900000 (15 minutes).', { where });
  }
  const by = input.by ?? DEFAULTS.by;
  if (by !== 'login' && by !== 'login+ip') {
    fail('lockout.by', "lockout.by must be 'login' or 'login+ip'; default 'login'.", { where });
  }
  if (by === 'login') {
    if (input.accountMaxAttempts !== undefined) {
      fail('lockout.accountMaxAttempts', "lockout.accountMaxAttempts applies to by: 'login+ip' only; with by: 'login' the one counter per login is the ceiling.", {
        where,
        code: 'GATEHOUSE_CONFLICTING_OPTIONS',
      });
    }
    return { maxAttempts, window, duration, by };
  }
  const accountMaxAttempts = input.accountMaxAttempts ?? ACCOUNT_CEILING_FACTOR * maxAttempts;
  if (!Number.isInteger(accountMaxAttempts) || accountMaxAttempts < maxAttempts) {
    fail('lockout.accountMaxAttempts', `lockout.accountMaxAttempts must be an integer of at least maxAttempts (${maxAttempts}); default ${ACCOUNT_CEILING_FACTOR} × maxAttempts.`, { where });
  }
  return { maxAttempts, window, duration, by, accountMaxAttempts };
}

/** Dependencies and options of {@link Lockout}. */
export interface LockoutDependencies {
  /** Where counters live (the gatehouse store, or a shared Redis/PostgreSQL one). Not called when lockout is off. */
  store: AttemptStore;
  /** The `lockout` options, validated here; `false` makes every method a no-op. Default: all defaults. */
  options?: LockoutOptions | false;
  /** Milliseconds clock. Default `Date.now`. */
  now?: () => number;
}

const UNLOCKED: Readonly<AttemptState> = Object.freeze({ count: 0, lockedUntil: null });

/**
 * Failed-attempt counting and the 403.2 lock.
 *
 * The failure that reaches `maxAttempts` is still answered 401.2: that request was judged
 * on its own password, like every other wrong one, and only later requests meet the lock
 * (403.2). So every wrong password gets the same answer, and a client sees 403.2 only when
 * it tries again while locked.
 *
 * @example
 * ```ts
 * const lockout = new Lockout({ store, options: { maxAttempts: 5 } });
 * const key = lockout.keyFor(login, req.ip);
 * await lockout.reserve(key);           // counts this attempt before the password is checked; throws 403.2 while locked
 * await lockout.recordSuccess(key);     // after a right password; resolves to the failures it cleared
 * ```
 */
export class Lockout {
  /** The validated options in use, or `false` when lockout is off. */
  readonly options: Readonly<ResolvedLockoutOptions> | false;
  private readonly store: AttemptStore;
  private readonly now: () => number;
  private readonly policy: AttemptPolicy | null;
  /** The per-login ceiling of `by: 'login+ip'`; `null` otherwise. */
  private readonly accountPolicy: AttemptPolicy | null;

  constructor(dependencies: LockoutDependencies) {
    if (dependencies && typeof dependencies === 'object') knownOptions(dependencies, DEPENDENCY_NAMES, '', { where: 'Lockout' });
    const resolved = resolveLockoutOptions(dependencies?.options, 'Lockout');
    if (resolved !== false && !dependencies.store) {
      fail('store', 'pass { store } implementing readAttempts, recordFailedAttempt and clearAttempts.', { where: 'Lockout', code: 'GATEHOUSE_MISSING_OPTION' });
    }
    this.options = resolved === false ? false : Object.freeze(resolved);
    this.store = dependencies.store;
    this.now = dependencies.now ?? Date.now;
    this.policy = resolved === false ? null : { maxAttempts: resolved.maxAttempts, windowMs: resolved.window, lockMs: resolved.duration };
    this.accountPolicy =
      resolved === false || resolved.accountMaxAttempts === undefined ? null : { maxAttempts: resolved.accountMaxAttempts, windowMs: resolved.window, lockMs: resolved.duration };
  }

  /** False when constructed with `options: false`. */
  get enabled(): boolean {
    return this.policy !== null;
  }

  /**
   * The counter key for a login (normalised here too) and, with `by: 'login+ip'`, the
   * client. With `by: 'login'` the key is the normalised login itself. With
   * `'login+ip'` it is `ip:<client>:login:<login>`, the client as `addressGroup` writes it
   * (an IPv6 address by its /64, `2001:db8:0:7::/64`); an address that is not an IP
   * literal is percent-encoded, so `:login:` first appears as the separator.
   */
  keyFor(login: string, clientIp?: string): string {
    const normalised = normalizeLogin(login);
    if (this.options === false || this.options.by === 'login') return normalised;
    return `${this.addressPrefix(clientIp)}login:${normalised}`;
  }

  private addressPrefix(clientIp: string | undefined): string {
    return `ip:${addressGroup(clientIp)}:`;
  }

  /**
   * The key of the per-login ceiling (`accountMaxAttempts`) that goes with a `by: 'login+ip'`
   * key: the key `by: 'login'` would use. `null` when there is no ceiling.
   */
  accountKeyFor(login: string): string | null {
    return this.accountPolicy ? normalizeLogin(login) : null;
  }

  /** {@link accountKeyFor} for an actor the store resolved: `actor:<id>`, or `null`. */
  accountKeyForActor(actorId: string): string | null {
    return this.accountPolicy ? `actor:${encodeURIComponent(actorId)}` : null;
  }

  /**
   * The counter key for an actor the store resolved, whatever login spelling found it:
   * `actor:<id>`, or `ip:<address>:actor:<id>` with `by: 'login+ip'`. The id is
   * percent-encoded, so an id holding `:` cannot imitate another key's shape.
   */
  keyForActor(actorId: string, clientIp?: string): string {
    const actor = `actor:${encodeURIComponent(actorId)}`;
    if (this.options === false || this.options.by === 'login') return actor;
    return `${this.addressPrefix(clientIp)}${actor}`;
  }

  /**
   * Resolves to the counter when the key is not locked; rejects with GatehouseError 403.2
   * (`lockoutTimeRemaining`: whole seconds, rounded up, also sent as `Retry-After`;
   * `maxRetriesExceeded: true`) when it is, or when `accountKey` (the ceiling's, from
   * {@link accountKeyFor}) is. Store rejections propagate unchanged.
   */
  async check(key: string, accountKey: string | null = null): Promise<AttemptState> {
    if (!this.policy) return { ...UNLOCKED };
    const now = this.now();
    const [state, account] = await Promise.all([this.store.readAttempts(key, now), accountKey !== null && this.accountPolicy ? this.store.readAttempts(accountKey, now) : null]);
    const lockedUntil = Math.max(state.lockedUntil ?? 0, account?.lockedUntil ?? 0);
    if (lockedUntil > now) throw lockedError(lockedUntil, now);
    return state;
  }

  /**
   * Counts an attempt as a failure BEFORE its password is checked, atomically, and rejects
   * with 403.2 when it goes past `maxAttempts`. Reading the counter and counting only after
   * bcrypt would let a burst of concurrent guesses all pass the read before any is counted;
   * reserving first means at most `maxAttempts` checks run per window, on every instance
   * sharing the store. A correct password then clears the counter (`recordSuccess`).
   * With `accountKey`, the attempt is counted against the ceiling too, and either going
   * past its limit refuses it.
   */
  async reserve(key: string, accountKey: string | null = null): Promise<AttemptState> {
    if (!this.policy) return { ...UNLOCKED };
    const now = this.now();
    const accountPolicy = accountKey !== null ? this.accountPolicy : null;
    const [state, account] = await Promise.all([
      this.store.recordFailedAttempt(key, this.policy, now),
      accountPolicy ? this.store.recordFailedAttempt(accountKey!, accountPolicy, now) : null,
    ]);
    const lockedUntil = Math.max(overLimit(state, this.policy, now), account && accountPolicy ? overLimit(account, accountPolicy, now) : 0);
    if (lockedUntil > 0) throw lockedError(lockedUntil, now);
    return state;
  }

  /**
   * Unlocks a login (`auth.lockout.clear`): clears every counter it may have — the actor's (and,
   * with `by: 'login+ip'`, each client's, through the store's optional `clearAttemptsOf`), and the
   * counters of the login as typed when the store did not know it. Resolves to the failures cleared.
   */
  async clear(login: string, actorId: string | null): Promise<number> {
    if (!this.policy) return 0;
    const normalised = normalizeLogin(login);
    // Subjects whose per-client counters are `ip:<client>:<subject>`; their bare keys are the
    // 'login' mode keys and the 'login+ip' ceilings.
    const subjects = [...(actorId === null ? [] : [`actor:${encodeURIComponent(actorId)}`]), normalised, `login:${normalised}`];
    const clearOf = this.store.clearAttemptsOf?.bind(this.store);
    let cleared = 0;
    for (const subject of subjects) cleared += clearOf ? await clearOf(subject) : await this.store.clearAttempts(subject);
    return cleared;
  }

  /** Clears the counter (and the ceiling's, given `accountKey`) after a correct password; resolves to the failures `key` held. */
  async recordSuccess(key: string, accountKey: string | null = null): Promise<number> {
    if (!this.policy) return 0;
    const [count] = await Promise.all([this.store.clearAttempts(key), accountKey !== null && this.accountPolicy ? this.store.clearAttempts(accountKey) : 0]);
    return count;
  }
}

/** When a counter past its limit is locked until, or 0 when it is not. */
function overLimit(state: AttemptState, policy: AttemptPolicy, now: number): number {
  return state.count > policy.maxAttempts && state.lockedUntil !== null && state.lockedUntil > now ? state.lockedUntil : 0;
}

function lockedError(lockedUntil: number, now: number): GatehouseError {
  const lockoutTimeRemaining = Math.ceil((lockedUntil - now) / 1000);
  return new GatehouseError('403.2', {
    extensions: { lockoutTimeRemaining, maxRetriesExceeded: true },
    // RFC 9110 §10.2.3: tells any HTTP client (not only those reading the body) when to retry.
    headers: { 'Retry-After': String(lockoutTimeRemaining) },
  });
}
