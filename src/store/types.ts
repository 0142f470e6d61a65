/**
 * The storage interface the host implements (README, "Writing your own store").
 *
 * It is split by concern so a host implements only what it uses: a host with its own
 * user table implements {@link CredentialStore} and takes tokens, revocations and
 * counters from `express-gatehouse/redis` or `express-gatehouse/postgres`.
 *
 * Every method is async. A method that rejects (or does not answer in time) makes the
 * request fail closed with 503.1; the store's error text never reaches the client.
 * All times are milliseconds since the Unix epoch.
 */
import type { Actor, TokenKind } from '../actor';
import type { CounterState, LimitCounter, LimitOutcome, LimitSpec, MonthWindow, TokenLimitPlan } from '../rate-limits/policy';

/** What `findCredentials` returns for a login that exists. */
export interface CredentialRecord {
  /** Who the login belongs to: logins issue credentials for `actor.id`, and `findActor(actor.id)` must return the same actor. */
  actor: Actor;
  /** bcrypt hash (`$2b$…`); `null` for actors that cannot log in with a password (app users). */
  passwordHash: string | null;
  /** After this moment a correct password answers 403.3. */
  passwordExpiresAt?: Date | number | null;
}

/** Users and their passwords. Logins arrive normalised (see `normalizeLogin`). */
export interface CredentialStore {
  /**
   * The user a login belongs to, with their password hash, or `null` when no user has this
   * login. Called for every password check (login routes, Basic) and a password change.
   * `login` arrives as `normalizeLogin(login)` (NFC, trimmed, lower-case): store logins in
   * that form and match the whole login exactly (an `=` lookup, never a prefix or `LIKE`).
   * An unknown login still costs one bcrypt check, so unknown and known logins take one
   * time. `express-gatehouse/testing` checks it (part `'credentials'`).
   *
   * @param login - the normalised login, never empty.
   * @returns the record, or `null` for an unknown login.
   * @example
   * ```ts
   * async findCredentials(login) {
   *   const { rows } = await db.query('SELECT * FROM users WHERE login = $1', [login]);
   *   if (rows.length === 0) return null;
   *   return { actor: { id: rows[0].id, kind: 'user', roles: rows[0].roles }, passwordHash: rows[0].password_hash };
   * }
   * ```
   */
  findCredentials(login: string): Promise<CredentialRecord | null>;
  /**
   * The actor with this id, or `null` when there is none (a deleted user: their tokens,
   * cookies and JWTs then answer 401.2). Called on every request authenticated by an opaque
   * token, a cookie session, a JWT (unless `jwt.stateless`) or an API key with `actorId`, so
   * it should be one indexed lookup. Gatehouse never changes the object it gets (it copies
   * it before giving it a token's own roles), so a store may return cached actors.
   *
   * @param id - an actor id that `findCredentials` or the host gave out (`actor.id`).
   * @returns the actor, or `null`.
   * @example
   * ```ts
   * async findActor(id) {
   *   const { rows } = await db.query('SELECT * FROM users WHERE id = $1', [id]);
   *   return rows.length === 0 ? null : { id: rows[0].id, kind: 'user', roles: rows[0].roles };
   * }
   * ```
   */
  findActor(id: string): Promise<Actor | null>;
  /**
   * Optional. Replaces the actor's password hash with `newHash`, but only while it is still
   * `expectedHash` (a compare-and-set), and resolves to whether it did. Gatehouse calls it
   * after a successful login whose stored hash has another bcrypt cost than
   * `passwords.cost`, with a fresh hash of the same password at the configured cost, so
   * raising the cost upgrades every account at its next login. The compare-and-set keeps a
   * password changed meanwhile from being overwritten with the old one. Without this
   * method hashes stay as they are. `express-gatehouse/testing` checks it (part
   * `'passwordUpdates'`).
   *
   * @example
   * ```ts
   * async updatePasswordHash(actorId, expectedHash, newHash) {
   *   const { rowCount } = await db.query(
   *     'UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2', [actorId, expectedHash, newHash]);
   *   return rowCount === 1;
   * }
   * ```
   */
  updatePasswordHash?(actorId: string, expectedHash: string, newHash: string): Promise<boolean>;
  /**
   * Optional. The user's own password change after expiry (`passwordChange`): replaces the
   * hash with `newHash` while it is still `expectedHash` (a compare-and-set) and clears or
   * renews `passwordExpiresAt` as the host's policy says; resolves to whether it did.
   *
   * @example
   * ```ts
   * async changePassword(actorId, expectedHash, newHash) {
   *   const { rowCount } = await db.query(
   *     "UPDATE users SET password_hash = $3, password_expires_at = now() + interval '90 days' WHERE id = $1 AND password_hash = $2",
   *     [actorId, expectedHash, newHash]);
   *   return rowCount === 1;
   * }
   * ```
   */
  changePassword?(actorId: string, expectedHash: string, newHash: string): Promise<boolean>;
  /**
   * Optional. Whether the actor can sign in with a password (has a password hash). Unlinking an
   * identity at an OpenID provider asks it, so a user never unlinks the last way they can sign in
   * in; without it Gatehouse assumes no password, and the last identity stays linked.
   * `express-gatehouse/testing` checks it when present (part `'credentials'`).
   *
   * @example
   * ```ts
   * async hasPassword(actorId) {
   *   const { rows } = await db.query('SELECT password_hash IS NOT NULL AS has FROM users WHERE id = $1', [actorId]);
   *   return rows.length === 1 && rows[0].has;
   * }
   * ```
   */
  hasPassword?(actorId: string): Promise<boolean>;
}

/** Kinds a token record can have: the public token kinds plus browser cookie sessions. */
export type StoredTokenKind = TokenKind | 'cookie';

/** One opaque credential, stored under the SHA-256 of its plaintext (never the plaintext). */
export interface TokenRecord {
  /** Lower-case hex SHA-256 of the token; the store's key. */
  hash: string;
  /**
   * A stable, random identifier that is safe to show and log (it says nothing about the
   * token), for listing and revoking credentials by id. Gatehouse sets it on the tokens it
   * issues. A store that implements `listTokens`/`findTokenById` keeps the id of the record
   * it replaces when `saveToken` is given none, and gives a record saved without one (a
   * browser session, a record written before ids existed) a random id of its own.
   */
  id?: string | null;
  /** What the token is: a session, app-user, personal, API or refresh token, or a browser session (`'cookie'`). */
  kind: StoredTokenKind;
  /** The actor it authenticates as; `null` only for cookie sessions not yet logged in. */
  actorId: string | null;
  /** When it was issued. */
  createdAt: number;
  /** Absolute expiry; `null` means until revoked. */
  expiresAt: number | null;
  /** Last successful use, kept by `touchToken` at most once per `lastUsedInterval` (and for idle timeouts). */
  lastUsedAt?: number | null;
  /** Set once by `markTokenUsed` (refresh-token rotation). */
  usedAt?: number | null;
  /** A name for people to tell credentials apart (`'laptop'`, `'CI deploy key'`), from `auth.tokens.issue({ label })`. */
  label?: string | null;
  /** Roles granted by the token itself (API keys); `null` means the actor's roles. */
  roles?: string[] | null;
  /** Refresh-token family: rotation keeps it, reuse revokes all of it. */
  familyId?: string | null;
  /**
   * JSON-serialisable payload: cookie session data, `{ provenAt }` on refresh tokens (when
   * the login that started the family checked the password, in ms), or an API key's
   * {@link ApiKeyRecordData} (scopes, state, links).
   */
  data?: unknown;
}

/** What `findTokenAndConsume` resolves to for a hash that has a record. */
export interface CountedToken {
  /** The record, as `findToken` returns it. */
  record: TokenRecord;
  /** The outcome of counting it, or `null` when the record is not counted (another kind, expired, no actor). */
  outcome: LimitOutcome | null;
}

/**
 * What a store-issued API key (`kind: 'apiKey'`) keeps in its record's `data`, beside its
 * `scopes`: no store needs a column of its own for it, since every store keeps `data` as JSON.
 * For such a record, `TokenRecord.expiresAt` is when the store may forget it (the key's own
 * expiry, {@link ApiKeyDetails.expiresAt}, plus `apiKeyPolicy.retention`), so an expired key
 * stays listed until then.
 */
export interface ApiKeyDetails {
  /** The key's first characters (prefix and 4 more, e.g. `sk_live_3XbZ`), for people to recognise it. */
  start: string;
  /** When the key stops working (its expiry, or the end of a rotation's grace); `null` for never. */
  expiresAt: number | null;
  /** When `auth.tokens.disable` turned it off; `null` while enabled. */
  disabledAt: number | null;
  /** The host's own JSON data about the key (a plan, a customer id), from `auth.tokens.create`. */
  metadata: Record<string, unknown> | null;
  /** The service principal a key owned by no user authenticates as (its actor id is `service:<name>`); `null` for a user's key. */
  service: string | null;
  /** The id of the key this one replaced by `auth.tokens.rotate`, or `null`. */
  replaces: string | null;
  /** The id of the key that replaces this one (set by `auth.tokens.rotate`), or `null`. */
  replacedBy: string | null;
  /**
   * The key's own rate limits and quotas (`rateLimits`; a class's limits as they were when
   * given), the one place they live: set by `tokens.create`/`issue`/`update`, copied by
   * `rotate`, read by every store's `findTokenAndConsume`. Absent: `rateLimits.limits`.
   */
  limits?: LimitSpec[];
}

/** The `data` of a store-issued API key's record. */
export interface ApiKeyRecordData {
  /** The scopes it holds; absent when it is not scoped. */
  scopes?: string[];
  /** Its state and links; absent on API keys issued before these existed. */
  apiKey?: ApiKeyDetails;
}

/** Opaque tokens: sessions, app-user keys, personal tokens, API keys, refresh tokens, cookie sessions. */
export interface TokenStore {
  /** Inserts or replaces the record with this hash. */
  saveToken(record: TokenRecord): Promise<void>;
  /**
   * Replaces the record with this hash **only while one is stored**, atomically: it never
   * creates a record. Resolves to `true` when a record was replaced. Session write-backs use
   * it, so a request still in flight when its session is ended (logout, `revokeAll`) cannot
   * bring the session back when it finishes.
   */
  updateToken(record: TokenRecord): Promise<boolean>;
  /** The record, or `null`. May return an expired record; callers check `expiresAt`. */
  findToken(hash: string): Promise<TokenRecord | null>;
  /** `true` when a record was removed. */
  deleteToken(hash: string): Promise<boolean>;
  /** Removes every token of the actor (all kinds); resolves to how many. */
  deleteTokensForActor(actorId: string): Promise<number>;
  /** Removes every token of a refresh family; resolves to how many. */
  deleteTokenFamily(familyId: string): Promise<number>;
  /**
   * Atomically sets `usedAt` when it is not set yet and resolves to the record as it
   * was **before** (so exactly one of two concurrent callers sees `usedAt` empty).
   */
  markTokenUsed(hash: string, usedAt: number): Promise<TokenRecord | null>;
  /**
   * Records a use (last-use times, idle timeouts); never creates a record. Optional:
   * without it last use is not recorded and idle timeouts run from creation.
   */
  touchToken?(hash: string, lastUsedAt: number): Promise<void>;
  /**
   * Every record of the actor (any kind, expired ones allowed: callers check `expiresAt`),
   * each with its `id`, in any order. Optional; `auth.tokens.list` needs it. Keep a
   * per-actor index (the one `deleteTokensForActor` uses): this must not scan all tokens.
   */
  listTokens?(actorId: string): Promise<TokenRecord[]>;
  /** The record with this `id`, or `null`. Optional; `auth.tokens.revokeById` needs it. */
  findTokenById?(id: string): Promise<TokenRecord | null>;
  /**
   * Optional; `rateLimits` needs it. Atomically (across instances): reads the counter of each
   * limit in the window `now` falls in (`consumeCounters` of `rate-limits/policy.ts`: windows
   * aligned to the epoch, or `month`), and when every one has room for `cost` adds `cost` to
   * each; otherwise changes none. One round trip. `express-gatehouse/testing` checks it
   * (part `'limits'`).
   */
  consumeLimits?(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow): Promise<LimitOutcome>;
  /**
   * Optional; `auth.tokens.list` needs it to show API keys' usage (without it `used` is
   * `null`). What each counter holds in the window `now` falls in — the window and key
   * `consumeLimits` would count in (`counterWindowsAt` of `rate-limits/policy.ts`), 0 when there
   * is no counter — in the order given, **without counting**: no write and no lock, so reading
   * never changes what a request is allowed. One round trip. `express-gatehouse/testing`
   * checks it (part `'limits'`).
   */
  readLimits?(counters: readonly LimitCounter[], now: number, month: MonthWindow): Promise<CounterState[]>;
  /**
   * Optional. `findToken` and `consumeLimits` in **one** round trip, for a rate-limited
   * store-issued key: resolves to the record (or `null`) and, when the record is of
   * `plan.kind`, has an actor and has not expired at `now`, the outcome of consuming
   * `countersOfRecord(plan, hash, actorId, limitsOfData(record.data))`; `outcome` is `null`
   * when nothing was counted. Without it Gatehouse makes the two calls.
   */
  findTokenAndConsume?(hash: string, plan: TokenLimitPlan, now: number): Promise<CountedToken | null>;
  /**
   * Optional; a back-channel logout token that names the provider session (`sid`) without the
   * subject (`sub`) needs it (`oidc.providers`). Records that `session.actorId` holds
   * credentials handed out by sign-ins through the identity provider's session
   * (`session.issuer`, `session.sid`) until `session.expiresAt` (ms). Saving the same (issuer,
   * sid, actor) again with a later `expiresAt` extends the entry, with an earlier one leaves it
   * as it is; other actors' entries of the session are kept beside it. The entry may be
   * dropped after its `expiresAt`. `express-gatehouse/testing` checks it (part `'providerSessions'`).
   *
   * @example
   * ```ts
   * async saveProviderSession({ issuer, sid, actorId, expiresAt }) {
   *   await db.query(
   *     `INSERT INTO provider_sessions VALUES ($1, $2, $3, $4)
   *      ON CONFLICT (issuer, sid, actor_id) DO UPDATE SET expires_at = greatest(provider_sessions.expires_at, EXCLUDED.expires_at)`,
   *     [issuer, sid, actorId, expiresAt]);
   * }
   * ```
   */
  saveProviderSession?(session: ProviderSessionLink): Promise<void>;
  /**
   * Optional, with {@link saveProviderSession}: the actors recorded for the provider session
   * (issuer, sid) whose entry's `expiresAt` is after `now`, each once, in any order; `[]` when
   * none. Called by every back-channel logout that names a `sid`: one indexed lookup.
   *
   * @example
   * ```ts
   * async findProviderSessionActors(issuer, sid, now) {
   *   const { rows } = await db.query('SELECT actor_id FROM provider_sessions WHERE issuer = $1 AND sid = $2 AND expires_at > $3', [issuer, sid, now]);
   *   return rows.map((row) => row.actor_id);
   * }
   * ```
   */
  findProviderSessionActors?(issuer: string, sid: string, now: number): Promise<string[]>;
}

/**
 * One actor's credentials from one session at an OpenID provider (`saveProviderSession`): what
 * lets a back-channel logout that names only the provider session (`sid`) find them.
 */
export interface ProviderSessionLink {
  /** The provider's issuer identifier (the ID token's `iss`), exactly as the provider states it. */
  issuer: string;
  /** The provider's session id (the ID token's `sid`), matched exactly. */
  sid: string;
  /** The actor the sign-ins through that session signed in as. */
  actorId: string;
  /** Until when (ms) credentials of that sign-in may live: the entry may be dropped after it. */
  expiresAt: number;
}

/** Revocations of credentials that are not stored (JWT `jti`s, per-actor "not before"). */
export interface RevocationStore {
  /** Records that `key` was revoked at `revokedAt`; the entry may be dropped after `expiresAt`. */
  saveRevocation(key: string, revokedAt: number, expiresAt: number): Promise<void>;
  /** For each key, in order, when it was revoked, or `null`. One round trip. */
  findRevocations(keys: readonly string[]): Promise<Array<number | null>>;
}

/** A failed-attempt counter as read or after an update. */
export interface AttemptState {
  /** Failures counted in the current window. */
  count: number;
  /** While in the future, the login is locked. */
  lockedUntil: number | null;
}

/** How failures are counted and when they lock. */
export interface AttemptPolicy {
  /** Failures within one window that lock the login (`lockout.maxAttempts`). */
  maxAttempts: number;
  /** How long failures are counted, from the first failure of a window, in ms (`lockout.window`). */
  windowMs: number;
  /** How long a lock lasts from the failure that set it, in ms (`lockout.duration`). */
  lockMs: number;
}

/** Failed-login counters, keyed by normalised login (or login and IP). */
export interface AttemptStore {
  /** The counter now; an elapsed window or lock reads as `{ count: 0, lockedUntil: null }`. */
  readAttempts(key: string, now: number): Promise<AttemptState>;
  /**
   * Atomically counts one failure. The window starts at the first failure; when the
   * count reaches `maxAttempts`, `lockedUntil` becomes `now + lockMs`.
   */
  recordFailedAttempt(key: string, policy: AttemptPolicy, now: number): Promise<AttemptState>;
  /** Resets the counter; resolves to the count it had. */
  clearAttempts(key: string): Promise<number>;
  /**
   * Optional. Resets the counter `subject` and every per-client counter of it — each key of the
   * form `ip:<client>:<subject>` (what `lockout.by: 'login+ip'` writes) — and resolves to the
   * counts they had, summed. `auth.lockout.clear(login)` needs it to unlock a login in every
   * client's counter; without it only `subject` itself is cleared. An administrator's call, not
   * a per-request one: a store may scan for the keys.
   *
   * @example
   * ```ts
   * async clearAttemptsOf(subject) {
   *   const { rows } = await db.query(
   *     "DELETE FROM attempts WHERE key = $1 OR (starts_with(key, 'ip:') AND right(key, char_length($1) + 1) = ':' || $1) RETURNING count", [subject]);
   *   return rows.reduce((sum, row) => sum + row.count, 0);
   * }
   * ```
   */
  clearAttemptsOf?(subject: string): Promise<number>;
}

/**
 * One second factor of an actor (README, "Second factor"). Gatehouse writes TOTP factors
 * (`kind: 'totp'`, `id: 'totp'`); the record leaves room for other kinds beside it (a WebAuthn
 * credential would be `kind: 'webauthn'` with its credential id as `id`).
 */
export interface SecondFactorRecord {
  /** The actor it belongs to. */
  actorId: string;
  /** Unique per actor: `'totp'` for the one TOTP factor, a credential id for kinds with several. */
  id: string;
  /** What kind of factor: `'totp'`. */
  kind: string;
  /**
   * The factor's secret as Gatehouse hands it over, opaque to the store: for TOTP, the shared
   * secret sealed with AES-256-GCM under `secondFactor.encryptionKeys` (never the plaintext).
   */
  secret: string;
  /** When it was enrolled, in ms. */
  createdAt: number;
  /** When the first valid code confirmed it, in ms; `null` while enrolment waits for it (the factor is not asked for then). */
  confirmedAt: number | null;
}

/**
 * Second factors (`secondFactor` option): the factors themselves, single-use recovery codes
 * stored hashed, and the one-time-use window that refuses a code (or a challenge ticket)
 * the second time, on every instance sharing the store. Optional as a whole; needed only
 * when `secondFactor` is on, and then all of it (`gatehouse()` names what is missing).
 * `express-gatehouse/testing` checks it (part `'secondFactors'`).
 */
export interface SecondFactorStore {
  /**
   * Every factor of the actor (confirmed or not), in any order; `[]` when none. Called after
   * every correct password (so every login with a password pays it, enrolled or not), and
   * by the second step. One indexed lookup.
   * @example
   * ```ts
   * async findSecondFactors(actorId) {
   *   const { rows } = await db.query('SELECT * FROM second_factors WHERE actor_id = $1', [actorId]);
   *   return rows.map((row) => ({ actorId, id: row.id, kind: row.kind, secret: row.secret, createdAt: Number(row.created_at), confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at) }));
   * }
   * ```
   */
  findSecondFactors?(actorId: string): Promise<SecondFactorRecord[]>;
  /** Inserts, or replaces the actor's factor with the same `id`. */
  saveSecondFactor?(record: SecondFactorRecord): Promise<void>;
  /** Removes the actor's factor with this `id`; resolves to whether one was there. */
  deleteSecondFactor?(actorId: string, id: string): Promise<boolean>;
  /**
   * Replaces all of the actor's recovery codes with these (lower-case hex SHA-256 hashes of
   * the codes; `[]` removes them all).
   */
  saveRecoveryCodes?(actorId: string, hashes: readonly string[]): Promise<void>;
  /**
   * Removes one recovery code by its hash, atomically: resolves to `true` for exactly one of
   * two concurrent callers with the same hash, `false` when the actor has no such code.
   */
  consumeRecoveryCode?(actorId: string, hash: string): Promise<boolean>;
  /** How many recovery codes the actor has left. */
  countRecoveryCodes?(actorId: string): Promise<number>;
  /**
   * The used-code window: records `key` as used by the actor until `expiresAt` (ms), atomically,
   * and resolves to `true` when it was not recorded yet (or its earlier record's `expiresAt` is
   * at or before `now`, the caller's clock, as for the attempt counters), `false` otherwise. Of two concurrent callers with one key, on any instances, exactly one
   * gets `true`. Gatehouse records each accepted TOTP code (for as long as it could be
   * accepted) and each used challenge ticket.
   */
  markOneTimeUse?(actorId: string, key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** An identity at an OpenID provider, linked to one actor (`oidc.providers`). */
export interface IdentityLink {
  /** The provider's issuer identifier (the ID token's `iss`), exactly as the provider states it. */
  issuer: string;
  /** The provider's subject identifier (the ID token's `sub`): unique and never reassigned within the issuer. */
  subject: string;
  /** The actor the identity signs in as. */
  actorId: string;
  /** When the link was made (ms). */
  linkedAt: number;
}

/**
 * Identities at OpenID providers and the actors they sign in as (README, "Sign in through an
 * OpenID provider"). Optional as a whole: `oidc.providers` needs it. An (issuer, subject)
 * pair is linked to at most one actor; an actor may have several identities.
 * `express-gatehouse/testing` checks it (part `'identities'`).
 */
export interface IdentityStore {
  /**
   * The actor id the identity (issuer, subject) is linked to, or `null`. Called on every
   * sign-in through a provider and every back-channel logout: one indexed lookup.
   *
   * @example
   * ```ts
   * async findIdentity(issuer, subject) {
   *   const { rows } = await db.query('SELECT actor_id FROM identities WHERE issuer = $1 AND subject = $2', [issuer, subject]);
   *   return rows.length === 0 ? null : { issuer, subject, actorId: rows[0].actor_id, linkedAt: rows[0].linked_at };
   * }
   * ```
   */
  findIdentity?(issuer: string, subject: string): Promise<IdentityLink | null>;
  /**
   * Links the identity to `link.actorId` unless it is already linked (to anyone), atomically;
   * resolves to the link that holds afterwards (the existing one when there was one), so
   * two first sign-ins racing each other end on one actor.
   *
   * @example
   * ```ts
   * async linkIdentity(link) {
   *   await db.query('INSERT INTO identities VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [link.issuer, link.subject, link.actorId, link.linkedAt]);
   *   return (await this.findIdentity(link.issuer, link.subject))!;
   * }
   * ```
   */
  linkIdentity?(link: IdentityLink): Promise<IdentityLink>;
  /**
   * Removes the link of (issuer, subject) when it points at `actorId`; resolves to whether it did.
   *
   * @example
   * ```ts
   * async unlinkIdentity(issuer, subject, actorId) {
   *   const { rowCount } = await db.query('DELETE FROM identities WHERE issuer = $1 AND subject = $2 AND actor_id = $3', [issuer, subject, actorId]);
   *   return rowCount === 1;
   * }
   * ```
   */
  unlinkIdentity?(issuer: string, subject: string, actorId: string): Promise<boolean>;
  /**
   * Every identity linked to the actor, in any order.
   *
   * @example
   * ```ts
   * async listIdentities(actorId) {
   *   const { rows } = await db.query('SELECT * FROM identities WHERE actor_id = $1', [actorId]);
   *   return rows.map((row) => ({ issuer: row.issuer, subject: row.subject, actorId, linkedAt: Number(row.linked_at) }));
   * }
   * ```
   */
  listIdentities?(actorId: string): Promise<IdentityLink[]>;
}

/** Everything Gatehouse can use; `MemoryStore` implements all of it. */
export interface GatehouseStore extends CredentialStore, TokenStore, RevocationStore, AttemptStore, SecondFactorStore, IdentityStore {}
