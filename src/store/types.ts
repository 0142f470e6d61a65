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

/** What `findCredentials` returns for a login that exists. */
export interface CredentialRecord {
  actor: Actor;
  /** bcrypt hash (`$2b$…`); `null` for actors that cannot log in with a password (app users). */
  passwordHash: string | null;
  /** After this moment a correct password answers 403.3. */
  passwordExpiresAt?: Date | number | null;
}

/** Users and their passwords. Logins arrive normalised (see `normalizeLogin`). */
export interface CredentialStore {
  findCredentials(login: string): Promise<CredentialRecord | null>;
  findActor(id: string): Promise<Actor | null>;
}

/** Kinds a token record can have: the public token kinds plus browser cookie sessions. */
export type StoredTokenKind = TokenKind | 'cookie';

/** One opaque credential, stored under the SHA-256 of its plaintext (never the plaintext). */
export interface TokenRecord {
  /** Lower-case hex SHA-256 of the token; the store's key. */
  hash: string;
  kind: StoredTokenKind;
  /** The actor it authenticates as; `null` only for cookie sessions not yet logged in. */
  actorId: string | null;
  createdAt: number;
  /** Absolute expiry; `null` means until revoked. */
  expiresAt: number | null;
  /** Last successful use, kept by `touchToken` when an idle timeout is configured. */
  lastUsedAt?: number | null;
  /** Set once by `markTokenUsed` (refresh-token rotation). */
  usedAt?: number | null;
  label?: string | null;
  /** Roles granted by the token itself (API keys); `null` means the actor's roles. */
  roles?: string[] | null;
  /** Refresh-token family: rotation keeps it, reuse revokes all of it. */
  familyId?: string | null;
  /** JSON-serialisable payload (cookie session data). */
  data?: unknown;
}

/** Opaque tokens: sessions, app-user keys, personal tokens, API keys, refresh tokens, cookie sessions. */
export interface TokenStore {
  /** Inserts or replaces the record with this hash. */
  saveToken(record: TokenRecord): Promise<void>;
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
  /** Records a use for idle timeouts; optional. */
  touchToken?(hash: string, lastUsedAt: number): Promise<void>;
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
  maxAttempts: number;
  windowMs: number;
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
}

/** Everything Gatehouse can use; `MemoryStore` implements all of it. */
export interface GatehouseStore extends CredentialStore, TokenStore, RevocationStore, AttemptStore {}
