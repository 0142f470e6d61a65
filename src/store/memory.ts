/**
 * The embedded store: everything in process memory. Right for one process, demos and
 * tests; apps on more than one machine use `express-gatehouse/redis` or `express-gatehouse/postgres`.
 */
import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Actor } from '../actor';
import { normalizeLogin } from '../login';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { afterFailedAttempt, attemptCounterOver, attemptState, idOnReplace, isCounterOf, revocationReplaces, type AttemptCounter } from './rules';
import { ANSWERS_IN_PROCESS } from './guard';
import { copyData } from './copy-data';
import { assertFitsBcrypt } from '../bcrypt-limits';
import { consumeCounters, counterWindowsAt, countersOfRecord, limitsOfData, readCounterStates, recordIsCounted, type CounterCells, type CounterState, type LimitCounter, type LimitOutcome, type MonthWindow, type TokenLimitPlan } from '../rate-limits/policy';
import type {
  AttemptPolicy,
  AttemptState,
  CountedToken,
  CredentialRecord,
  GatehouseStore,
  SecondFactorRecord,
  SecondFactorStore,
  IdentityLink,
  ProviderSessionLink,
  TokenRecord,
} from './types';

/** What `MemoryStore.addUser` takes. */
export interface NewUser {
  /** Login (e-mail or user name); normalised (trimmed, lower-cased) before it is stored. */
  login: string;
  /** Plain password, hashed with bcrypt here. Omit for app users, who log in by token only. */
  password?: string;
  /** An existing bcrypt hash, instead of `password`. */
  passwordHash?: string;
  /** Default `[]`. */
  roles?: string[];
  /** Default `'user'`. */
  kind?: Actor['kind'];
  /** Default: the login. */
  displayName?: string;
  /** After this moment a correct password answers 403.3. Default: never. */
  passwordExpiresAt?: Date | number | null;
  /** Default: a random UUID. */
  id?: string;
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * bcrypt cost for `addUser` passwords. Default `12`; at least `10`.
   * @example new MemoryStore({ passwordCost: 10 }) // faster demos and tests
   */
  passwordCost?: number;
}

/** The options of {@link MemoryStore}; a compile error when it and {@link MemoryStoreOptions} disagree. */
const OPTION_NAMES: OptionNames<MemoryStoreOptions> = { passwordCost: true };
/** The fields of {@link NewUser}; a compile error when they disagree. */
const NEW_USER_NAMES: OptionNames<NewUser> = {
  login: true,
  password: true,
  passwordHash: true,
  roles: true,
  kind: true,
  displayName: true,
  passwordExpiresAt: true,
  id: true,
};

interface StoredUser {
  actor: Actor;
  login: string;
  passwordHash: string | null;
  passwordExpiresAt: Date | number | null;
}


/**
 * Implements the whole store interface in memory, plus user management for demos and tests.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * const alice = await store.addUser({ login: 'alice@example.org', password: 'correct horse battery', roles: ['admin'] });
 * ```
 */
export class MemoryStore implements GatehouseStore, SecondFactorStore {
  private readonly passwordCost: number;
  private readonly usersById = new Map<string, StoredUser>();
  private readonly userIdsByLogin = new Map<string, string>();
  private readonly tokens = new Map<string, TokenRecord>();
  /** Token hashes per actor, so `deleteTokensForActor` does not scan every token. */
  private readonly tokenHashesByActor = new Map<string, Set<string>>();
  private readonly tokenHashesByFamily = new Map<string, Set<string>>();
  /** Token hash by credential id, for `findTokenById`. */
  private readonly tokenHashesById = new Map<string, string>();
  private readonly revocations = new Map<string, { revokedAt: number; expiresAt: number }>();
  private readonly attempts = new Map<string, AttemptCounter>();
  /** Second factors by actor id, then by factor id. */
  private readonly secondFactors = new Map<string, Map<string, SecondFactorRecord>>();
  private readonly recoveryCodes = new Map<string, Set<string>>();
  /** The used-code window: `actorId \n key` → until when. */
  private readonly oneTimeUses = new Map<string, number>();
  /** Identity links by `JSON.stringify([issuer, subject])`. */
  private readonly identities = new Map<string, IdentityLink>();
  /** Provider sessions (JSON of [issuer, sid]) → the actors with credentials from them → until when. */
  private readonly providerSessions = new Map<string, Map<string, number>>();
  /** Rate-limit counters by `counterKey`, each dropped once its window is over. */
  private readonly limitCounters = new Map<string, { used: number; expiresAt: number }>();
  private limitWrites = 0;
  /** The counters as `consumeCounters` reads and adds to them (one object for every call). */
  private readonly limitCells: CounterCells = {
    read: (key, now) => {
      const counter = this.limitCounters.get(key);
      return counter === undefined || counter.expiresAt <= now ? 0 : counter.used;
    },
    add: (key, added, expiresAt, now) => {
      const counter = this.limitCounters.get(key);
      if (counter === undefined || counter.expiresAt <= now) this.limitCounters.set(key, { used: added, expiresAt });
      else counter.used += added;
    },
  };
  /** Counts failed-attempt writes so stale counters are pruned now and then (made-up logins add one each). */
  private attemptWrites = 0;

  constructor(options: MemoryStoreOptions = {}) {
    if (options === null || typeof options !== 'object') fail('', 'options must be an object such as { passwordCost: 10 }.', { where: 'MemoryStore' });
    knownOptions(options, OPTION_NAMES, '', { where: 'MemoryStore' });
    const cost = options.passwordCost ?? 12;
    if (!Number.isInteger(cost) || cost < 10 || cost > 31) {
      fail('passwordCost', 'passwordCost must be an integer from 10 to 31 (bcrypt cost); default 12.', { where: 'MemoryStore' });
    }
    this.passwordCost = cost;
  }

  // ---- users (demo and test helpers, not part of the store interface) ----

  /** Adds a user and resolves to its Actor. Refuses a login that already exists. */
  async addUser(user: NewUser): Promise<Actor> {
    if (typeof user?.login !== 'string' || normalizeLogin(user.login) === '') {
      fail('login', 'login must be a non-empty string.', { where: 'MemoryStore.addUser' });
    }
    // A misspelt `roles` would add the user with none.
    knownOptions(user, NEW_USER_NAMES, '', { where: 'MemoryStore.addUser' });
    const login = normalizeLogin(user.login);
    if (this.userIdsByLogin.has(login)) fail('login', `the login "${login}" exists already.`, { where: 'MemoryStore.addUser', code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    if (user.password !== undefined && user.passwordHash !== undefined) {
      fail('password', 'give password or passwordHash, not both.', { where: 'MemoryStore.addUser', code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    }
    let passwordHash: string | null = user.passwordHash ?? null;
    if (user.password !== undefined) {
      if (typeof user.password !== 'string' || user.password === '') {
        fail('password', 'password must be a non-empty string.', { where: 'MemoryStore.addUser' });
      }
      assertFitsBcrypt(user.password);
      passwordHash = await bcrypt.hash(user.password, this.passwordCost);
    }
    const actor: Actor = {
      id: user.id ?? randomUUID(),
      kind: user.kind ?? 'user',
      roles: [...(user.roles ?? [])],
      displayName: user.displayName ?? user.login.trim(),
    };
    if (this.usersById.has(actor.id)) fail('id', `the id "${actor.id}" exists already.`, { where: 'MemoryStore.addUser', code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    this.usersById.set(actor.id, { actor, login, passwordHash, passwordExpiresAt: user.passwordExpiresAt ?? null });
    this.userIdsByLogin.set(login, actor.id);
    return { ...actor, roles: [...actor.roles] };
  }

  /** Replaces a user's password hash (the verification cache notices on the next request). */
  async setPasswordHash(actorId: string, passwordHash: string | null, passwordExpiresAt?: Date | number | null): Promise<void> {
    const user = this.requireUser(actorId);
    user.passwordHash = passwordHash;
    if (passwordExpiresAt !== undefined) user.passwordExpiresAt = passwordExpiresAt;
  }

  /** Changes a user's roles; takes effect on the next request. */
  async setRoles(actorId: string, roles: string[]): Promise<void> {
    this.requireUser(actorId).actor.roles = [...roles];
  }

  /** Removes a user (its tokens stay until `deleteTokensForActor`; lookups of the actor fail at once). */
  async removeUser(actorId: string): Promise<boolean> {
    const user = this.usersById.get(actorId);
    if (!user) return false;
    this.usersById.delete(actorId);
    this.userIdsByLogin.delete(user.login);
    return true;
  }

  private requireUser(actorId: string): StoredUser {
    const user = this.usersById.get(actorId);
    if (!user) throw new Error(`MemoryStore: no user with id "${actorId}".`);
    return user;
  }

  // ---- CredentialStore ----

  /** The user `addUser` stored under this (normalised) login, as a copy, or `null`. */
  async findCredentials(login: string): Promise<CredentialRecord | null> {
    const id = this.userIdsByLogin.get(login);
    const user = id === undefined ? undefined : this.usersById.get(id);
    if (!user) return null;
    return {
      actor: copyActor(user.actor),
      passwordHash: user.passwordHash,
      passwordExpiresAt: user.passwordExpiresAt,
    };
  }

  /** A copy of the actor `addUser` created with this id, or `null`. */
  async findActor(id: string): Promise<Actor | null> {
    const user = this.usersById.get(id);
    return user ? copyActor(user.actor) : null;
  }

  /** Replaces the hash only while it is still `expectedHash` (see `CredentialStore.updatePasswordHash`). */
  async updatePasswordHash(actorId: string, expectedHash: string, newHash: string): Promise<boolean> {
    const user = this.usersById.get(actorId);
    if (!user || user.passwordHash === null || user.passwordHash !== expectedHash) return false;
    user.passwordHash = newHash;
    return true;
  }

  /** Replaces the hash while it is still `expectedHash` and clears the expiry (see `CredentialStore.changePassword`). */
  async changePassword(actorId: string, expectedHash: string, newHash: string): Promise<boolean> {
    const user = this.usersById.get(actorId);
    if (!user || user.passwordHash === null || user.passwordHash !== expectedHash) return false;
    user.passwordHash = newHash;
    user.passwordExpiresAt = null;
    return true;
  }

  /** Whether the user `addUser` created has a password hash. */
  async hasPassword(actorId: string): Promise<boolean> {
    return typeof this.usersById.get(actorId)?.passwordHash === 'string';
  }

  // ---- TokenStore ----

  async saveToken(record: TokenRecord): Promise<void> {
    this.putToken(record);
  }

  async updateToken(record: TokenRecord): Promise<boolean> {
    if (!this.tokens.has(record.hash)) return false;
    this.putToken(record);
    return true;
  }

  private putToken(record: TokenRecord): void {
    const previous = this.tokens.get(record.hash);
    if (previous) this.unindex(previous);
    const copy = copyRecord(record);
    copy.id = idOnReplace(record, previous).id;
    this.tokens.set(record.hash, copy);
    this.tokenHashesById.set(copy.id, copy.hash);
    if (copy.actorId !== null) addToIndex(this.tokenHashesByActor, copy.actorId, copy.hash);
    if (copy.familyId) addToIndex(this.tokenHashesByFamily, copy.familyId, copy.hash);
  }

  async findToken(hash: string): Promise<TokenRecord | null> {
    const record = this.tokens.get(hash);
    return record ? copyRecord(record) : null;
  }

  async deleteToken(hash: string): Promise<boolean> {
    const record = this.tokens.get(hash);
    if (!record) return false;
    this.tokens.delete(hash);
    this.unindex(record);
    return true;
  }

  async deleteTokensForActor(actorId: string): Promise<number> {
    return this.deleteIndexed(this.tokenHashesByActor.get(actorId));
  }

  async deleteTokenFamily(familyId: string): Promise<number> {
    return this.deleteIndexed(this.tokenHashesByFamily.get(familyId));
  }

  async markTokenUsed(hash: string, usedAt: number): Promise<TokenRecord | null> {
    const record = this.tokens.get(hash);
    if (!record) return null;
    const before = copyRecord(record);
    if (record.usedAt == null) record.usedAt = usedAt;
    return before;
  }

  async touchToken(hash: string, lastUsedAt: number): Promise<void> {
    const record = this.tokens.get(hash);
    if (record) record.lastUsedAt = lastUsedAt;
  }

  async listTokens(actorId: string): Promise<TokenRecord[]> {
    const hashes = this.tokenHashesByActor.get(actorId);
    if (!hashes) return [];
    const records: TokenRecord[] = [];
    for (const hash of hashes) {
      const record = this.tokens.get(hash);
      if (record) records.push(copyRecord(record));
    }
    return records;
  }

  async findTokenById(id: string): Promise<TokenRecord | null> {
    const hash = this.tokenHashesById.get(id);
    const record = hash === undefined ? undefined : this.tokens.get(hash);
    return record && record.id === id ? copyRecord(record) : null;
  }

  // ---- rate limits (per process) ----

  async consumeLimits(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome> {
    return this.consumeNow(counters, cost, now, month);
  }

  async findTokenAndConsume(hash: string, plan: TokenLimitPlan, now: number): Promise<CountedToken | null> {
    const stored = this.tokens.get(hash);
    if (!stored) return null;
    const outcome = recordIsCounted(stored, plan, now)
      ? this.consumeNow(countersOfRecord(plan, hash, stored.actorId!, limitsOfData(stored.data)), plan.cost, now, plan.month)
      : null;
    return { record: copyRecord(stored), outcome };
  }

  /** What each counter holds now, read as `consumeNow` reads it; nothing is written (no counter made, none pruned). */
  async readLimits(counters: readonly LimitCounter[], now: number, month: MonthWindow): Promise<CounterState[]> {
    return readCounterStates(counterWindowsAt(counters, now, month), ({ key }) => {
      const counter = this.limitCounters.get(key);
      return counter === undefined || counter.expiresAt <= now ? 0 : counter.used;
    });
  }

  private consumeNow(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): LimitOutcome {
    this.limitWrites += 1;
    if (this.limitWrites % ATTEMPT_PRUNE_EVERY === 0) {
      for (const [key, counter] of this.limitCounters) if (counter.expiresAt <= now) this.limitCounters.delete(key);
    }
    return consumeCounters(counters, cost, now, month, this.limitCells);
  }

  /** How many token records are held (expired ones included until swept). */
  get tokenCount(): number {
    return this.tokens.size;
  }

  /** Drops expired tokens, revocations, counters and provider-session entries; resolves to how many records went. */
  async sweep(now: number = Date.now()): Promise<number> {
    let removed = 0;
    for (const record of [...this.tokens.values()]) {
      if (record.expiresAt !== null && record.expiresAt <= now) {
        await this.deleteToken(record.hash);
        removed += 1;
      }
    }
    for (const [key, revocation] of this.revocations) {
      if (revocation.expiresAt <= now) {
        this.revocations.delete(key);
        removed += 1;
      }
    }
    for (const [key, attempts] of this.attempts) {
      if (attemptCounterOver(attempts, now)) {
        this.attempts.delete(key);
        removed += 1;
      }
    }
    for (const [key, actors] of this.providerSessions) {
      for (const [actorId, expiresAt] of actors) {
        if (expiresAt <= now) {
          actors.delete(actorId);
          removed += 1;
        }
      }
      if (actors.size === 0) this.providerSessions.delete(key);
    }
    return removed;
  }

  private deleteIndexed(hashes: Set<string> | undefined): number {
    if (!hashes) return 0;
    let removed = 0;
    for (const hash of [...hashes]) {
      const record = this.tokens.get(hash);
      if (!record) continue;
      this.tokens.delete(hash);
      this.unindex(record);
      removed += 1;
    }
    return removed;
  }

  private unindex(record: TokenRecord): void {
    if (record.id && this.tokenHashesById.get(record.id) === record.hash) this.tokenHashesById.delete(record.id);
    if (record.actorId !== null) removeFromIndex(this.tokenHashesByActor, record.actorId, record.hash);
    if (record.familyId) removeFromIndex(this.tokenHashesByFamily, record.familyId, record.hash);
  }

  // ---- IdentityStore ----

  /** The link of (issuer, subject), as a copy, or `null`. */
  async findIdentity(issuer: string, subject: string): Promise<IdentityLink | null> {
    const link = this.identities.get(JSON.stringify([issuer, subject]));
    return link ? { ...link } : null;
  }

  /** Links (issuer, subject) unless it is linked already; resolves to the link that holds. */
  async linkIdentity(link: IdentityLink): Promise<IdentityLink> {
    const key = JSON.stringify([link.issuer, link.subject]);
    const existing = this.identities.get(key);
    if (existing) return { ...existing };
    const stored = { issuer: link.issuer, subject: link.subject, actorId: link.actorId, linkedAt: link.linkedAt };
    this.identities.set(key, stored);
    return { ...stored };
  }

  /** Removes the link of (issuer, subject) when it points at `actorId`. */
  async unlinkIdentity(issuer: string, subject: string, actorId: string): Promise<boolean> {
    const key = JSON.stringify([issuer, subject]);
    if (this.identities.get(key)?.actorId !== actorId) return false;
    return this.identities.delete(key);
  }

  /** Every identity linked to the actor. */
  async listIdentities(actorId: string): Promise<IdentityLink[]> {
    return [...this.identities.values()].filter((link) => link.actorId === actorId).map((link) => ({ ...link }));
  }

  // ---- provider sessions (TokenStore, optional) ----

  /** Records the actor under the provider session until `expiresAt`, or keeps a later expiry already recorded. */
  async saveProviderSession(session: ProviderSessionLink): Promise<void> {
    const key = JSON.stringify([session.issuer, session.sid]);
    const actors = this.providerSessions.get(key) ?? new Map<string, number>();
    actors.set(session.actorId, Math.max(actors.get(session.actorId) ?? -Infinity, session.expiresAt));
    this.providerSessions.set(key, actors);
  }

  /** The actors recorded under the provider session whose entry lasts past `now`. */
  async findProviderSessionActors(issuer: string, sid: string, now: number): Promise<string[]> {
    const actors = this.providerSessions.get(JSON.stringify([issuer, sid]));
    return actors ? [...actors].filter(([, expiresAt]) => expiresAt > now).map(([actorId]) => actorId) : [];
  }

  // ---- RevocationStore ----

  async saveRevocation(key: string, revokedAt: number, expiresAt: number): Promise<void> {
    if (revocationReplaces(this.revocations.get(key)?.revokedAt, revokedAt)) this.revocations.set(key, { revokedAt, expiresAt });
  }

  async findRevocations(keys: readonly string[]): Promise<Array<number | null>> {
    return keys.map((key) => this.revocations.get(key)?.revokedAt ?? null);
  }

  // ---- AttemptStore ----

  async readAttempts(key: string, now: number): Promise<AttemptState> {
    return attemptState(this.attempts.get(key) ?? null, now);
  }

  async recordFailedAttempt(key: string, policy: AttemptPolicy, now: number): Promise<AttemptState> {
    this.attemptWrites += 1;
    if (this.attemptWrites % ATTEMPT_PRUNE_EVERY === 0) this.pruneAttempts(now);
    const attempts = afterFailedAttempt(this.attempts.get(key) ?? null, policy, now);
    this.attempts.set(key, attempts);
    return { count: attempts.count, lockedUntil: attempts.lockedUntil };
  }

  private pruneAttempts(now: number): void {
    for (const [key, attempts] of this.attempts) if (attemptCounterOver(attempts, now)) this.attempts.delete(key);
  }

  /** How many failed-attempt counters are held (stale ones included until pruned). */
  get attemptCount(): number {
    return this.attempts.size;
  }

  async clearAttempts(key: string): Promise<number> {
    const attempts = this.attempts.get(key);
    this.attempts.delete(key);
    return attempts ? attempts.count : 0;
  }

  // ---- SecondFactorStore ----

  async findSecondFactors(actorId: string): Promise<SecondFactorRecord[]> {
    return [...(this.secondFactors.get(actorId)?.values() ?? [])].map((record) => ({ ...record }));
  }

  async saveSecondFactor(record: SecondFactorRecord): Promise<void> {
    let factors = this.secondFactors.get(record.actorId);
    if (!factors) this.secondFactors.set(record.actorId, (factors = new Map()));
    factors.set(record.id, { ...record });
  }

  async deleteSecondFactor(actorId: string, id: string): Promise<boolean> {
    const factors = this.secondFactors.get(actorId);
    const removed = factors?.delete(id) ?? false;
    if (factors && factors.size === 0) this.secondFactors.delete(actorId);
    return removed;
  }

  async saveRecoveryCodes(actorId: string, hashes: readonly string[]): Promise<void> {
    if (hashes.length === 0) this.recoveryCodes.delete(actorId);
    else this.recoveryCodes.set(actorId, new Set(hashes));
  }

  async consumeRecoveryCode(actorId: string, hash: string): Promise<boolean> {
    return this.recoveryCodes.get(actorId)?.delete(hash) ?? false;
  }

  async countRecoveryCodes(actorId: string): Promise<number> {
    return this.recoveryCodes.get(actorId)?.size ?? 0;
  }

  async markOneTimeUse(actorId: string, key: string, expiresAt: number, now: number): Promise<boolean> {
    const entry = `${actorId}\n${key}`;
    const until = this.oneTimeUses.get(entry);
    if (until !== undefined && until > now) return false;
    if (this.oneTimeUses.size >= ONE_TIME_PRUNE_AT) for (const [other, otherUntil] of this.oneTimeUses) if (otherUntil <= now) this.oneTimeUses.delete(other);
    this.oneTimeUses.set(entry, expiresAt);
    return true;
  }

  async clearAttemptsOf(subject: string): Promise<number> {
    let cleared = 0;
    for (const [key, attempts] of this.attempts) {
      if (!isCounterOf(key, subject)) continue;
      this.attempts.delete(key);
      cleared += attempts.count;
    }
    return cleared;
  }
}

// Every method answers from process memory, so the fail-closed guard needs no timer per call
// (see ANSWERS_IN_PROCESS: a subclass, which may add I/O, does not inherit this).
Object.defineProperty(MemoryStore.prototype, ANSWERS_IN_PROCESS, { value: MemoryStore.prototype });

/** Past this many entries in the used-code window, entries that have expired are dropped. */
const ONE_TIME_PRUNE_AT = 1024;

/** Every this many failed-attempt writes, counters whose window or lock has passed are dropped. */
const ATTEMPT_PRUNE_EVERY = 1024;

/**
 * Callers may change what they get without changing what is stored. Field by field into one
 * literal, so every record has the same hidden class: a spread plus an added property gave
 * each stored record its own map and descriptor array once the code was optimised (~370 bytes
 * a record, and slower garbage collection with many sessions). `data` by `copyData`:
 * structuredClone cost more than the rest of a bearer lookup together.
 */
function copyRecord(record: TokenRecord): TokenRecord {
  return {
    hash: record.hash,
    id: record.id ?? null,
    kind: record.kind,
    actorId: record.actorId,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    lastUsedAt: record.lastUsedAt ?? null,
    usedAt: record.usedAt ?? null,
    label: record.label ?? null,
    roles: record.roles ? [...record.roles] : null,
    familyId: record.familyId ?? null,
    data: copyData(record.data),
  };
}

function copyActor(actor: Actor): Actor {
  return { ...actor, roles: [...actor.roles] };
}

function addToIndex(index: Map<string, Set<string>>, key: string, hash: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(hash);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string, hash: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(hash);
  if (set.size === 0) index.delete(key);
}
