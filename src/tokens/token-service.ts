/**
 * Issuing, verifying and revoking opaque tokens (`auth.tokens`).
 *
 * The plaintext token exists only in the return value of `issue`; the store sees its
 * SHA-256 hash. A token is refused by its shape (prefix, length, checksum) before any
 * store access, then looked up by hash — a hash lookup needs no constant-time compare.
 */
import type { Actor, TokenKind } from '../actor';
import { GatehouseError } from '../errors';
import { schemeOfTokenKind, type Emit } from '../events';
import type { GuardedStore } from '../store/guard';
import type { StoredTokenKind, TokenRecord } from '../store/types';
import { generateToken, hashSecret, parseTokenKind, TOKEN_KINDS } from './format';

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
  /** Reports `token.issued`, `token.revoked` and `token.revokedAll`. Default: none. */
  emit?: Emit;
}

/** A hook `revokeAll` runs too (JWT not-before, cookie sessions kept elsewhere). */
export type RevokeAllHook = (actorId: string) => Promise<void>;

const MAX_LABEL_LENGTH = 200;

/** Opaque tokens: the `auth.tokens` object. */
export class TokenService {
  private readonly store: GuardedStore;
  private readonly lifetimes: TokenLifetimes;
  private readonly now: () => number;
  private readonly revokeAllHooks: RevokeAllHook[] = [];
  private readonly emit: Emit;

  constructor(dependencies: TokenServiceDependencies) {
    this.store = dependencies.store;
    this.lifetimes = dependencies.lifetimes;
    this.now = dependencies.now;
    this.emit = dependencies.emit ?? null;
  }

  /** Runs `hook` on every `revokeAll` (used by schemes whose credentials live outside the token store). */
  onRevokeAll(hook: RevokeAllHook): void {
    this.revokeAllHooks.push(hook);
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
    this.emit?.({ type: 'token.issued', scheme: schemeOfTokenKind(kind), actorId, ip: null, code: null, kind, expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt) });
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
    const kind = typeof token === 'string' ? parseTokenKind(token) : null;
    if (kind === null) return false;
    const removed = await this.requireStore('deleteToken').deleteToken(hashSecret(token));
    if (removed) this.emit?.({ type: 'token.revoked', scheme: schemeOfTokenKind(kind), actorId: null, ip: null, code: null, kind });
    return removed;
  }

  /** Revokes a token by its store key (the `hash` of a {@link VerifiedToken}). */
  async revokeByHash(hash: string): Promise<boolean> {
    return this.requireStore('deleteToken').deleteToken(hash);
  }

  /**
   * Revokes every credential of an actor: all its tokens (sessions, app-user keys, personal
   * tokens, store-issued API keys, refresh families, cookie sessions) and whatever the
   * enabled schemes registered (outstanding JWT access tokens). Call it on password change
   * or account removal. Resolves to the number of token records removed.
   */
  async revokeAll(actorId: string): Promise<number> {
    if (typeof actorId !== 'string' || actorId === '') throw new TypeError('tokens.revokeAll: actorId must be a non-empty string.');
    const removed = await this.requireStore('deleteTokensForActor').deleteTokensForActor(actorId);
    for (const hook of this.revokeAllHooks) await hook(actorId);
    this.emit?.({ type: 'token.revokedAll', scheme: null, actorId, ip: null, code: null, count: removed });
    return removed;
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
    const actor = await this.requireStore('findActor').findActor(record.actorId);
    if (!actor) throw new GatehouseError('401.2');
    if (record.roles) actor.roles = [...record.roles];
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
