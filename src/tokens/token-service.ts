/**
 * Issuing, verifying and revoking opaque tokens (`auth.tokens`).
 *
 * The plaintext token exists only in the return value of `issue`; the store sees its
 * SHA-256 hash. A token is refused by its shape (prefix, length, checksum) before any
 * store access, then looked up by hash — a hash lookup needs no constant-time compare.
 */
import type { Actor, TokenKind } from '../actor';
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import type { StoredTokenKind, TokenRecord } from '../store/types';
import { generateToken, hashSecret, parseTokenKind, TOKEN_KINDS } from './format';
import type { Revocations } from './revocations';

/** What `auth.tokens.issue` takes. */
export interface IssueTokenInput {
  /** The actor the token authenticates as; must exist in the store. */
  actorId: string;
  /** `'session'`, `'appUser'`, `'personal'`, `'apiKey'` or `'refresh'`. */
  kind: TokenKind;
  /**
   * Lifetime in milliseconds, fixed from creation; `null` for no expiry.
   * Default: `sessionToken.ttl` (24 h) for sessions, no expiry for the other kinds.
   */
  ttl?: number | null;
  /** A name to recognise the token by (e.g. "CI deploy key"). Default: none. */
  label?: string;
  /** Roles granted by the token instead of the actor's own (API keys). Default: the actor's roles. */
  roles?: string[];
}

/** What `issue` resolves to: the plaintext token, shown this once. */
export interface IssuedToken {
  token: string;
  kind: TokenKind;
  actorId: string;
  createdAt: Date;
  expiresAt: Date | null;
}

/** A token that checked out: who it is and when it stops working. */
export interface VerifiedToken {
  actor: Actor;
  kind: StoredTokenKind;
  createdAt: Date;
  expiresAt: Date | null;
  label: string | null;
  /** The store key (SHA-256 of the token), for revoking exactly this token. */
  hash: string;
}

/** How long tokens live. */
export interface TokenLifetimes {
  /** Lifetime of `session` tokens in ms, fixed from creation. */
  sessionTtl: number;
  /** Idle timeout of `session` tokens in ms, or `null` for none. */
  sessionIdleTimeout: number | null;
}

/** What the token service needs. */
export interface TokenServiceDependencies {
  store: GuardedStore;
  lifetimes: TokenLifetimes;
  now: () => number;
  /**
   * Where `revokeAll` records the actor's "not before", which credentials still being issued
   * (a login whose password check began before it) and those not in the token store (JWT
   * access tokens, host-stored cookie sessions) are checked against. Default: none.
   */
  revocations?: Revocations | null;
}

const MAX_LABEL_LENGTH = 200;

/** Opaque tokens: the `auth.tokens` object. */
export class TokenService {
  private readonly store: GuardedStore;
  private readonly lifetimes: TokenLifetimes;
  private readonly now: () => number;
  private readonly revocations: Revocations | null;

  constructor(dependencies: TokenServiceDependencies) {
    this.store = dependencies.store;
    this.lifetimes = dependencies.lifetimes;
    this.now = dependencies.now;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : null;
  }

  /**
   * Issues a token and resolves to its plaintext, which is never stored.
   *
   * @example
   * ```ts
   * const { token } = await auth.tokens.issue({ actorId: device.id, kind: 'appUser' });
   * // hand `https://api.example.org/v1/key/${token}/` to the field device
   * ```
   */
  async issue(input: IssueTokenInput): Promise<IssuedToken> {
    const { actorId, kind, label, roles } = validateIssueInput(input);
    const store = this.requireStore('saveToken');
    if (this.store.findActor && !(await this.store.findActor(actorId))) {
      throw new TypeError(`tokens.issue: no actor with id "${actorId}" in the store.`);
    }
    const createdAt = this.now();
    const ttl = input.ttl === undefined ? this.defaultTtl(kind) : input.ttl;
    const token = generateToken(kind);
    const record: TokenRecord = {
      hash: hashSecret(token),
      kind,
      actorId,
      createdAt,
      expiresAt: ttl === null ? null : createdAt + ttl,
      lastUsedAt: null,
      usedAt: null,
      label: label ?? null,
      roles: roles ?? null,
      familyId: null,
    };
    await store.saveToken(record);
    return {
      token,
      kind,
      actorId,
      createdAt: new Date(createdAt),
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
    };
  }

  /** Revokes one token; resolves to `true` when it existed. Malformed input resolves to `false`. */
  async revoke(token: string): Promise<boolean> {
    if (typeof token !== 'string' || parseTokenKind(token) === null) return false;
    return this.requireStore('deleteToken').deleteToken(hashSecret(token));
  }

  /** Revokes a token by its store key (the `hash` of a {@link VerifiedToken}). */
  async revokeByHash(hash: string): Promise<boolean> {
    return this.requireStore('deleteToken').deleteToken(hash);
  }

  /**
   * Revokes every credential of an actor: all its tokens (sessions, app-user keys, personal
   * tokens, store-issued API keys, refresh families, cookie sessions), and records a "not
   * before" that refuses the rest: outstanding JWT access tokens, sessions in a host's own
   * session store, and credentials still being issued by a login or refresh whose proof of
   * identity began before this call. Call it on password change or account removal.
   * Resolves to the number of token records removed.
   */
  async revokeAll(actorId: string): Promise<number> {
    if (typeof actorId !== 'string' || actorId === '') throw new TypeError('tokens.revokeAll: actorId must be a non-empty string.');
    const store = this.requireStore('deleteTokensForActor');
    // The "not before" goes first. A login or refresh in flight saves its credential either
    // before the delete below (and loses it there) or after it — and then its check of the
    // "not before" (Revocations.confirmProof), which follows its save, already sees this entry.
    if (this.revocations) await this.revocations.revokeActor(actorId);
    return store.deleteTokensForActor(actorId);
  }

  /**
   * Issues a token on a proof of identity made at `provenAt` (a login's password check):
   * refused with 401.2, and the token ended, when `revokeAll` ran at or after that moment.
   */
  async issueOnProof(input: IssueTokenInput, provenAt: number): Promise<IssuedToken> {
    const issued = await this.issue(input);
    await this.revocations?.confirmProof(input.actorId, provenAt, () => this.revokeByHash(hashSecret(issued.token)));
    return issued;
  }

  /** The token's actor and lifetime, or `null` when it is malformed, unknown, expired or its actor is gone. */
  async verify(token: string): Promise<VerifiedToken | null> {
    const kind = typeof token === 'string' ? parseTokenKind(token) : null;
    if (kind === null) return null;
    try {
      return await this.authenticate(token, [kind]);
    } catch (error) {
      if (error instanceof GatehouseError && error.status === 401) return null;
      throw error;
    }
  }

  /**
   * Authenticates a token presented as a credential. Rejects with 401.2 for anything that
   * does not check out and 401.4 for an expired token; store failures reject with 503.1.
   */
  async authenticate(token: string, acceptedKinds: readonly StoredTokenKind[]): Promise<VerifiedToken> {
    const claimedKind = parseTokenKind(token);
    if (claimedKind === null || !acceptedKinds.includes(claimedKind)) throw new GatehouseError('401.2');
    const hash = hashSecret(token);
    const record = await this.requireStore('findToken').findToken(hash);
    // The stored kind is authoritative; the prefix only lets us refuse early.
    if (!record || record.kind !== claimedKind || record.actorId === null) throw new GatehouseError('401.2');
    const now = this.now();
    if (record.expiresAt !== null && record.expiresAt <= now) throw new GatehouseError('401.4');
    // Only sessions with an idle timeout pay for the check (an await is a hop per request).
    if (this.lifetimes.sessionIdleTimeout !== null && record.kind === 'session') await this.enforceIdleTimeout(record, now);
    const found = await this.requireStore('findActor').findActor(record.actorId);
    if (!found) throw new GatehouseError('401.2');
    // A copy when the token grants its own roles: the host's store may cache and share its actor objects.
    const actor = record.roles ? { ...found, roles: [...record.roles] } : found;
    return {
      actor,
      kind: record.kind,
      createdAt: new Date(record.createdAt),
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
      label: record.label ?? null,
      hash,
    };
  }

  private async enforceIdleTimeout(record: TokenRecord, now: number): Promise<void> {
    const idle = this.lifetimes.sessionIdleTimeout;
    if (idle === null || record.kind !== 'session') return;
    const lastUsedAt = record.lastUsedAt ?? record.createdAt;
    if (now - lastUsedAt >= idle) throw new GatehouseError('401.4');
    // Write at most once per tenth of the timeout (and at least once a minute), not on every request.
    if (this.store.touchToken && now - lastUsedAt >= Math.min(idle / 10, 60_000)) {
      await this.store.touchToken(record.hash, now);
    }
  }

  private defaultTtl(kind: TokenKind): number | null {
    return kind === 'session' ? this.lifetimes.sessionTtl : null;
  }

  private requireStore<K extends keyof GuardedStore>(method: K): Required<Pick<GuardedStore, K>> {
    if (typeof this.store[method] !== 'function') {
      throw new TypeError(`The store does not implement ${String(method)}(), which auth.tokens needs.`);
    }
    return this.store as Required<Pick<GuardedStore, K>>;
  }
}

function validateIssueInput(input: IssueTokenInput): IssueTokenInput {
  if (!input || typeof input !== 'object') throw new TypeError('tokens.issue: pass { actorId, kind }.');
  const { actorId, kind, ttl, label, roles } = input;
  if (typeof actorId !== 'string' || actorId === '') throw new TypeError('tokens.issue: actorId must be a non-empty string.');
  if (!TOKEN_KINDS.includes(kind)) {
    throw new TypeError(`tokens.issue: kind must be one of ${TOKEN_KINDS.map((k) => `'${k}'`).join(', ')}.`);
  }
  if (ttl !== undefined && ttl !== null && !(Number.isSafeInteger(ttl) && ttl > 0)) {
    throw new TypeError('tokens.issue: ttl must be a positive whole number of milliseconds, or null for no expiry.');
  }
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LABEL_LENGTH)) {
    throw new TypeError(`tokens.issue: label must be a string of at most ${MAX_LABEL_LENGTH} characters.`);
  }
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new TypeError('tokens.issue: roles must be an array of strings.');
  }
  return input;
}
