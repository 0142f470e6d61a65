/**
 * `express-gatehouse/testing`: the store conformance suite (README, "Writing your own store"). Any store — MemoryStore,
 * RedisStore, PostgresStore, or a host's own — should pass it before Gatehouse relies on
 * it. The cases are plain async functions using `node:assert`, so they run under any test
 * runner; `describeStoreConformance` registers them with jest (or anything with the same
 * `describe`/`it`/`afterAll`).
 *
 * Each case makes its own random keys and actor ids, so cases are independent of each
 * other, of leftovers from earlier runs, and of other suites sharing the same backend.
 *
 * The credential part (`'credentials'`: `findCredentials` and `findActor`, the methods a host
 * with its own user table writes) runs when asked for, with an `addUser` that creates a user
 * the way the host's app does.
 *
 * Optional methods are held to the interface when the store has them: `touchToken`, and
 * `listTokens` / `findTokenById` with the credential ids they return (what
 * `auth.tokens.list` and `revokeById` rely on). A store without them passes those cases
 * trivially, and Gatehouse names the missing method when a call needs it.
 *
 * @module express-gatehouse/testing
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../actor';
import { fail, knownOptions, type OptionNames } from '../config-error';
import { normalizeLogin } from '../login';
import { afterFailedAttempt, attemptState, revocationReplaces, type AttemptCounter } from './rules';
import { monthWindow, type CounterState, type LimitCounter, type LimitOutcome, type LimitSpec, type MonthWindow, type TokenLimitPlan } from '../rate-limits/policy';
import type { ApiKeyDetails, ApiKeyRecordData, AttemptPolicy, AttemptStore, CountedToken, CredentialRecord, CredentialStore, IdentityLink, IdentityStore, RevocationStore, SecondFactorRecord, SecondFactorStore, StoredTokenKind, TokenRecord, TokenStore } from './types';

/**
 * The parts of the store interface a case exercises. `'credentials'` is `findCredentials` and
 * `findActor`; `'passwordUpdates'` is the optional `updatePasswordHash` (with
 * `findCredentials` to read the result). Both are off by default and need `addUser` to
 * create a user. `'secondFactors'` is the optional {@link SecondFactorStore} (second factors,
 * recovery codes, the used-code window); off by default.
 * create a user. `'identities'` (off by default) is the optional identity links of
 * `oidc` (`findIdentity`, `linkIdentity`, `unlinkIdentity`, `listIdentities`).
 * create a user. `'limits'` is the optional `consumeLimits`, `findTokenAndConsume` and
 * `readLimits` (rate limits, `rateLimits`, and the usage `auth.tokens.list` shows), also off by default.
 * `'providerSessions'` (off by default) is the optional `saveProviderSession` and
 * `findProviderSessionActors` of `oidc` back-channel logout.
 *
 * @example
 * ```ts
 * const parts: StorePart[] = ['credentials']; // a host's own user store, tokens kept elsewhere
 * ```
 */
export type StorePart = 'tokens' | 'revocations' | 'attempts' | 'credentials' | 'passwordUpdates' | 'secondFactors' | 'identities' | 'limits' | 'providerSessions';

/** The parts that need {@link ConformanceContext.addUser}. */
const PARTS_NEEDING_USERS: readonly StorePart[] = ['credentials', 'passwordUpdates'];

/** What a case runs against: the parts it names in `parts` must be implemented. */
export type ConformanceStore = Partial<TokenStore & RevocationStore & AttemptStore & CredentialStore & SecondFactorStore & IdentityStore>;

/**
 * Creates a user with a password hash in the store under test, resolving to its actor id.
 * Create it the way your app adds users: `login` is given as a person typed it (the
 * `'credentials'` part checks it is then found by `normalizeLogin(login)`, the form Gatehouse
 * looks logins up by).
 *
 * @example
 * ```ts
 * const addUser: ConformanceAddUser = async (store, { login, passwordHash }) => {
 *   const id = randomUUID();
 *   await db.query('INSERT INTO users (id, login, password_hash) VALUES ($1, $2, $3)', [id, normalizeLogin(login), passwordHash]);
 *   return { id };
 * };
 * ```
 */
export type ConformanceAddUser = (
  store: ConformanceStore,
  user: {
    /** The login as a person typed it; store it as `normalizeLogin(login)`. */
    login: string;
    /** A bcrypt-shaped hash, to store as it is. */
    passwordHash: string;
  },
) => Promise<{
  /** The new user's actor id. */
  id: string;
}>;

/** Helpers handed to every case. */
export interface ConformanceContext {
  /** A fresh random identifier, `label` first (e.g. `actor-3f9c…`), unique per call. */
  unique(label: string): string;
  /** Wall-clock milliseconds, for token and revocation expiry (stores may compare it with their own clock). */
  now(): number;
  /** How to create a user in the store (the interface has no such method); the `'credentials'` and `'passwordUpdates'` cases need it. */
  addUser?: ConformanceAddUser;
}

/** One conformance case. */
export interface StoreConformanceCase {
  /** A sentence saying what a conforming store does. */
  name: string;
  /** The store parts the case needs. */
  parts: readonly StorePart[];
  /** Resolves when the store conforms; rejects with an `AssertionError` otherwise. */
  run(store: ConformanceStore, context: ConformanceContext): Promise<void>;
}

/** Creates the {@link ConformanceContext} the cases expect; for runners other than jest. */
export function createConformanceContext(options: { addUser?: ConformanceAddUser } = {}): ConformanceContext {
  return {
    unique: (label) => `${label}-${randomBytes(8).toString('hex')}`,
    now: () => Date.now(),
    ...(options.addUser ? { addUser: options.addUser } : {}),
  };
}

const HOUR = 60 * 60 * 1000;

function randomHash(): string {
  return randomBytes(32).toString('hex');
}

/** A complete record expiring in an hour, with every optional field set. */
function tokenRecord(overrides: Partial<TokenRecord> & Pick<TokenRecord, 'actorId'>, context: ConformanceContext): TokenRecord {
  const now = context.now();
  return {
    hash: randomHash(),
    kind: 'session',
    createdAt: now,
    expiresAt: now + HOUR,
    lastUsedAt: null,
    usedAt: null,
    label: 'laptop',
    roles: ['admin', 'editor'],
    familyId: null,
    data: { csrf: 'x1', nested: { list: [1, 'two', null], empty: [] } },
    ...overrides,
  };
}

const OPTIONAL_FIELDS = ['lastUsedAt', 'usedAt', 'label', 'roles', 'familyId', 'data'] as const;

/**
 * The record with absent optional fields written as `null` (the interface types them
 * `?: T | null`, so a store may return either) and without its `id` (a store may assign
 * one; the listing cases check ids), as plain JSON values: records are
 * JSON-serialisable, and a store's `structuredClone` under a test sandbox returns objects
 * of another realm, which a strict deep comparison would refuse for their prototype alone.
 */
function normalized(record: TokenRecord | null): Record<string, unknown> | null {
  if (record === null) return null;
  const copy: Record<string, unknown> = { ...record };
  for (const field of OPTIONAL_FIELDS) copy[field] = copy[field] ?? null;
  delete copy.id;
  return JSON.parse(JSON.stringify(copy)) as Record<string, unknown>;
}

function tokens(store: ConformanceStore): TokenStore {
  return store as TokenStore;
}

function limits(store: ConformanceStore): Required<Pick<TokenStore, 'consumeLimits' | 'saveToken'>> & Pick<TokenStore, 'findTokenAndConsume' | 'readLimits'> {
  return store as Required<Pick<TokenStore, 'consumeLimits' | 'saveToken'>> & Pick<TokenStore, 'findTokenAndConsume' | 'readLimits'>;
}

/** A window of `ms` milliseconds starting after now, so a case owns its counters' whole window. */
function nextWindowStart(context: ConformanceContext, ms: number): number {
  return Math.floor(context.now() / ms) * ms + ms;
}

function counter(subject: string, spec: Partial<LimitSpec> & Pick<LimitSpec, 'limit'>): LimitCounter {
  return { name: 'burst', window: 10_000, quota: false, subject, ...spec };
}

/** What a `'limits'` case starts from, so that the case itself says only what it checks. */
interface LimitsFixture {
  /** The instant the case counts from. */
  start: number;
  /** The calendar month `start` falls in, handed to every call below. */
  month: MonthWindow;
  /** A fresh counter subject. */
  subject: string;
  /** A fresh actor id, the owner of what `saveKey` saves. */
  actorId: string;
  /** The store's `consumeLimits` in `month`. */
  consume(counters: readonly LimitCounter[], cost: number, now: number): Promise<LimitOutcome>;
  /** The store's optional `findTokenAndConsume`; absent when it has none (the case then passes). */
  find: ((hash: string, plan: TokenLimitPlan, now: number) => Promise<CountedToken | null>) | undefined;
  /** The store's optional `readLimits` in `month`; absent when it has none (the case then passes). */
  read: ((counters: readonly LimitCounter[], now: number) => Promise<CounterState[]>) | undefined;
  /** A plan counting `apiKey` records in `month`: cost 1, no default or per-actor limits unless given. */
  limitPlan(overrides: Partial<Pick<TokenLimitPlan, 'cost' | 'defaults' | 'perActor'>>): TokenLimitPlan;
  /** Saves `record` with `saveToken` and resolves to it. */
  save(record: TokenRecord): Promise<TokenRecord>;
  /** Saves an API key of `actorId` that never expires (other fields as {@link tokenRecord} makes them, then `overrides`). */
  saveKey(overrides: Partial<TokenRecord>): Promise<TokenRecord>;
}

/**
 * The setup every `'limits'` case shares. `start` defaults to the start of the next minute,
 * so the case owns its counters' whole window; fresh subject and actor keep cases apart.
 */
function limitsFixture(store: ConformanceStore, context: ConformanceContext, start = nextWindowStart(context, 60_000)): LimitsFixture {
  const { consumeLimits, findTokenAndConsume, readLimits, saveToken } = limits(store);
  const month = monthWindow(start);
  const actorId = context.unique('actor');
  const save = async (record: TokenRecord): Promise<TokenRecord> => {
    await saveToken.call(store, record);
    return record;
  };
  return {
    start,
    month,
    subject: context.unique('key'),
    actorId,
    consume: (counters, cost, now) => consumeLimits.call(store, counters, cost, now, month),
    find: findTokenAndConsume && ((hash, plan, now) => findTokenAndConsume.call(store, hash, plan, now)),
    read: readLimits && ((counters, now) => readLimits.call(store, counters, now, month)),
    limitPlan: (overrides) => ({ kind: 'apiKey', cost: 1, defaults: [], perActor: [], month, ...overrides }),
    save,
    saveKey: (overrides) => save(tokenRecord({ actorId, kind: 'apiKey', expiresAt: null, ...overrides }, context)),
  };
}

function revocations(store: ConformanceStore): RevocationStore {
  return store as RevocationStore;
}

function attempts(store: ConformanceStore): AttemptStore {
  return store as AttemptStore;
}

function factors(store: ConformanceStore): Required<SecondFactorStore> {
  return store as Required<SecondFactorStore>;
}

function factorRecord(actorId: string, overrides: Partial<SecondFactorRecord> = {}): SecondFactorRecord {
  return { actorId, id: 'totp', kind: 'totp', secret: `v1.${randomHash()}`, createdAt: T0, confirmedAt: null, ...overrides };
}

function identities(store: ConformanceStore): Required<IdentityStore> {
  return store as Required<IdentityStore>;
}

function providerSessions(store: ConformanceStore): Required<Pick<TokenStore, 'saveProviderSession' | 'findProviderSessionActors'>> {
  return store as Required<Pick<TokenStore, 'saveProviderSession' | 'findProviderSessionActors'>>;
}

function credentials(store: ConformanceStore): Required<Pick<CredentialStore, 'findCredentials' | 'updatePasswordHash'>> {
  return store as Required<Pick<CredentialStore, 'findCredentials' | 'updatePasswordHash'>>;
}

/** A string shaped like a bcrypt hash of `cost`; stores keep hashes as opaque strings. */
function fakeBcryptHash(cost: number): string {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const body = Array.from(randomBytes(53), (byte) => alphabet[byte % 64]).join('');
  return `$2b$${String(cost).padStart(2, '0')}$${body}`;
}

async function addConformanceUser(
  store: ConformanceStore,
  context: ConformanceContext,
  passwordHash: string,
  login = `${context.unique('user')}@example.org`,
): Promise<{ id: string; login: string }> {
  assert.ok(context.addUser, "the 'credentials' and 'passwordUpdates' cases need addUser(store, { login, passwordHash }) in the options");
  const { id } = await context.addUser(store, { login, passwordHash });
  assert.equal(typeof id, 'string', 'addUser should resolve to { id } with the actor id as a string');
  return { id, login: normalizeLogin(login) };
}

function lookups(store: ConformanceStore): Pick<CredentialStore, 'findCredentials' | 'findActor'> {
  return store as Pick<CredentialStore, 'findCredentials' | 'findActor'>;
}

/** What Gatehouse reads of an actor: `id` (tokens and counters key on it), `kind` and `roles` (`auth.require()`). */
function assertActor(actor: Actor | null | undefined, message: string): asserts actor is Actor {
  assert.ok(actor !== null && typeof actor === 'object', `${message}: an actor object`);
  assert.ok(typeof actor.id === 'string' && actor.id !== '', `${message}: actor.id should be a non-empty string`);
  assert.ok(typeof actor.kind === 'string' && actor.kind !== '', `${message}: actor.kind should be a non-empty string`);
  assert.ok(Array.isArray(actor.roles) && actor.roles.every((role) => typeof role === 'string'), `${message}: actor.roles should be an array of strings`);
}

/** The fields of an actor Gatehouse decides with, roles in a fixed order. */
function decidingFields(actor: Actor): { id: string; kind: string; roles: string[] } {
  return { id: actor.id, kind: actor.kind, roles: [...actor.roles].sort() };
}

/** A record Gatehouse can check a password against (`passwordExpiresAt` as Date, ms or absent). */
function assertCredentialRecord(record: CredentialRecord | null | undefined, message: string): asserts record is CredentialRecord {
  assert.ok(record !== null && typeof record === 'object', `${message}: a record`);
  assertActor(record.actor, `${message}: record.actor`);
  assert.ok(record.passwordHash === null || typeof record.passwordHash === 'string', `${message}: passwordHash should be a string or null`);
  const expires = record.passwordExpiresAt;
  assert.ok(
    expires === undefined || expires === null || (expires instanceof Date && !Number.isNaN(expires.getTime())) || (typeof expires === 'number' && Number.isFinite(expires)),
    `${message}: passwordExpiresAt should be a valid Date, milliseconds, null or absent`,
  );
}

/** Adds a user with `passwordHash`, then looks its login up: the record must be one Gatehouse can use. */
async function addAndLookUp(
  store: ConformanceStore,
  context: ConformanceContext,
  passwordHash: string,
  message: string,
): Promise<{ user: { id: string; login: string }; record: CredentialRecord }> {
  const user = await addConformanceUser(store, context, passwordHash);
  const record = await lookups(store).findCredentials(user.login);
  assertCredentialRecord(record, message);
  return { user, record };
}

/** Unknown logins and ids: Gatehouse treats `null` and `undefined` alike. */
function assertNotFound(value: unknown, message: string): void {
  assert.ok(value === null || value === undefined, `${message}: expected null, got ${JSON.stringify(value)}`);
}

async function assertFound(store: TokenStore, record: TokenRecord, message: string): Promise<void> {
  assert.deepEqual(normalized(await store.findToken(record.hash)), normalized(record), message);
}

async function assertGone(store: TokenStore, hash: string, message: string): Promise<void> {
  assert.equal(await store.findToken(hash), null, message);
}

const POLICY: AttemptPolicy = { maxAttempts: 3, windowMs: 15 * 60 * 1000, lockMs: 5 * 60 * 1000 };
/** An arbitrary fixed instant: counters take `now` as an argument, so no real time passes. */
const T0 = 1_700_000_000_000;

/**
 * Every conformance case, framework-neutral. Run each `case.run(store, context)` with a
 * store implementing the case's `parts` and a context from {@link createConformanceContext}.
 *
 * @example
 * ```ts
 * import { storeConformanceCases, createConformanceContext } from 'express-gatehouse/testing';
 * import { test } from 'node:test';
 * const store = new MyStore();
 * for (const c of storeConformanceCases) test(c.name, () => c.run(store, createConformanceContext()));
 * ```
 */
export const storeConformanceCases: readonly StoreConformanceCase[] = Object.freeze([
  // ---- tokens ----
  {
    name: 'saveToken then findToken returns the same record, every field intact',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor'), familyId: context.unique('family'), kind: 'refresh' }, context);
      await tokens(store).saveToken(record);
      await assertFound(tokens(store), record, 'findToken should return what saveToken stored');
      const bare: TokenRecord = {
        hash: randomHash(),
        kind: 'appUser',
        actorId: context.unique('actor'),
        createdAt: context.now(),
        expiresAt: null,
      };
      await tokens(store).saveToken(bare);
      await assertFound(tokens(store), bare, 'a record without optional fields (and no expiry) should be found as saved');
    },
  },
  {
    name: 'findToken returns a copy: changing it does not change the stored record',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor') }, context);
      await tokens(store).saveToken(record);
      const found = await tokens(store).findToken(record.hash);
      assert.ok(found, 'the record should be found');
      found.roles?.push('root');
      found.actorId = 'someone-else';
      await assertFound(tokens(store), record, 'the stored record should be unchanged');
    },
  },
  {
    name: 'findToken called concurrently for one token gives each caller a copy of its own',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor'), kind: 'cookie', roles: ['reader'], data: { gatehouse: { lastSeenAt: 1 } } }, context);
      await tokens(store).saveToken(record);
      // Concurrent requests presenting one session: a store that batches their reads must not hand them one object.
      const [first, second] = await Promise.all([tokens(store).findToken(record.hash), tokens(store).findToken(record.hash)]);
      assert.ok(first && second, 'both lookups should find the record');
      (first.data as { gatehouse: { lastSeenAt: number } }).gatehouse.lastSeenAt = 2;
      first.roles?.push('root');
      assert.equal(JSON.stringify(second.data), '{"gatehouse":{"lastSeenAt":1}}', 'changing one caller\'s session data must not change the other\'s');
      assert.equal(JSON.stringify(second.roles), '["reader"]', 'changing one caller\'s roles must not change the other\'s');
      await assertFound(tokens(store), record, 'the stored record should be unchanged');
    },
  },
  {
    name: 'a cookie session without an actor (actorId null) is stored and found',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: null, kind: 'cookie', roles: null, label: null, data: { cart: [] } }, context);
      await tokens(store).saveToken(record);
      await assertFound(tokens(store), record, 'a cookie session with actorId null should be found');
    },
  },
  {
    name: 'deleteToken removes the record and reports whether one was there',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor') }, context);
      await tokens(store).saveToken(record);
      assert.equal(await tokens(store).deleteToken(record.hash), true, 'deleting a stored token should resolve to true');
      await assertGone(tokens(store), record.hash, 'a deleted token should not be found');
      assert.equal(await tokens(store).deleteToken(record.hash), false, 'deleting it again should resolve to false');
    },
  },
  {
    name: 'unknown tokens: findToken is null, deleteToken false, markTokenUsed null, touchToken creates nothing',
    parts: ['tokens'],
    async run(store, context) {
      const hash = randomHash();
      assert.equal(await tokens(store).findToken(hash), null, 'findToken of an unknown hash');
      assert.equal(await tokens(store).deleteToken(hash), false, 'deleteToken of an unknown hash');
      assert.equal(await tokens(store).markTokenUsed(hash, context.now()), null, 'markTokenUsed of an unknown hash');
      assert.equal(await tokens(store).findToken(hash), null, 'markTokenUsed must not create a record');
      if (tokens(store).touchToken) {
        await tokens(store).touchToken!(hash, context.now());
        assert.equal(await tokens(store).findToken(hash), null, 'touchToken must not create a record');
      }
      assert.equal(await tokens(store).deleteTokensForActor(context.unique('actor')), 0, 'deleteTokensForActor of an unknown actor');
      assert.equal(await tokens(store).deleteTokenFamily(context.unique('family')), 0, 'deleteTokenFamily of an unknown family');
    },
  },
  {
    name: 'saveToken with an existing hash replaces the record, and its actor and family indexes',
    parts: ['tokens'],
    async run(store, context) {
      const oldActor = context.unique('actor');
      const oldFamily = context.unique('family');
      const newActor = context.unique('actor');
      const newFamily = context.unique('family');
      const first = tokenRecord({ actorId: oldActor, familyId: oldFamily, kind: 'refresh' }, context);
      await tokens(store).saveToken(first);
      const replacement: TokenRecord = {
        ...first,
        actorId: newActor,
        familyId: newFamily,
        label: 'phone',
        roles: [],
        data: null,
        expiresAt: context.now() + 2 * HOUR,
      };
      await tokens(store).saveToken(replacement);
      await assertFound(tokens(store), replacement, 'findToken should return the replacement');
      assert.equal(await tokens(store).deleteTokensForActor(oldActor), 0, 'the old actor no longer owns the token');
      assert.equal(await tokens(store).deleteTokenFamily(oldFamily), 0, 'the old family no longer holds the token');
      await assertFound(tokens(store), replacement, 'deleting by the old actor or family must not remove the replacement');
      assert.equal(await tokens(store).deleteTokensForActor(newActor), 1, 'the new actor owns the token');
      await assertGone(tokens(store), first.hash, 'deleted through the new actor');
    },
  },
  {
    name: 'expiry: future and absent expiresAt are kept; a past expiresAt may be forgotten but is never changed',
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const future = tokenRecord({ actorId, expiresAt: context.now() + HOUR }, context);
      const never = tokenRecord({ actorId, kind: 'appUser', expiresAt: null }, context);
      const past = tokenRecord({ actorId, createdAt: context.now() - 2 * HOUR, expiresAt: context.now() - HOUR }, context);
      for (const record of [future, never, past]) await tokens(store).saveToken(record);
      await assertFound(tokens(store), future, 'a token expiring in the future should be found');
      await assertFound(tokens(store), never, 'a token without expiry should be found');
      const expired = await tokens(store).findToken(past.hash);
      if (expired !== null) {
        // The interface lets a store return an expired record; the caller checks expiresAt.
        assert.deepEqual(normalized(expired), normalized(past), 'an expired record, when returned, should be as saved');
      }
    },
  },
  {
    name: 'deleteTokensForActor removes every kind of token of that actor and nothing else',
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const otherActor = context.unique('actor');
      const kinds: StoredTokenKind[] = ['session', 'appUser', 'personal', 'apiKey', 'refresh', 'cookie'];
      const own = kinds.map((kind) =>
        tokenRecord({ actorId, kind, familyId: kind === 'refresh' ? context.unique('family') : null, expiresAt: kind === 'appUser' ? null : context.now() + HOUR }, context),
      );
      const others = [tokenRecord({ actorId: otherActor }, context), tokenRecord({ actorId: null, kind: 'cookie' }, context)];
      for (const record of [...own, ...others]) await tokens(store).saveToken(record);
      assert.equal(await tokens(store).deleteTokensForActor(actorId), kinds.length, 'should resolve to how many tokens were removed');
      for (const record of own) await assertGone(tokens(store), record.hash, `the actor's ${record.kind} token should be gone`);
      for (const record of others) await assertFound(tokens(store), record, "another actor's token should stay");
      assert.equal(await tokens(store).deleteTokensForActor(actorId), 0, 'a second call finds nothing left');
    },
  },
  {
    name: 'deleteTokenFamily removes the whole refresh family and nothing else',
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const familyId = context.unique('family');
      const family = [1, 2, 3].map(() => tokenRecord({ actorId, kind: 'refresh', familyId }, context));
      const otherFamily = tokenRecord({ actorId, kind: 'refresh', familyId: context.unique('family') }, context);
      const session = tokenRecord({ actorId }, context);
      for (const record of [...family, otherFamily, session]) await tokens(store).saveToken(record);
      assert.equal(await tokens(store).deleteTokenFamily(familyId), 3, 'should resolve to how many tokens were removed');
      for (const record of family) await assertGone(tokens(store), record.hash, 'a token of the family should be gone');
      await assertFound(tokens(store), otherFamily, 'a token of another family should stay');
      await assertFound(tokens(store), session, 'a token without a family should stay');
      assert.equal(await tokens(store).deleteTokenFamily(familyId), 0, 'a second call finds nothing left');
      assert.equal(await tokens(store).deleteTokensForActor(actorId), 2, 'the actor index no longer lists the deleted family');
    },
  },
  {
    name: 'markTokenUsed sets usedAt once and resolves to the record as it was before',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor'), kind: 'refresh', familyId: context.unique('family') }, context);
      await tokens(store).saveToken(record);
      const firstUse = context.now();
      const before = await tokens(store).markTokenUsed(record.hash, firstUse);
      assert.deepEqual(normalized(before), normalized(record), 'the first call sees the record with usedAt empty');
      const again = await tokens(store).markTokenUsed(record.hash, firstUse + 1000);
      assert.deepEqual(normalized(again), normalized({ ...record, usedAt: firstUse }), 'a later call sees the first usedAt');
      await assertFound(tokens(store), { ...record, usedAt: firstUse }, 'usedAt keeps the first value; other fields are unchanged');
    },
  },
  {
    name: 'markTokenUsed is atomic: of 20 concurrent calls exactly one sees usedAt empty',
    parts: ['tokens'],
    async run(store, context) {
      const record = tokenRecord({ actorId: context.unique('actor'), kind: 'refresh', familyId: context.unique('family') }, context);
      await tokens(store).saveToken(record);
      const base = context.now();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => tokens(store).markTokenUsed(record.hash, base + i)));
      const winners = results.filter((result) => result !== null && result.usedAt == null);
      assert.equal(winners.length, 1, 'exactly one caller may rotate a refresh token');
      const stored = await tokens(store).findToken(record.hash);
      assert.ok(stored && typeof stored.usedAt === 'number', 'usedAt should be set');
      for (const result of results) {
        assert.ok(result !== null, 'every caller should see the record');
        if (result.usedAt != null) assert.equal(result.usedAt, stored.usedAt, "the losers see the winner's usedAt");
      }
    },
  },
  {
    name: 'updateToken replaces a stored record, keeps it in its actor index, and resolves true',
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const record = tokenRecord({ actorId, kind: 'cookie', data: { step: 1 } }, context);
      await tokens(store).saveToken(record);
      const changed = { ...record, lastUsedAt: context.now() + 1000, data: { step: 2 } };
      assert.equal(await tokens(store).updateToken(changed), true, 'updateToken should report the replacement');
      await assertFound(tokens(store), changed, 'the record should be replaced');
      assert.equal(await tokens(store).deleteTokensForActor(actorId), 1, 'the updated record should still be in its actor index');
      await assertGone(tokens(store), record.hash, 'deleteTokensForActor should remove the updated record');
    },
  },
  {
    name: 'updateToken never re-creates a record that deleteToken, deleteTokensForActor or deleteTokenFamily removed',
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const familyId = context.unique('family');
      const unknown = tokenRecord({ actorId }, context);
      assert.equal(await tokens(store).updateToken(unknown), false, 'updateToken of an unknown hash should resolve false');
      await assertGone(tokens(store), unknown.hash, 'updateToken should not create a record');
      const ends: Array<[string, (record: TokenRecord) => Promise<unknown>]> = [
        ['deleteToken', (record) => tokens(store).deleteToken(record.hash)],
        ['deleteTokensForActor', () => tokens(store).deleteTokensForActor(actorId)],
        ['deleteTokenFamily', () => tokens(store).deleteTokenFamily(familyId)],
      ];
      for (const [method, end] of ends) {
        const record = tokenRecord({ actorId, familyId, kind: 'cookie' }, context);
        await tokens(store).saveToken(record);
        await end(record);
        // A request that loaded the session before it was ended writes it back afterwards.
        assert.equal(await tokens(store).updateToken({ ...record, lastUsedAt: context.now() }), false, `updateToken after ${method} should resolve false`);
        await assertGone(tokens(store), record.hash, `a session ended by ${method} must stay ended`);
      }
    },
  },
  {
    name: 'updateToken racing deleteToken: 25 rounds, the record never outlives the delete',
    parts: ['tokens'],
    async run(store, context) {
      for (let round = 0; round < 25; round += 1) {
        const record = tokenRecord({ actorId: context.unique('actor'), kind: 'cookie' }, context);
        await tokens(store).saveToken(record);
        const writeBack = { ...record, lastUsedAt: context.now() };
        // Both orders are legal; either way, once both settle the record is gone.
        await Promise.all(round % 2 ? [tokens(store).updateToken(writeBack), tokens(store).deleteToken(record.hash)] : [tokens(store).deleteToken(record.hash), tokens(store).updateToken(writeBack)]);
        await assertGone(tokens(store), record.hash, `round ${round}: a write-back racing the delete re-created the record`);
      }
    },
  },
  {
    name: 'touchToken records lastUsedAt without changing anything else',
    parts: ['tokens'],
    async run(store, context) {
      if (!tokens(store).touchToken) return; // optional in the interface
      const record = tokenRecord({ actorId: context.unique('actor') }, context);
      await tokens(store).saveToken(record);
      const usedAt = context.now() + 5000;
      await tokens(store).touchToken!(record.hash, usedAt);
      await assertFound(tokens(store), { ...record, lastUsedAt: usedAt }, 'lastUsedAt should be updated');
    },
  },

  // ---- credential listing (optional: listTokens, findTokenById) ----
  {
    name: "listTokens returns every record of the actor, each with a distinct id, and no other actor's",
    parts: ['tokens'],
    async run(store, context) {
      const list = tokens(store).listTokens?.bind(store);
      if (!list) return; // optional in the interface
      const actorId = context.unique('actor');
      const explicitId = context.unique('id');
      const own = [
        tokenRecord({ actorId, id: explicitId, kind: 'personal', expiresAt: null }, context),
        tokenRecord({ actorId, kind: 'refresh', familyId: context.unique('family') }, context),
        tokenRecord({ actorId, kind: 'cookie', label: null, roles: null }, context),
      ];
      const others = [tokenRecord({ actorId: context.unique('actor') }, context), tokenRecord({ actorId: null, kind: 'cookie' }, context)];
      for (const record of [...own, ...others]) await tokens(store).saveToken(record);
      const listed = await list(actorId);
      const byHash = (a: { hash: string }, b: { hash: string }) => (a.hash < b.hash ? -1 : 1);
      assert.deepEqual(listed.map(normalized).sort(byHash as never), own.map(normalized).sort(byHash as never), "the actor's records, as saved");
      const ids = listed.map((record) => record.id);
      assert.ok(ids.every((id) => typeof id === 'string' && id !== ''), 'every listed record should have an id');
      assert.equal(new Set(ids).size, ids.length, 'ids should be distinct');
      assert.equal(listed.find((record) => record.hash === own[0].hash)?.id, explicitId, 'an id given to saveToken is kept');
      assert.deepEqual(await list(context.unique('actor')), [], 'an actor without tokens lists nothing');
      await tokens(store).deleteToken(own[1].hash);
      assert.deepEqual((await list(actorId)).map((record) => record.hash).sort(), [own[0].hash, own[2].hash].sort(), 'a deleted token is no longer listed');
    },
  },
  {
    name: 'findTokenById finds the record by its id, and nothing once it is deleted or saved under another id',
    parts: ['tokens'],
    async run(store, context) {
      const find = tokens(store).findTokenById?.bind(store);
      if (!find) return; // optional in the interface
      const actorId = context.unique('actor');
      const familyId = context.unique('family');
      const [first, second, viaActor, viaFamily] = [context.unique('id'), context.unique('id'), context.unique('id'), context.unique('id')];
      const record = tokenRecord({ actorId, id: first }, context);
      await tokens(store).saveToken(record);
      assert.deepEqual(normalized(await find(first)), normalized(record), 'found by its id, as saved');
      assert.equal((await find(first))?.id, first, 'with its id');
      assert.equal(await find(context.unique('id')), null, 'an unknown id finds nothing');
      await tokens(store).saveToken({ ...record, id: second });
      assert.equal(await find(first), null, 'the id of a replaced record finds nothing');
      assert.equal((await find(second))?.hash, record.hash, 'the new id finds the record');
      await tokens(store).deleteToken(record.hash);
      assert.equal(await find(second), null, 'a deleted record is not found by its id');
      await tokens(store).saveToken(tokenRecord({ actorId, id: viaActor }, context));
      await tokens(store).saveToken(tokenRecord({ actorId, id: viaFamily, kind: 'refresh', familyId }, context));
      await tokens(store).deleteTokenFamily(familyId);
      assert.equal(await find(viaFamily), null, 'deleteTokenFamily leaves no id behind');
      await tokens(store).deleteTokensForActor(actorId);
      assert.equal(await find(viaActor), null, 'deleteTokensForActor leaves no id behind');
    },
  },
  {
    name: 'saveToken without an id gives the record one, and keeps it when the record is saved again without one',
    parts: ['tokens'],
    async run(store, context) {
      const list = tokens(store).listTokens?.bind(store);
      if (!list) return; // optional in the interface
      const actorId = context.unique('actor');
      const withoutId = tokenRecord({ actorId, kind: 'cookie', roles: null, label: null }, context);
      await tokens(store).saveToken(withoutId);
      const [listed] = await list(actorId);
      assert.ok(listed && typeof listed.id === 'string' && listed.id !== '', 'a record saved without an id should be listed with one');
      await tokens(store).saveToken({ ...withoutId, lastUsedAt: context.now() + 1000, data: { csrf: 'x2' } });
      const [again] = await list(actorId);
      assert.equal(again?.id, listed.id, 'the id should survive a write-back without one');
      const find = tokens(store).findTokenById?.bind(store);
      if (find) assert.equal((await find(listed.id!))?.hash, withoutId.hash, 'findTokenById should find it by that id');
      await tokens(store).saveToken(tokenRecord({ actorId, kind: 'cookie' }, context));
      const ids = (await list(actorId)).map((record) => record.id);
      assert.equal(new Set(ids).size, 2, 'another record gets another id');
    },
  },

  {
    name: "an API key's state in data (disabled, rotated, expired, metadata) survives saveToken, updateToken, listTokens and findTokenById; its record stays until its own expiresAt",
    parts: ['tokens'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const now = context.now();
      // A key whose own expiry has passed: the record is kept (and listed) until expiresAt, the retention's end.
      const details: ApiKeyDetails = {
        start: 'sk_live_AbCd',
        expiresAt: now - 1000,
        disabledAt: null,
        metadata: { plan: 'pro', seats: 3, tags: ['a', null], nested: { on: true } },
        service: null,
        replaces: null,
        replacedBy: null,
      };
      const record = tokenRecord({ actorId, id: context.unique('id'), kind: 'apiKey', familyId: null, roles: null, expiresAt: now + HOUR, data: { scopes: ['reports:read'], apiKey: details } satisfies ApiKeyRecordData }, context);
      await tokens(store).saveToken(record);
      await assertFound(tokens(store), record, 'found as saved, its key details intact');
      const disabled: TokenRecord = { ...record, data: { scopes: ['reports:read'], apiKey: { ...details, disabledAt: now, replacedBy: context.unique('id') } } satisfies ApiKeyRecordData };
      assert.equal(await tokens(store).updateToken(disabled), true, 'updateToken replaces a stored key');
      await assertFound(tokens(store), disabled, 'the changed details are what findToken returns');
      const list = tokens(store).listTokens?.bind(store);
      if (list) assert.deepEqual((await list(actorId)).map(normalized), [normalized(disabled)], 'listTokens returns the key with its details, its own expiry passed or not');
      const find = tokens(store).findTokenById?.bind(store);
      if (find) assert.deepEqual(normalized(await find(record.id!)), normalized(disabled), 'findTokenById returns it with its details');
      await tokens(store).deleteToken(record.hash);
      assert.equal(await tokens(store).updateToken(disabled), false, 'updateToken never brings back a revoked key');
      await assertGone(tokens(store), record.hash, 'a revoked key stays revoked');
    },
  },

  // ---- revocations ----
  {
    name: 'findRevocations answers in the order asked, null for unknown keys, [] for no keys',
    parts: ['revocations'],
    async run(store, context) {
      const [a, b, unknown] = [context.unique('jti'), context.unique('jti'), context.unique('jti')];
      const expiresAt = context.now() + HOUR;
      await revocations(store).saveRevocation(a, 1000, expiresAt);
      await revocations(store).saveRevocation(b, 2000, expiresAt);
      assert.deepEqual(await revocations(store).findRevocations([]), [], 'no keys, no answers');
      assert.deepEqual(await revocations(store).findRevocations([unknown]), [null], 'an unknown key reads as null');
      assert.deepEqual(await revocations(store).findRevocations([b, unknown, a, b]), [2000, null, 1000, 2000], 'one answer per key, in order');
    },
  },
  {
    name: 'saveRevocation: a later revokedAt wins, an earlier one does not overwrite it',
    parts: ['revocations'],
    async run(store, context) {
      const key = context.unique('actor-not-before');
      const expiresAt = context.now() + HOUR;
      await revocations(store).saveRevocation(key, 5000, expiresAt);
      await revocations(store).saveRevocation(key, 3000, expiresAt);
      assert.deepEqual(await revocations(store).findRevocations([key]), [5000], 'an earlier revocation must not move "not before" back');
      await revocations(store).saveRevocation(key, 9000, expiresAt + HOUR);
      assert.deepEqual(await revocations(store).findRevocations([key]), [9000], 'a later revocation replaces it');
    },
  },
  {
    name: 'saveRevocation keeps what the shared rule keeps (revocationReplaces): over a run of saves, the later revokedAt stands',
    parts: ['revocations'],
    async run(store, context) {
      const key = context.unique('actor-not-before');
      const expiresAt = context.now() + HOUR;
      let kept: number | null = null;
      for (const revokedAt of [5000, 3000, 5000, 9000, 8999, 12_000]) {
        await revocations(store).saveRevocation(key, revokedAt, expiresAt);
        if (revocationReplaces(kept, revokedAt)) kept = revokedAt;
        assert.deepEqual(await revocations(store).findRevocations([key]), [kept], `after saving ${revokedAt}`);
      }
    },
  },
  {
    name: 'revokeAll\'s order holds: a not-before saved is read back at once, and a token saved while deleteTokensForActor runs stays reachable through its actor',
    parts: ['tokens', 'revocations'],
    async run(store, context) {
      // tokens.revokeAll saves the not-before, then deletes; a login in flight saves its token,
      // then reads the not-before. Both depend on the store answering as below.
      const actorId = context.unique('actor');
      const revokedAt = context.now();
      await revocations(store).saveRevocation(`actor:${actorId}`, revokedAt, revokedAt + HOUR);
      assert.deepEqual(await revocations(store).findRevocations([`actor:${actorId}`]), [revokedAt], 'a saved not-before must be read back by the next call');
      for (let round = 0; round < 10; round += 1) {
        const racing = tokenRecord({ actorId }, context);
        await Promise.all([tokens(store).saveToken(racing), tokens(store).deleteTokensForActor(actorId)]);
        // Whichever came first, a later deleteTokensForActor must still find the token through the actor's index.
        await tokens(store).deleteTokensForActor(actorId);
        await assertGone(tokens(store), racing.hash, `round ${round}: a token saved during deleteTokensForActor escaped its actor's index`);
      }
    },
  },

  // ---- identities at OpenID providers ----
  {
    name: 'an identity is found once linked, listed under its actor, and unknown before',
    parts: ['identities'],
    async run(store, context) {
      const issuer = `https://${context.unique('issuer')}.example.org`;
      const subject = context.unique('subject');
      const actorId = context.unique('actor');
      assert.equal(await identities(store).findIdentity(issuer, subject), null, 'an identity never linked');
      const link = { issuer, subject, actorId, linkedAt: T0 };
      assert.deepEqual(await identities(store).linkIdentity(link), link, 'linkIdentity resolves to the link made');
      assert.deepEqual(await identities(store).findIdentity(issuer, subject), link);
      assert.deepEqual(await identities(store).listIdentities(actorId), [link]);
      assert.deepEqual(await identities(store).listIdentities(context.unique('actor')), [], 'another actor has none');
    },
  },
  {
    name: 'an identity is linked to one actor: a second link, or several at once, keep the first',
    parts: ['identities'],
    async run(store, context) {
      const issuer = `https://${context.unique('issuer')}.example.org`;
      const subject = context.unique('subject');
      const first = { issuer, subject, actorId: context.unique('actor'), linkedAt: T0 };
      await identities(store).linkIdentity(first);
      assert.deepEqual(await identities(store).linkIdentity({ ...first, actorId: context.unique('actor'), linkedAt: T0 + 1 }), first, 'the existing link is returned');
      assert.deepEqual(await identities(store).findIdentity(issuer, subject), first);
      const racing = context.unique('subject');
      const actors = Array.from({ length: 5 }, () => context.unique('actor'));
      const results = await Promise.all(actors.map((actorId) => identities(store).linkIdentity({ issuer, subject: racing, actorId, linkedAt: T0 })));
      const winner = results[0].actorId;
      assert.ok(actors.includes(winner));
      assert.ok(results.every((result) => result.actorId === winner), 'every racing link resolves to the one that holds');
      assert.equal((await identities(store).findIdentity(issuer, racing))?.actorId, winner);
    },
  },
  {
    name: 'unlinkIdentity removes the link only for its actor; the identity can then be linked again',
    parts: ['identities'],
    async run(store, context) {
      const issuer = `https://${context.unique('issuer')}.example.org`;
      const subject = context.unique('subject');
      const actorId = context.unique('actor');
      await identities(store).linkIdentity({ issuer, subject, actorId, linkedAt: T0 });
      assert.equal(await identities(store).unlinkIdentity(issuer, subject, context.unique('actor')), false, 'another actor cannot unlink it');
      assert.equal((await identities(store).findIdentity(issuer, subject))?.actorId, actorId);
      assert.equal(await identities(store).unlinkIdentity(issuer, subject, actorId), true);
      assert.equal(await identities(store).findIdentity(issuer, subject), null);
      assert.deepEqual(await identities(store).listIdentities(actorId), []);
      assert.equal(await identities(store).unlinkIdentity(issuer, subject, actorId), false, 'nothing left to unlink');
      const other = context.unique('actor');
      assert.equal((await identities(store).linkIdentity({ issuer, subject, actorId: other, linkedAt: T0 })).actorId, other);
    },
  },
  {
    name: "listIdentities lists each of an actor's identities once, at any issuer; unlinking one leaves the others; a lost link race lists none under the loser",
    parts: ['identities'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const loser = context.unique('actor');
      const issuers = [`https://${context.unique('issuer')}.example.org`, `https://${context.unique('issuer')}.example.org`];
      const links = [
        { issuer: issuers[0], subject: context.unique('subject'), actorId, linkedAt: T0 },
        { issuer: issuers[0], subject: context.unique('subject'), actorId, linkedAt: T0 + 1 },
        { issuer: issuers[1], subject: context.unique('subject'), actorId, linkedAt: T0 + 2 },
      ];
      for (const link of links) await identities(store).linkIdentity(link);
      // Another actor loses the race for one of them: it is listed under the winner only.
      assert.equal((await identities(store).linkIdentity({ ...links[2], actorId: loser, linkedAt: T0 + 3 })).actorId, actorId);
      const bySubject = (list: IdentityLink[]) => [...list].sort((a, b) => a.subject.localeCompare(b.subject));
      assert.deepEqual(bySubject(await identities(store).listIdentities(actorId)), bySubject(links), 'every link of the actor, each once, as linked');
      assert.deepEqual(await identities(store).listIdentities(loser), [], 'the loser of a link race has no identity');
      assert.equal(await identities(store).unlinkIdentity(links[1].issuer, links[1].subject, actorId), true);
      assert.deepEqual(bySubject(await identities(store).listIdentities(actorId)), bySubject([links[0], links[2]]), 'the other links stay');
    },
  },
  {
    name: 'issuer and subject are matched exactly: case, and where one ends and the other starts, count',
    parts: ['identities'],
    async run(store, context) {
      const base = context.unique('issuer');
      const actorId = context.unique('actor');
      await identities(store).linkIdentity({ issuer: `https://${base}.example.org`, subject: 'Sub:1', actorId, linkedAt: T0 });
      assert.equal(await identities(store).findIdentity(`https://${base}.example.org`, 'sub:1'), null, 'subjects are case-sensitive');
      assert.equal(await identities(store).findIdentity(`https://${base}.example.org/`, 'Sub:1'), null, 'issuers are compared exactly');
      assert.equal(await identities(store).findIdentity(`https://${base}.example.org:Sub`, '1'), null, 'the pair is not one joined string');
      assert.equal(await identities(store).findIdentity(`https://${base}.example.org`, 'Sub'), null, 'no prefix match');
    },
  },

  // ---- provider sessions (back-channel logout by sid) ----
  {
    name: 'a provider session lists the actors saved under it until their entries expire, and none before',
    parts: ['providerSessions'],
    async run(store, context) {
      const issuer = `https://${context.unique('issuer')}.example.org`;
      const sid = context.unique('sid');
      const [first, second] = [context.unique('actor'), context.unique('actor')];
      const now = context.now();
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now), [], 'a session never saved');
      await providerSessions(store).saveProviderSession({ issuer, sid, actorId: first, expiresAt: now + HOUR });
      await providerSessions(store).saveProviderSession({ issuer, sid, actorId: second, expiresAt: now + 2 * HOUR });
      assert.deepEqual((await providerSessions(store).findProviderSessionActors(issuer, sid, now)).sort(), [first, second].sort(), 'each actor once');
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now + HOUR), [second], 'an entry is over at its expiresAt');
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now + 2 * HOUR), []);
    },
  },
  {
    name: 'saving a provider session again extends an entry to a later expiry and never shortens it',
    parts: ['providerSessions'],
    async run(store, context) {
      const issuer = `https://${context.unique('issuer')}.example.org`;
      const sid = context.unique('sid');
      const actorId = context.unique('actor');
      const now = context.now();
      await providerSessions(store).saveProviderSession({ issuer, sid, actorId, expiresAt: now + HOUR });
      await providerSessions(store).saveProviderSession({ issuer, sid, actorId, expiresAt: now + 3 * HOUR });
      await providerSessions(store).saveProviderSession({ issuer, sid, actorId, expiresAt: now + 2 * HOUR });
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now), [actorId], 'saved three times, listed once');
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now + 2 * HOUR + 1), [actorId], 'the latest expiry holds');
      assert.deepEqual(await providerSessions(store).findProviderSessionActors(issuer, sid, now + 3 * HOUR), []);
    },
  },
  {
    name: 'issuer and sid of a provider session are matched exactly: case, and where one ends and the other starts, count',
    parts: ['providerSessions'],
    async run(store, context) {
      const base = context.unique('issuer');
      const actorId = context.unique('actor');
      const now = context.now();
      await providerSessions(store).saveProviderSession({ issuer: `https://${base}.example.org`, sid: 'Sid:1', actorId, expiresAt: now + HOUR });
      const find = (issuer: string, sid: string) => providerSessions(store).findProviderSessionActors(issuer, sid, now);
      assert.deepEqual(await find(`https://${base}.example.org`, 'Sid:1'), [actorId]);
      assert.deepEqual(await find(`https://${base}.example.org`, 'sid:1'), [], 'sids are case-sensitive');
      assert.deepEqual(await find(`https://${base}.example.org/`, 'Sid:1'), [], 'issuers are compared exactly');
      assert.deepEqual(await find(`https://${base}.example.org:Sid`, '1'), [], 'the pair is not one joined string');
      assert.deepEqual(await find(`https://${base}.example.org`, 'Sid'), [], 'no prefix match');
    },
  },

  // ---- failed-attempt counters ----
  {
    name: 'an unknown counter reads as zero, and clearing it resolves to 0',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      assert.deepEqual(await attempts(store).readAttempts(key, T0), { count: 0, lockedUntil: null });
      assert.equal(await attempts(store).clearAttempts(key), 0);
    },
  },
  {
    name: 'recordFailedAttempt counts up and locks once when the count reaches maxAttempts',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const record = (now: number) => attempts(store).recordFailedAttempt(key, POLICY, now);
      assert.deepEqual(await record(T0), { count: 1, lockedUntil: null });
      assert.deepEqual(await record(T0 + 1000), { count: 2, lockedUntil: null });
      assert.deepEqual(await attempts(store).readAttempts(key, T0 + 1500), { count: 2, lockedUntil: null }, 'read between failures');
      const lockedUntil = T0 + 2000 + POLICY.lockMs;
      assert.deepEqual(await record(T0 + 2000), { count: 3, lockedUntil }, 'the third failure locks');
      assert.deepEqual(await record(T0 + 3000), { count: 4, lockedUntil }, 'failures while locked count but do not move the lock');
      assert.deepEqual(await attempts(store).readAttempts(key, lockedUntil - 1), { count: 4, lockedUntil }, 'still locked just before the end');
      assert.deepEqual(await attempts(store).readAttempts(key, lockedUntil), { count: 0, lockedUntil: null }, 'an elapsed lock reads as zero');
      assert.deepEqual(await record(lockedUntil + 1), { count: 1, lockedUntil: null }, 'after the lock a new count starts');
    },
  },
  {
    name: 'the window starts at the first failure and does not slide; an elapsed window starts a new count',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const record = (now: number) => attempts(store).recordFailedAttempt(key, POLICY, now);
      assert.deepEqual(await record(T0), { count: 1, lockedUntil: null });
      assert.deepEqual(await record(T0 + POLICY.windowMs - 1), { count: 2, lockedUntil: null }, 'still inside the first window');
      assert.deepEqual(await attempts(store).readAttempts(key, T0 + POLICY.windowMs), { count: 0, lockedUntil: null }, 'the window ended');
      assert.deepEqual(await record(T0 + POLICY.windowMs), { count: 1, lockedUntil: null }, 'a new window starts at this failure');
      assert.deepEqual(await record(T0 + 2 * POLICY.windowMs - 1), { count: 2, lockedUntil: null }, 'inside the new window');
    },
  },
  {
    name: 'counters follow the shared rules (attemptState, afterFailedAttempt): every answer over a run of failures and reads',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const { windowMs, lockMs } = POLICY;
      const lockAt = T0 + 2000;
      // Failures ('fail') and reads ('read') at times around each boundary: inside the window,
      // the lock, its last moment and the first after, a new window and its end.
      const steps: Array<['fail' | 'read', number]> = [
        ['fail', T0], ['read', T0], ['fail', T0 + 1000], ['read', T0 + 1500], ['fail', lockAt], ['fail', lockAt + 1],
        ['read', lockAt + lockMs - 1], ['read', lockAt + lockMs], ['fail', lockAt + lockMs], ['read', lockAt + lockMs + windowMs - 1],
        ['fail', lockAt + lockMs + windowMs - 1], ['read', lockAt + lockMs + windowMs], ['fail', lockAt + lockMs + windowMs],
      ];
      let counter: AttemptCounter | null = null;
      for (const [step, now] of steps) {
        if (step === 'fail') {
          counter = afterFailedAttempt(counter, POLICY, now);
          assert.deepEqual(await attempts(store).recordFailedAttempt(key, POLICY, now), { count: counter.count, lockedUntil: counter.lockedUntil }, `failure at T0+${now - T0}`);
        } else {
          assert.deepEqual(await attempts(store).readAttempts(key, now), attemptState(counter, now), `read at T0+${now - T0}`);
        }
      }
    },
  },
  {
    name: 'maxAttempts 1 locks at the first failure',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const policy: AttemptPolicy = { maxAttempts: 1, windowMs: 60_000, lockMs: 30_000 };
      assert.deepEqual(await attempts(store).recordFailedAttempt(key, policy, T0), { count: 1, lockedUntil: T0 + 30_000 });
    },
  },
  {
    name: 'clearAttempts resets the counter and resolves to the count it had; counters are independent',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const other = context.unique('login');
      for (let i = 0; i < 3; i += 1) await attempts(store).recordFailedAttempt(key, POLICY, T0 + i);
      await attempts(store).recordFailedAttempt(other, POLICY, T0);
      assert.equal(await attempts(store).clearAttempts(key), 3);
      assert.deepEqual(await attempts(store).readAttempts(key, T0 + 10), { count: 0, lockedUntil: null }, 'cleared, lock included');
      assert.deepEqual(await attempts(store).readAttempts(other, T0 + 10), { count: 1, lockedUntil: null }, 'another key is untouched');
      assert.deepEqual(await attempts(store).recordFailedAttempt(key, POLICY, T0 + 20), { count: 1, lockedUntil: null }, 'counting restarts');
    },
  },
  {
    name: "clearAttemptsOf clears a subject's counter and each of its per-client counters, and no other",
    parts: ['attempts'],
    async run(store, context) {
      const clearOf = attempts(store).clearAttemptsOf?.bind(store);
      if (!clearOf) return; // optional in the interface
      const subject = `actor:${context.unique('u')}`;
      const other = `actor:${context.unique('u')}`;
      const mine = [subject, `ip:192.0.2.1:${subject}`, `ip:2001:db8:0:7::/64:${subject}`, `ip:%2Fweird*?[x]:${subject}`];
      const theirs = [other, `ip:192.0.2.1:${other}`, `ip:192.0.2.1:login:x:${subject}`, `ip:192.0.2.1:${other}:${subject}`, `${subject}x`, `ip:192.0.2.1:${subject}x`];
      for (const key of mine) for (let i = 0; i < 2; i += 1) await attempts(store).recordFailedAttempt(key, POLICY, T0 + i);
      for (const key of theirs) await attempts(store).recordFailedAttempt(key, POLICY, T0);
      assert.equal(await clearOf(subject), mine.length * 2, 'resolves to the counts it removed, summed');
      for (const key of mine) assert.deepEqual(await attempts(store).readAttempts(key, T0 + 10), { count: 0, lockedUntil: null }, `${key} is cleared`);
      for (const key of theirs) assert.deepEqual(await attempts(store).readAttempts(key, T0 + 10), { count: 1, lockedUntil: null }, `${key} is untouched`);
      assert.equal(await clearOf(subject), 0, 'nothing left to clear');
    },
  },
  {
    name: 'recordFailedAttempt is atomic: 50 concurrent failures see the counts 1..50 once each, and one lock',
    parts: ['attempts'],
    async run(store, context) {
      const key = context.unique('login');
      const policy: AttemptPolicy = { maxAttempts: 10, windowMs: 60_000, lockMs: 30_000 };
      const states = await Promise.all(Array.from({ length: 50 }, () => attempts(store).recordFailedAttempt(key, policy, T0)));
      assert.deepEqual(
        states.map((state) => state.count).sort((x, y) => x - y),
        Array.from({ length: 50 }, (_, i) => i + 1),
        'no failure may be lost or counted twice',
      );
      for (const state of states) {
        assert.equal(state.lockedUntil, state.count >= 10 ? T0 + 30_000 : null, `the lock state at count ${state.count}`);
      }
      assert.deepEqual(await attempts(store).readAttempts(key, T0), { count: 50, lockedUntil: T0 + 30_000 });
    },
  },

  // ---- credentials (findCredentials, findActor: a host's own user store) ----
  {
    name: 'findCredentials finds a user by login: its actor and its password hash, character for character',
    parts: ['credentials'],
    async run(store, context) {
      const passwordHash = fakeBcryptHash(12);
      const { user, record } = await addAndLookUp(store, context, passwordHash, 'findCredentials of a stored login');
      assert.equal(record.actor.id, user.id, 'record.actor.id should be the id addUser gave');
      assert.equal(record.passwordHash, passwordHash, 'the password hash should be returned exactly as stored');
    },
  },
  {
    name: 'hasPassword (when the store has it) is true for a user with a password hash, false for an unknown actor',
    parts: ['credentials'],
    async run(store, context) {
      const hasPassword = (store as CredentialStore).hasPassword;
      // Optional: a store without it makes Gatehouse keep an actor's last identity linked.
      if (typeof hasPassword !== 'function') return;
      const { user } = await addAndLookUp(store, context, fakeBcryptHash(12), 'findCredentials of a stored login');
      assert.equal(await hasPassword.call(store, user.id), true, 'a user added with a password hash has a password');
      assert.equal(await hasPassword.call(store, context.unique('actor')), false, 'an unknown actor has none');
    },
  },
  {
    name: 'findActor(id) returns the actor a login resolved to: same id, kind and roles',
    parts: ['credentials'],
    async run(store, context) {
      // A login issues a token for record.actor.id; every later request resolves that id with findActor.
      const { record } = await addAndLookUp(store, context, fakeBcryptHash(12), 'findCredentials of a stored login');
      const actor = await lookups(store).findActor(record.actor.id);
      assertActor(actor, 'findActor of the id the login resolved to');
      assert.deepEqual(decidingFields(actor), decidingFields(record.actor), 'findActor and findCredentials should agree on the actor');
    },
  },
  {
    name: 'a login is found by normalizeLogin of it as typed: logins arrive trimmed, lower-cased and NFC',
    parts: ['credentials'],
    async run(store, context) {
      // Gatehouse looks every login up as normalizeLogin(login); a user stored as typed would never be found.
      const typed = `  ${context.unique('User').toUpperCase()}-Zoe\u0301@Example.ORG `;
      const user = await addConformanceUser(store, context, fakeBcryptHash(12), typed);
      const record = await lookups(store).findCredentials(normalizeLogin(typed));
      assertCredentialRecord(record, `findCredentials of normalizeLogin(${JSON.stringify(typed)})`);
      assert.equal(record.actor.id, user.id, 'the normalised login should find the user added with it');
    },
  },
  {
    name: 'findCredentials matches the whole login: never a prefix, an extension or a LIKE pattern of it',
    parts: ['credentials'],
    async run(store, context) {
      const local = context.unique('user');
      const user = await addConformanceUser(store, context, fakeBcryptHash(12), `${local}@example.org`);
      const near = [
        `${local}@example.or`,
        `${local}@example.org.evil`,
        `${local}%`,
        `%@example.org`,
        `${local.slice(0, -1)}_@example.org`,
        '%',
        `' OR '1'='1`,
      ];
      for (const login of near) assertNotFound(await lookups(store).findCredentials(login), `findCredentials(${JSON.stringify(login)}) next to ${user.login}`);
    },
  },
  {
    name: 'an unknown login or actor id resolves to null, and looking it up creates nothing',
    parts: ['credentials'],
    async run(store, context) {
      const login = `${context.unique('nobody')}@example.org`;
      const id = context.unique('actor');
      for (let round = 0; round < 2; round += 1) {
        assertNotFound(await lookups(store).findCredentials(login), `findCredentials of an unknown login (lookup ${round + 1})`);
        assertNotFound(await lookups(store).findActor(id), `findActor of an unknown id (lookup ${round + 1})`);
      }
    },
  },
  {
    name: 'lookups change nothing: the same answers again, and the hash is not rewritten',
    parts: ['credentials'],
    async run(store, context) {
      // Gatehouse never changes what it is given (it copies an actor before giving it other
      // roles), so a store may hand out cached objects; what it stores must not move.
      const passwordHash = fakeBcryptHash(10);
      const { user, record: first } = await addAndLookUp(store, context, passwordHash, 'the first lookup');
      const firstSeen = { actor: decidingFields(first.actor), passwordHash: first.passwordHash };
      const firstActor = await lookups(store).findActor(user.id);
      assertActor(firstActor, 'the first findActor');
      const firstActorSeen = decidingFields(firstActor);
      const again = await lookups(store).findCredentials(user.login);
      assertCredentialRecord(again, 'the second lookup');
      assert.deepEqual({ actor: decidingFields(again.actor), passwordHash: again.passwordHash }, firstSeen, 'a second findCredentials should answer the same');
      assert.equal(again.passwordHash, passwordHash, 'a lookup should not rewrite the hash');
      const actorAgain = await lookups(store).findActor(user.id);
      assertActor(actorAgain, 'the second findActor');
      assert.deepEqual(decidingFields(actorAgain), firstActorSeen, 'a second findActor should answer the same');
    },
  },
  {
    name: 'concurrent lookups of different users each resolve to their own user',
    parts: ['credentials'],
    async run(store, context) {
      // Requests for many users arrive together: a store that batches or caches lookups must not cross them.
      const users = await Promise.all(Array.from({ length: 8 }, () => addConformanceUser(store, context, fakeBcryptHash(12))));
      const records = await Promise.all(users.map((user) => lookups(store).findCredentials(user.login)));
      const actors = await Promise.all(users.map((user) => lookups(store).findActor(user.id)));
      users.forEach((user, index) => {
        assert.equal(records[index]?.actor.id, user.id, `findCredentials(${user.login}) among concurrent lookups`);
        assert.equal(actors[index]?.id, user.id, `findActor(${user.id}) among concurrent lookups`);
      });
      assert.equal(new Set(records.map((record) => record?.passwordHash)).size, users.length, 'each user should come with its own hash');
    },
  },

  // ---- password updates (optional updatePasswordHash) ----
  {
    name: 'updatePasswordHash replaces the hash while it is still the expected one, and says so',
    parts: ['passwordUpdates'],
    async run(store, context) {
      const oldHash = fakeBcryptHash(10);
      const newHash = fakeBcryptHash(12);
      const user = await addConformanceUser(store, context, oldHash);
      assert.equal(await credentials(store).updatePasswordHash(user.id, oldHash, newHash), true, 'a matching expected hash should be replaced');
      assert.equal((await credentials(store).findCredentials(user.login))?.passwordHash, newHash, 'findCredentials should return the new hash');
    },
  },
  {
    name: 'updatePasswordHash never replaces a hash that changed meanwhile, nor creates one for an unknown actor',
    parts: ['passwordUpdates'],
    async run(store, context) {
      const current = fakeBcryptHash(12);
      const user = await addConformanceUser(store, context, current);
      const stale = fakeBcryptHash(10);
      assert.equal(await credentials(store).updatePasswordHash(user.id, stale, fakeBcryptHash(12)), false, 'a stale expected hash should change nothing');
      assert.equal((await credentials(store).findCredentials(user.login))?.passwordHash, current, 'the current hash should be kept');
      assert.equal(await credentials(store).updatePasswordHash(context.unique('actor'), current, fakeBcryptHash(12)), false, 'an unknown actor should be refused');
    },
  },
  {
    name: 'updatePasswordHash is a compare-and-set: of 10 concurrent updates from one hash exactly one wins',
    parts: ['passwordUpdates'],
    async run(store, context) {
      const oldHash = fakeBcryptHash(10);
      const user = await addConformanceUser(store, context, oldHash);
      const candidates = Array.from({ length: 10 }, () => fakeBcryptHash(12));
      const results = await Promise.all(candidates.map((hash) => credentials(store).updatePasswordHash(user.id, oldHash, hash)));
      assert.equal(results.filter(Boolean).length, 1, 'exactly one update should succeed');
      const stored = (await credentials(store).findCredentials(user.login))?.passwordHash;
      assert.equal(stored, candidates[results.indexOf(true)], 'the winner\'s hash should be stored');
    },
  },
  // ---- second factors ----
  {
    name: 'saveSecondFactor stores a factor that findSecondFactors returns as saved; an actor without any has []',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      assert.deepEqual(await factors(store).findSecondFactors(actorId), []);
      const record = factorRecord(actorId);
      await factors(store).saveSecondFactor(record);
      assert.deepEqual(await factors(store).findSecondFactors(actorId), [record]);
      assert.deepEqual(await factors(store).findSecondFactors(context.unique('actor')), [], 'another actor has none');
    },
  },
  {
    name: 'saveSecondFactor replaces the factor with the same id and keeps factors of other ids beside it',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      await factors(store).saveSecondFactor(factorRecord(actorId));
      const confirmed = factorRecord(actorId, { confirmedAt: T0 + 1000 });
      await factors(store).saveSecondFactor(confirmed);
      const other = factorRecord(actorId, { id: 'credential-1', kind: 'webauthn' });
      await factors(store).saveSecondFactor(other);
      const found = (await factors(store).findSecondFactors(actorId)).sort((a, b) => a.id.localeCompare(b.id));
      assert.deepEqual(found, [other, confirmed]);
    },
  },
  {
    name: 'deleteSecondFactor removes one factor and resolves to whether it was there',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      await factors(store).saveSecondFactor(factorRecord(actorId));
      const other = factorRecord(actorId, { id: 'credential-1', kind: 'webauthn' });
      await factors(store).saveSecondFactor(other);
      assert.equal(await factors(store).deleteSecondFactor(actorId, 'totp'), true);
      assert.equal(await factors(store).deleteSecondFactor(actorId, 'totp'), false, 'a second delete finds nothing');
      assert.deepEqual(await factors(store).findSecondFactors(actorId), [other]);
    },
  },
  {
    name: 'saveRecoveryCodes replaces every code; consumeRecoveryCode removes one once; countRecoveryCodes counts what is left',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const first = [randomHash(), randomHash()];
      await factors(store).saveRecoveryCodes(actorId, first);
      const second = [randomHash(), randomHash(), randomHash()];
      await factors(store).saveRecoveryCodes(actorId, second);
      assert.equal(await factors(store).countRecoveryCodes(actorId), 3);
      assert.equal(await factors(store).consumeRecoveryCode(actorId, first[0]), false, 'a replaced code is gone');
      assert.equal(await factors(store).consumeRecoveryCode(context.unique('actor'), second[0]), false, 'another actor cannot use it');
      assert.equal(await factors(store).consumeRecoveryCode(actorId, second[0]), true);
      assert.equal(await factors(store).consumeRecoveryCode(actorId, second[0]), false, 'used once');
      assert.equal(await factors(store).countRecoveryCodes(actorId), 2);
      await factors(store).saveRecoveryCodes(actorId, []);
      assert.equal(await factors(store).countRecoveryCodes(actorId), 0);
      assert.equal(await factors(store).consumeRecoveryCode(actorId, second[1]), false);
    },
  },
  {
    name: 'consumeRecoveryCode is atomic: of 10 concurrent uses of one code exactly one succeeds',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const code = randomHash();
      await factors(store).saveRecoveryCodes(actorId, [code]);
      const results = await Promise.all(Array.from({ length: 10 }, () => factors(store).consumeRecoveryCode(actorId, code)));
      assert.equal(results.filter(Boolean).length, 1);
    },
  },
  {
    name: 'markOneTimeUse is true once per actor and key until expiresAt, and true again after it',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const key = context.unique('code');
      const now = context.now();
      assert.equal(await factors(store).markOneTimeUse(actorId, key, now + 60_000, now), true);
      assert.equal(await factors(store).markOneTimeUse(actorId, key, now + 60_000, now + 1), false, 'the second use is refused');
      assert.equal(await factors(store).markOneTimeUse(context.unique('actor'), key, now + 60_000, now), true, 'keys are per actor');
      assert.equal(await factors(store).markOneTimeUse(actorId, context.unique('code'), now + 60_000, now), true, 'another key is free');
      const expired = context.unique('code');
      assert.equal(await factors(store).markOneTimeUse(actorId, expired, now - 1, now), true, 'a use already over is still the first');
      assert.equal(await factors(store).markOneTimeUse(actorId, expired, now + 60_000, now), true, 'an expired use no longer counts');
      assert.equal(await factors(store).markOneTimeUse(actorId, expired, now + 60_000, now), false);
    },
  },
  {
    name: 'markOneTimeUse is atomic: of 20 concurrent uses of one key exactly one is true',
    parts: ['secondFactors'],
    async run(store, context) {
      const actorId = context.unique('actor');
      const key = context.unique('code');
      const now = context.now();
      const results = await Promise.all(Array.from({ length: 20 }, () => factors(store).markOneTimeUse(actorId, key, now + 60_000, now)));
      assert.equal(results.filter(Boolean).length, 1);
    },
  },
  // ---- limits (consumeLimits, findTokenAndConsume, readLimits) ----
  {
    name: 'consumeLimits accepts exactly the limit in a window, refuses the next, and starts again in the next window',
    parts: ['limits'],
    async run(store, context) {
      const { start, subject, consume } = limitsFixture(store, context, nextWindowStart(context, 10_000));
      const counters = [counter(subject, { limit: 3 })];
      for (let i = 1; i <= 3; i += 1) {
        const outcome = await consume(counters, 1, start + i);
        assert.equal(outcome.allowed, true, `request ${i} of 3 should be accepted`);
        assert.deepEqual(outcome.counters, [{ name: 'burst', limit: 3, quota: false, start, resetsAt: start + 10_000, used: i }]);
      }
      const fourth = await consume(counters, 1, start + 9_999);
      assert.equal(fourth.allowed, false, 'the 4th request in the window should be refused');
      assert.equal(fourth.counters[0].used, 3, 'a refused request is not counted');
      const next = await consume(counters, 1, start + 10_000);
      assert.equal(next.allowed, true, 'the first request of the next window should be accepted');
      assert.deepEqual(next.counters[0], { name: 'burst', limit: 3, quota: false, start: start + 10_000, resetsAt: start + 20_000, used: 1 });
    },
  },
  {
    name: 'consumeLimits is all or nothing: a cost over what one counter has left counts in none',
    parts: ['limits'],
    async run(store, context) {
      const { start, month, subject, consume } = limitsFixture(store, context);
      const counters = [counter(subject, { name: 'burst', limit: 5, window: 60_000 }), counter(subject, { name: 'monthly', limit: 100, window: 'month', quota: true })];
      assert.equal((await consume(counters, 3, start)).allowed, true);
      const refused = await consume(counters, 3, start + 1);
      assert.equal(refused.allowed, false, 'cost 3 with 2 left should be refused');
      assert.deepEqual(refused.counters.map((c) => [c.name, c.used, c.quota]), [['burst', 3, false], ['monthly', 3, true]], 'neither counter should count the refused cost');
      assert.deepEqual([refused.counters[1].start, refused.counters[1].resetsAt], [month.start, month.end], 'a month window runs over the calendar month given');
      const exact = await consume(counters, 2, start + 2);
      assert.equal(exact.allowed, true, 'a cost of exactly what is left should be accepted');
      assert.deepEqual(exact.counters.map((c) => c.used), [5, 5]);
      const free = await consume(counters, 0, start + 3);
      assert.equal(free.allowed, true, 'a cost of 0 is accepted even when full');
    },
  },
  {
    name: 'consumeLimits is atomic: of 25 concurrent requests against a limit of 7, exactly 7 are accepted',
    parts: ['limits'],
    async run(store, context) {
      const { start, subject, actorId, consume } = limitsFixture(store, context);
      const counters = [counter(subject, { limit: 7, window: 60_000 }), counter(actorId, { name: 'shared', limit: 100, window: 60_000 })];
      const outcomes = await Promise.all(Array.from({ length: 25 }, (_, i) => consume(counters, 1, start + i)));
      assert.equal(outcomes.filter((o) => o.allowed).length, 7);
      const after = await consume(counters, 0, start + 30);
      assert.deepEqual(after.counters.map((c) => c.used), [7, 7], 'the shared counter counted only the accepted requests');
    },
  },
  {
    name: 'findTokenAndConsume reads the record and counts its limits (or the defaults) and its actor\'s in one call',
    parts: ['limits'],
    async run(store, context) {
      const { start, find, limitPlan, saveKey } = limitsFixture(store, context);
      if (!find) return;
      const plan = limitPlan({ defaults: [{ name: 'burst', limit: 2, window: 60_000, quota: false }], perActor: [{ name: 'account', limit: 3, window: 60_000, quota: false }] });
      const own = await saveKey({ data: limitedKeyData([{ name: 'own', limit: 1, window: 60_000, quota: true }]) });
      const plain = await saveKey({ data: null });
      const first = await find(own.hash, plan, start);
      assert.ok(first, 'the record should be found');
      assert.equal(first.record.hash, own.hash);
      assert.deepEqual(JSON.parse(JSON.stringify(first.record.data)), own.data, 'the record comes back whole');
      assert.deepEqual(first.outcome?.counters.map((c) => [c.name, c.used, c.quota]), [['own', 1, true], ['account', 1, false]], 'its own limits replace the defaults; the actor\'s apply too');
      assert.equal((await find(own.hash, plan, start + 1))?.outcome?.allowed, false, 'its own limit of 1 is used up');
      assert.deepEqual((await find(plain.hash, plan, start + 2))?.outcome?.counters.map((c) => [c.name, c.used]), [['burst', 1], ['account', 2]]);
      const third = await find(plain.hash, plan, start + 3);
      assert.deepEqual(third?.outcome?.counters.map((c) => [c.name, c.used]), [['burst', 2], ['account', 3]]);
      const refused = await find(plain.hash, plan, start + 4);
      assert.equal(refused?.outcome?.allowed, false, "the actor's shared limit of 3 refuses the key's 3rd request");
      assert.equal(await find(randomHash(), plan, start), null, 'an unknown hash resolves to null');
    },
  },
  {
    name: 'findTokenAndConsume counts nothing for a record of another kind or an expired one',
    parts: ['limits'],
    async run(store, context) {
      const { start: now, find, limitPlan, save, saveKey } = limitsFixture(store, context, context.now());
      if (!find) return;
      const plan = limitPlan({ defaults: [{ name: 'burst', limit: 5, window: 60_000, quota: false }] });
      const session = await save(tokenRecord({ actorId: context.unique('actor'), kind: 'session' }, context));
      const expired = await saveKey({ actorId: context.unique('actor'), expiresAt: now + HOUR });
      const found = await find(session.hash, plan, now);
      assert.equal(found?.record.kind, 'session', 'the record is still returned');
      assert.equal(found?.outcome, null, 'a record of another kind is not counted');
      const late = await find(expired.hash, plan, now + HOUR);
      assert.ok(late === null || late.outcome === null, 'a record expired at now is not counted');
      // An API key kept (and listed) past its own expiry, or disabled, is refused: it is not counted either.
      const keyData = limitedKeyData([{ name: 'own', limit: 5, window: 60_000, quota: false }]);
      const pastOwnExpiry = await saveKey({ actorId: context.unique('actor'), expiresAt: now + HOUR, data: { apiKey: { ...keyData.apiKey!, expiresAt: now - 1 } } });
      const disabled = await saveKey({ actorId: context.unique('actor'), data: { apiKey: { ...keyData.apiKey!, disabledAt: now - 1 } } });
      assert.equal((await find(pastOwnExpiry.hash, plan, now))?.outcome, null, 'an API key past its own expiry is not counted');
      assert.equal((await find(disabled.hash, plan, now))?.outcome, null, 'a disabled API key is not counted');
    },
  },
  {
    name: "findTokenAndConsume: a request refused by its actor's shared limit is counted in none of its key's own limits",
    parts: ['limits'],
    async run(store, context) {
      const { start, find, limitPlan, saveKey } = limitsFixture(store, context);
      if (!find) return;
      const plan = limitPlan({ perActor: [{ name: 'account', limit: 1, window: 60_000, quota: false }] });
      const own: LimitSpec = { name: 'own', limit: 5, window: 60_000, quota: false };
      const first = await saveKey({ data: limitedKeyData([own]) });
      const second = await saveKey({ data: limitedKeyData([own]) });
      assert.equal((await find(first.hash, plan, start))?.outcome?.allowed, true);
      const refused = await find(second.hash, plan, start + 1);
      assert.equal(refused?.outcome?.allowed, false, "the actor's limit of 1 is used up");
      assert.deepEqual(refused?.outcome?.counters.map((c) => [c.name, c.used]), [['own', 0], ['account', 1]], 'the refusal reports the counts before it');
      const read = await find(second.hash, { ...plan, cost: 0 }, start + 2);
      assert.deepEqual(read?.outcome?.counters.map((c) => [c.name, c.used]), [['own', 0], ['account', 1]], "the refused request is not in the key's own counter");
    },
  },
  {
    name: 'readLimits answers what each counter holds in the window now falls in, and counts nothing',
    parts: ['limits'],
    async run(store, context) {
      const { start, month, subject, consume, read } = limitsFixture(store, context);
      if (!read) return;
      const counters = [counter(subject, { name: 'burst', limit: 5, window: 60_000 }), counter(subject, { name: 'monthly', limit: 100, window: 'month', quota: true }), counter(context.unique('unused'), { limit: 9 })];
      assert.equal((await consume(counters.slice(0, 2), 3, start)).allowed, true);
      const expected = [
        { name: 'burst', limit: 5, quota: false, start, resetsAt: start + 60_000, used: 3 },
        { name: 'monthly', limit: 100, quota: true, start: month.start, resetsAt: month.end, used: 3 },
        { name: 'burst', limit: 9, quota: false, start, resetsAt: start + 10_000, used: 0 },
      ];
      for (let i = 0; i < 3; i += 1) assert.deepEqual(await read(counters, start + 5), expected, 'each counter as it stands, in the order given; 0 for one never counted');
      const exact = await consume(counters.slice(0, 2), 2, start + 6);
      assert.equal(exact.allowed, true, 'reading counted nothing: the 2 left are still there');
      assert.deepEqual(exact.counters.map((c) => c.used), [5, 5]);
      assert.deepEqual((await read(counters.slice(0, 1), start + 60_000)).map((c) => [c.start, c.used]), [[start + 60_000, 0]], 'the next window reads 0');
      assert.deepEqual(await read([], start), [], 'no counters, no answer');
    },
  },
  {
    name: 'readLimits reads the counters findTokenAndConsume counts: the key\'s own and its actor\'s',
    parts: ['limits'],
    async run(store, context) {
      const { start, month, actorId, find, read, limitPlan, saveKey } = limitsFixture(store, context);
      if (!read || !find) return;
      const own: LimitSpec = { name: 'own', limit: 10, window: 60_000, quota: false };
      const account: LimitSpec = { name: 'account', limit: 20, window: 'month', quota: true };
      const plan = limitPlan({ cost: 4, perActor: [account] });
      const key = await saveKey({ data: limitedKeyData([own]) });
      assert.equal((await find(key.hash, plan, start))?.outcome?.allowed, true);
      assert.equal((await find(key.hash, plan, start + 1))?.outcome?.allowed, true);
      const counters: LimitCounter[] = [{ ...own, subject: `key:${key.hash}` }, { ...account, subject: `actor:${actorId}` }];
      const states = await read(counters, start + 2);
      assert.deepEqual(states.map((c) => [c.name, c.used, c.resetsAt]), [['own', 8, start + 60_000], ['account', 8, month.end]]);
      assert.deepEqual((await find(key.hash, { ...plan, cost: 0 }, start + 3))?.outcome?.counters.map((c) => c.used), [8, 8], 'reading counted nothing');
    },
  },
] satisfies StoreConformanceCase[]);

/** The `data` of a store-issued API key with its own limits (`data.apiKey.limits`, where `tokens.create({ limits })` puts them). */
function limitedKeyData(own: LimitSpec[]): ApiKeyRecordData {
  return { apiKey: { start: 'gthkey_AbCd', expiresAt: null, disabledAt: null, metadata: null, service: null, replaces: null, replacedBy: null, limits: own } };
}

/** The test-runner functions {@link describeStoreConformance} registers with. */
export interface ConformanceRunner {
  /** Default: `globalThis.describe`. */
  describe?: (name: string, body: () => void) => void;
  /** Default: `globalThis.it`. */
  it?: (name: string, body: () => Promise<void>) => void;
  /** Default: `globalThis.afterAll` (used only with `closeStore`). */
  afterAll?: (body: () => Promise<void> | void) => void;
}

/** Options of {@link describeStoreConformance}. */
export interface DescribeStoreConformanceOptions extends ConformanceRunner {
  /**
   * Which parts the store implements; cases needing others are not registered. Default
   * `['tokens', 'revocations', 'attempts']`; add `'credentials'` (with `addUser`) for a
   * store with users (`findCredentials`, `findActor`), `'passwordUpdates'` (with
   * `addUser`) for one that has the optional `updatePasswordHash`, `'secondFactors'` for
   * one with the optional second-factor methods, and `'providerSessions'` for one with the
   * optional `saveProviderSession` and `findProviderSessionActors`.
   *
   * @example
   * ```ts
   * describeStoreConformance('users table', () => usersStore, { parts: ['credentials'], addUser });
   * ```
   */
  parts?: readonly StorePart[];
  /** Creates a user in the store; required with the `'credentials'` and `'passwordUpdates'` parts. Default: none. */
  addUser?: ConformanceAddUser;
  /** Called once after the suite with the store, e.g. to close its client. Default: none. */
  closeStore?: (store: ConformanceStore) => Promise<void> | void;
}

/** The options of {@link describeStoreConformance}; a compile error when they and the type disagree. */
const OPTION_NAMES: OptionNames<DescribeStoreConformanceOptions> = { describe: true, it: true, afterAll: true, parts: true, addUser: true, closeStore: true };

/**
 * Registers every conformance case as a test. `makeStore` runs once, before the first case
 * (lazily, so a host's `beforeAll` can connect first); every case gets fresh random keys.
 * Jest's globals are read when this is called, never at import, and can be passed in.
 *
 * @param name - The `describe` title, e.g. `'RedisStore'`.
 * @param makeStore - Resolves to the store under test.
 * @example
 * ```ts
 * import { describeStoreConformance } from 'express-gatehouse/testing';
 * describeStoreConformance('MyStore', () => new MyStore(db), { closeStore: (store) => db.close() });
 * ```
 */
export function describeStoreConformance(
  name: string,
  makeStore: () => ConformanceStore | Promise<ConformanceStore>,
  options: DescribeStoreConformanceOptions = {},
): void {
  const where = 'describeStoreConformance';
  // A misspelt `parts` would run the default parts and skip the ones asked for, unnoticed.
  if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where });
  const runnerGlobals = globalThis as unknown as ConformanceRunner;
  const describe = options.describe ?? runnerGlobals.describe;
  const it = options.it ?? runnerGlobals.it;
  const afterAll = options.afterAll ?? runnerGlobals.afterAll;
  if (typeof describe !== 'function' || typeof it !== 'function') {
    fail('describe', 'no describe/it found; run it under jest or pass { describe, it }.', { where, code: 'GATEHOUSE_MISSING_OPTION' });
  }
  if (typeof makeStore !== 'function') {
    fail('makeStore', 'makeStore must be a function resolving to the store under test.', { where });
  }
  const parts = new Set<StorePart>(options.parts ?? ['tokens', 'revocations', 'attempts']);
  for (const part of PARTS_NEEDING_USERS) {
    if (parts.has(part) && typeof options.addUser !== 'function') {
      fail('addUser', `the '${part}' part needs addUser(store, { login, passwordHash }) resolving to { id }.`, { where, code: 'GATEHOUSE_MISSING_OPTION' });
    }
  }
  let storePromise: Promise<ConformanceStore> | undefined;
  const store = (): Promise<ConformanceStore> => (storePromise ??= Promise.resolve().then(makeStore));

  describe(name, () => {
    for (const conformanceCase of storeConformanceCases) {
      if (!conformanceCase.parts.every((part) => parts.has(part))) continue;
      it(conformanceCase.name, async () => conformanceCase.run(await store(), createConformanceContext({ addUser: options.addUser })));
    }
    if (options.closeStore) {
      if (typeof afterAll !== 'function') {
        fail('afterAll', 'closeStore needs afterAll; run it under jest or pass { afterAll }.', { where, code: 'GATEHOUSE_MISSING_OPTION' });
      }
      const closeStore = options.closeStore;
      afterAll(async () => {
        if (!storePromise) return;
        let created: ConformanceStore;
        try {
          created = await storePromise;
        } catch {
          return; // makeStore failed; the cases already report why
        }
        await closeStore(created);
      });
    }
  });
}
