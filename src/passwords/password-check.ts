/**
 * One login-and-password check, shared by `POST /sessions`, `POST /jwt/authenticate` and
 * Basic, so all three lock, time and answer alike (README, "Passwords and lockout").
 */
import type { Actor } from '../actor';
import { aboutActor, GatehouseError, isGatehouseError } from '../errors';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { normalizeLogin } from '../login';
import type { CredentialRecord, CredentialStore } from '../store/types';
import type { PasswordHasher } from './hasher';
import type { Lockout } from './lockout';
import type { VerificationCache } from './verification-cache';

/** Dependencies of {@link PasswordCheck}. */
export interface PasswordCheckDependencies {
  /**
   * Where `findCredentials` looks logins up (failed-attempt counters go through `lockout`),
   * and, when the store has it, `updatePasswordHash` upgrades hashes of another cost.
   */
  store: Pick<CredentialStore, 'findCredentials' | 'updatePasswordHash'>;
  /** bcrypt with the configured cost and concurrency. */
  hasher: PasswordHasher;
  /** Failed-attempt lockout; `false` (or a `Lockout` built with `options: false`) turns it off. */
  lockout: Lockout | false;
  /** Remembers successful checks; consulted only when `check` is called with `useCache: true`. Default: none. */
  cache?: VerificationCache;
  /** Milliseconds clock for `passwordExpiresAt`. Default `Date.now`. */
  now?: () => number;
  /**
   * The actor's second factors, asked after a right password only (so a wrong password takes
   * the same time, enrolled or not). When it names any, the failed-attempt counter is not
   * cleared (the password's own reservation stays) until the second step passes, so right
   * passwords cannot reset the count of wrong codes. Default: none.
   */
  secondFactors?: {
    /** The kinds of the actor's confirmed second factors; `[]` when it has none. */
    enrolledKinds(actorId: string): Promise<readonly string[]>;
  };
}

/** What {@link PasswordCheck.check} takes. */
export interface PasswordCheckInput {
  /** The login as typed; normalised here. */
  login: string;
  /** The password as typed, checked against the stored bcrypt hash. */
  password: string;
  /** `req.ip`; used for the lockout key with `lockout.by: 'login+ip'`. */
  clientIp?: string;
  /** Consult and fill the verification cache (Basic, which sends the password every request). Default `false`. */
  useCache?: boolean;
  /**
   * Aborts when the client has gone away (see `clientGoneSignal`). A check still waiting for
   * bcrypt is then dropped: no bcrypt runs and nothing is counted; `check` rejects with the
   * signal's reason. Read only once bcrypt may run (never on a verification-cache hit),
   * so it may be a getter that creates the signal then. Default: none.
   */
  signal?: AbortSignal;
  /**
   * Whether a right password of an actor with a second factor is only the first step (the
   * default): the result names the factors and the counter is left as it is. `false` for a
   * password asked again from someone already signed in (changing the second factor), which
   * completes the check. Default `true`.
   */
  askSecondFactor?: boolean;
}

/** What a successful {@link PasswordCheck.check} resolves to. */
export interface PasswordCheckResult {
  /** The actor `findCredentials` returned for the login. */
  actor: Actor;
  /** Failures counted since the last success (cleared now, unless a second factor is still to come); `0` when lockout is off. */
  previousAccessFailedCount: number;
  /** The kinds of second factor the actor must still pass (`['totp']`); `[]` when the login is complete. */
  secondFactors: readonly string[];
}

/** The fields of {@link PasswordCheckDependencies}; a compile error when they disagree. */
const DEPENDENCY_NAMES: OptionNames<PasswordCheckDependencies> = { store: true, hasher: true, lockout: true, cache: true, now: true, secondFactors: true };

/**
 * Checks a login and password: lockout, then the store, then bcrypt, then expiry.
 *
 * - Each bcrypt check is counted as a failure in its bcrypt slot, just before bcrypt runs
 *   (an atomic reservation), and the counter is cleared when the password is right, so
 *   concurrent guesses cannot run more checks than `lockout.maxAttempts` allows, while a
 *   check refused 503.2 or dropped (client gone) never counts.
 * - Failures count against the actor `findCredentials` resolved (`actor:<id>`), whatever
 *   spelling found it; logins the store does not know count per normalised login.
 * - A locked login is refused with 403.2 after the lookup and before any hash.
 * - An unknown login, or an actor without a password, is checked against a dummy hash of
 *   the same cost, and every wrong answer is the same 401.2 (and counts as a failure,
 *   existing login or not), so neither the answer nor its timing tells logins apart.
 * - 403.3 (password expired) is only ever given after a correct password.
 * - Store rejections and 503.2 (bcrypt queue full) propagate unchanged; the caller
 *   answers 503.1 for the store.
 * - With `useCache`, the cache is consulted after the lockout check and after
 *   `findCredentials`, so a password change or a removed user is noticed at once.
 *
 * @example
 * ```ts
 * const check = new PasswordCheck({ store, hasher: new PasswordHasher(), lockout: new Lockout({ store }) });
 * const { actor, previousAccessFailedCount } = await check.check({ login: 'alice@example.org', password, clientIp: req.ip });
 * ```
 */
export class PasswordCheck {
  private readonly store: Pick<CredentialStore, 'findCredentials' | 'updatePasswordHash'>;
  private readonly hasher: PasswordHasher;
  private readonly lockout: Lockout | false;
  private readonly cache: VerificationCache | undefined;
  private readonly now: () => number;
  private readonly secondFactors: PasswordCheckDependencies['secondFactors'] | undefined;
  /** Hash upgrades running now, by actor id; never holds one after it settles. */
  private readonly upgrading = new Map<string, Promise<void>>();

  constructor(dependencies: PasswordCheckDependencies) {
    if (dependencies && typeof dependencies === 'object') knownOptions(dependencies, DEPENDENCY_NAMES, '', { where: 'PasswordCheck' });
    if (!dependencies?.store || typeof dependencies.store.findCredentials !== 'function') {
      fail('store', 'pass { store } implementing findCredentials.', { where: 'PasswordCheck', code: 'GATEHOUSE_MISSING_OPTION' });
    }
    if (!dependencies.hasher) fail('hasher', 'pass { hasher: new PasswordHasher(…) }.', { where: 'PasswordCheck', code: 'GATEHOUSE_MISSING_OPTION' });
    if (dependencies.lockout === undefined) {
      fail('lockout', 'pass { lockout: new Lockout(…) }, or lockout: false to turn lockout off.', { where: 'PasswordCheck', code: 'GATEHOUSE_MISSING_OPTION' });
    }
    this.store = dependencies.store;
    this.hasher = dependencies.hasher;
    this.lockout = dependencies.lockout && dependencies.lockout.enabled ? dependencies.lockout : false;
    this.cache = dependencies.cache;
    this.now = dependencies.now ?? Date.now;
    this.secondFactors = dependencies.secondFactors;
  }

  /**
   * Resolves to the actor when the password is right; rejects with GatehouseError 401.2
   * (wrong password, unknown login, empty login or password), 403.2 (locked), 403.3
   * (right password, expired), 503.2 (bcrypt queue full), or the store's own error.
   */
  async check(input: PasswordCheckInput): Promise<PasswordCheckResult> {
    const { password, useCache = false } = input;
    const login = typeof input.login === 'string' ? normalizeLogin(input.login) : '';
    // Nothing to count or check; callers reject these earlier (400.1, or 401.2 for Basic).
    if (login === '' || typeof password !== 'string' || password === '') throw new GatehouseError('401.2');

    // The lookup comes first: failures count against the actor the store resolved, so a
    // host whose lookup folds case, accents or width (`bób` finds bob) cannot give each
    // spelling its own counter. Unknown logins count per login. Either way the same calls
    // follow — one counter read, one reservation, one bcrypt check — so they take one time.
    const record = await this.store.findCredentials(login);
    try {
      return await this.checkFound(record, login, password, useCache, input);
    } catch (error) {
      // A locked login and an expired password are about a known actor: `responses.error` is told which.
      if (record && isGatehouseError(error) && (error.code === '403.2' || error.code === '403.3')) throw aboutActor(error, record.actor);
      throw error;
    }
  }

  private async checkFound(
    record: CredentialRecord | null,
    login: string,
    password: string,
    useCache: boolean,
    input: PasswordCheckInput,
  ): Promise<PasswordCheckResult> {
    const lockout = this.lockout;
    // The address is read only when the key needs it (`clientIp` may be a getter over `req.ip`).
    const clientIp = lockout && lockout.options !== false && lockout.options.by === 'login+ip' ? input.clientIp : undefined;
    const lockoutKey = !lockout ? '' : record ? lockout.keyForActor(record.actor.id, clientIp) : lockout.keyFor(login, clientIp);
    // With 'login+ip', the per-login ceiling: many clients together lock the login too.
    const accountKey = !lockout ? null : record ? lockout.accountKeyForActor(record.actor.id) : lockout.accountKeyFor(login);
    // Still before any hash: a locked login costs a lookup and a read, never bcrypt.
    const attempts = lockout ? await lockout.check(lockoutKey, accountKey) : null;

    const passwordHash = record?.passwordHash ?? null;
    const cache = useCache ? this.cache : undefined;
    if (record && passwordHash !== null && cache?.get(login, password, passwordHash)) {
      const pending = await this.pendingFactors(record, input);
      if (pending.length > 0) return this.succeed(record, attempts?.count ?? 0, pending);
      // No bcrypt runs on a hit, so nothing is reserved; clear only what earlier failures left.
      const previous = lockout && attempts && attempts.count > 0 ? await lockout.recordSuccess(lockoutKey, accountKey) : 0;
      return this.succeed(record, previous, pending);
    }

    const signal = input.signal;
    // Counted inside the bcrypt slot, just before bcrypt runs: a burst of concurrent guesses
    // cannot outrun the lock, and a check refused 503.2 (queue full) or dropped because the
    // client left never counts — only a password bcrypt actually checked does.
    const options = { signal, beforeRun: lockout ? () => lockout.reserve(lockoutKey, accountKey) : undefined };
    let verified: boolean;
    if (record && passwordHash !== null) {
      const verify = () => this.hasher.verify(password, passwordHash, options);
      verified = cache ? await this.verifyShared(cache, login, password, passwordHash, verify, signal) : await verify();
    } else {
      verified = await this.hasher.verifyDummy(password, options);
    }
    if (!record || !verified) throw new GatehouseError('401.2');

    // Asked only now: before a right password nothing differs between actors with and without a second factor.
    const pending = await this.pendingFactors(record, input);
    // With a second factor still to come, this attempt's reservation stays until it passes.
    // The cleared count includes this attempt's own reservation.
    const previous = pending.length > 0 ? (attempts?.count ?? 0) : lockout ? Math.max(0, (await lockout.recordSuccess(lockoutKey, accountKey)) - 1) : 0;
    const result = this.succeed(record, previous, pending);
    if (passwordHash !== null && this.hasher.needsRehash(passwordHash)) await this.upgradeHash(record, login, password, passwordHash, cache);
    return result;
  }

  /**
   * Stores a hash at the configured cost in place of one of another cost, when the store
   * can (`updatePasswordHash`, a compare-and-set on the old hash). Best effort: a full
   * queue or a failing store leaves the old hash, to be upgraded at a later login, and
   * never fails a login that has succeeded.
   */
  private async upgradeHash(
    record: CredentialRecord,
    login: string,
    password: string,
    passwordHash: string,
    cache: VerificationCache | undefined,
  ): Promise<void> {
    const updatePasswordHash = this.store.updatePasswordHash;
    if (typeof updatePasswordHash !== 'function') return;
    // Concurrent logins of one actor (a Basic client opening many connections) share one
    // rehash: each would cost a bcrypt hash, and only one compare-and-set could win anyway.
    const actorId = record.actor.id;
    const inFlight = this.upgrading.get(actorId);
    if (inFlight) return inFlight;
    const upgrade = (async () => {
      try {
        const upgraded = await this.hasher.hash(password);
        if (await updatePasswordHash.call(this.store, actorId, passwordHash, upgraded)) cache?.set(login, password, upgraded);
      } catch {
        // The old hash stays and still verifies; the next successful login tries again.
      } finally {
        this.upgrading.delete(actorId);
      }
    })();
    this.upgrading.set(actorId, upgrade);
    return upgrade;
  }

  /**
   * One bcrypt run for concurrent identical checks (the cache's `verifyOnce`). When the run
   * was dropped because ITS client left, a caller whose client is still there checks alone.
   */
  private async verifyShared(
    cache: VerificationCache,
    login: string,
    password: string,
    passwordHash: string,
    verify: () => Promise<boolean>,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    try {
      return await cache.verifyOnce(login, password, passwordHash, verify);
    } catch (error) {
      if (isGatehouseError(error) || signal?.aborted) throw error;
      return verify();
    }
  }

  private succeed(record: CredentialRecord, previousAccessFailedCount: number, secondFactors: readonly string[]): PasswordCheckResult {
    if (isPast(record.passwordExpiresAt, this.now())) throw new GatehouseError('403.3');
    return { actor: record.actor, previousAccessFailedCount, secondFactors };
  }

  /** The second factors a right password still has to be followed by. */
  private async pendingFactors(record: CredentialRecord, input: PasswordCheckInput): Promise<readonly string[]> {
    if (!this.secondFactors || input.askSecondFactor === false) return NONE;
    const kinds = await this.secondFactors.enrolledKinds(record.actor.id);
    return kinds.length === 0 ? NONE : kinds;
  }
}

const NONE: readonly string[] = Object.freeze([]);

function isPast(moment: Date | number | null | undefined, now: number): boolean {
  if (moment === null || moment === undefined) return false;
  const at = moment instanceof Date ? moment.getTime() : moment;
  // Written so an invalid date (NaN) counts as past: a corrupt expiry fails closed.
  return !(at > now);
}
