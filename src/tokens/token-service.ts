/**
 * Issuing, verifying and revoking opaque tokens (`auth.tokens`).
 *
 * The plaintext token exists only in the return value of `issue`; the store sees its
 * SHA-256 hash. A token is refused by its shape (prefix, length, checksum) before any
 * store access, then looked up by hash — a hash lookup needs no constant-time compare.
 */
import type { Actor, TokenKind } from '../actor';
import { fail, GatehouseConfigError, knownOptions, type OptionNames } from '../config-error';
import { GatehouseError } from '../errors';
import { schemeOfTokenKind, type Emit } from '../events';
import type { GuardedStore } from '../store/guard';
import type { CountedToken, StoredTokenKind, TokenRecord } from '../store/types';
import { newCredentialId } from '../store/credential-id';
import { scopeListOption } from '../scopes';
import { generateToken, hashSecret, parseTokenKind, TOKEN_KINDS } from './format';
import type { Revocations } from './revocations';
import { keyLimitsOption, type KeyLimitsInput, type ResolvedRateLimits } from '../rate-limits/options';
import { countersOfRecord, limitsOfData, recordIsCounted, type LimitOutcome, type LimitSpec, type TokenLimitPlan } from '../rate-limits/policy';

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
  /**
   * The scopes the token holds, for `auth.require({ scopes })`: printable ASCII without spaces,
   * quotes or backslashes. Default: none given, so the token is not scoped.
   * @example auth.tokens.issue({ actorId: 'u1', kind: 'apiKey', scopes: ['reports:read'] })
   */
  scopes?: string[];
  /**
   * The key's own rate limits and quotas (API keys), or the name of a class of
   * `rateLimits.classes` (its limits as they are now are stored with the key). Needs
   * `rateLimits`. Default: the key has `rateLimits.limits`.
   * @example auth.tokens.issue({ actorId: 'u1', kind: 'apiKey', limits: [{ name: 'burst', limit: 10, window: '1s' }] })
   * @example auth.tokens.issue({ actorId: 'u1', kind: 'apiKey', limits: 'pro' })
   */
  limits?: KeyLimitsInput;
}

/** What a token record's `data` holds for a scoped or limited token (no store needs a field of its own). */
interface ScopedTokenData {
  scopes?: string[];
  limits?: LimitSpec[];
}

/** A store-issued key's check that also counts it against its rate limits (`rateLimits`). */
export interface TokenCounting {
  /** The plan handed to the store (`findTokenAndConsume`). */
  plan: TokenLimitPlan;
  /** Answers the outcome for the record: returns when accepted, throws the 429 otherwise. */
  settle(record: TokenRecord, outcome: LimitOutcome): void;
  /** On a store failure while counting, look the key up uncounted instead of failing (503.1). */
  failOpen: boolean;
}

/** The scopes a token record carries, or `undefined` when it is not scoped. */
function scopesOfRecord(record: TokenRecord): string[] | undefined {
  const scopes = (record.data as Partial<ScopedTokenData> | null | undefined)?.scopes;
  // Only the kinds issue() writes scopes for keep them in data (cookie and refresh data mean other things).
  return record.kind !== 'cookie' && record.kind !== 'refresh' && Array.isArray(scopes) ? [...scopes] : undefined;
}

/** What `issue` resolves to: the plaintext token, shown this once. */
export interface IssuedToken {
  /** The plaintext token (`gths_…`), to hand to the client; only its SHA-256 is stored. */
  token: string;
  /** The credential's id: stable, safe to show and log; `list` shows it and `revokeById` takes it. */
  id: string;
  /** The kind it was issued as. */
  kind: TokenKind;
  /** The actor it authenticates as. */
  actorId: string;
  /** When it was issued. */
  createdAt: Date;
  /** When it stops working; `null` when it lasts until revoked. */
  expiresAt: Date | null;
}

/** A token that checked out: who it is and when it stops working. */
export interface VerifiedToken {
  /** The token's actor from `findActor`; with the token's own roles (API keys) when it has them. */
  actor: Actor;
  /** The kind it was issued as. */
  kind: StoredTokenKind;
  /** When it was issued. */
  createdAt: Date;
  /** When it stops working; `null` when it lasts until revoked. */
  expiresAt: Date | null;
  /** The name it was issued with, or `null`. */
  label: string | null;
  /** The store key (SHA-256 of the token), for revoking exactly this token. */
  hash: string;
  /** The scopes it was issued with; absent when it is not scoped. */
  scopes?: string[];
}

/** One credential as `auth.tokens.list` shows it: never its secret or hash. */
export interface CredentialInfo {
  /** Stable and random: safe to show and log, and what `revokeById` takes. */
  id: string;
  /** `'session'`, `'appUser'`, `'personal'`, `'apiKey'`, `'refresh'`, or `'cookie'` (a browser session). */
  kind: StoredTokenKind;
  /** The name it was issued with, or `null`. */
  label: string | null;
  /** Roles the credential grants instead of the actor's own (API keys), or `null` for the actor's roles. */
  roles: string[] | null;
  /** The scopes it was issued with; absent when it is not scoped. */
  scopes?: string[];
  /** When it was issued. */
  createdAt: Date;
  /** When it stops working; `null` when it lasts until revoked. */
  expiresAt: Date | null;
  /**
   * Last successful use, or `null` when never used. Recorded at most once per
   * `lastUsedInterval` (default a minute), so it may lag the true last use by that much.
   */
  lastUsedAt: Date | null;
}

/** Options of `auth.tokens.list`. */
export interface ListCredentialsOptions {
  /** Only these kinds. Default: every kind. */
  kinds?: readonly StoredTokenKind[];
}

/** Options of `auth.tokens.revokeById`. */
export interface RevokeByIdOptions {
  /**
   * Revoke only when the credential belongs to this actor (resolves to `false` otherwise),
   * for endpoints where users manage their own credentials. Default (the key left out): any
   * actor's. When the key is present it must be a non-empty string: `{ actorId: undefined }`
   * throws a `GatehouseConfigError` (`GATEHOUSE_INVALID_OPTION`) rather than widen the scope.
   */
  actorId?: string;
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
  /** At most one last-use write per credential per this many ms. Default `60_000`. */
  lastUsedInterval?: number;
  /** Reports `token.issued`, `token.revoked` and `token.revokedAll`. Default: none. */
  emit?: Emit;
  /** The `rateLimits` option, for `issue({ limits })`. Default: none (`limits` refused). */
  rateLimits?: ResolvedRateLimits | null;
}

/** A session token or cookie session handed out by a login together with the other (they share a family). */
function isLinkedLogin(record: Pick<TokenRecord, 'kind' | 'familyId'>): boolean {
  return (record.kind === 'session' || record.kind === 'cookie') && typeof record.familyId === 'string' && record.familyId !== '';
}

/** A hook `revokeById` runs for a refresh token, to end its whole family. */
export type RevokeFamilyHook = (familyId: string) => Promise<unknown>;

/** Every kind `list({ kinds })` accepts. */
const STORED_TOKEN_KINDS: readonly StoredTokenKind[] = [...TOKEN_KINDS, 'cookie'];

/**
 * Credentials whose last use this process has just written, so requests in flight together
 * (all read the record before the first write lands) write once. The stored `lastUsedAt`
 * bounds the writes otherwise, so this only needs to span races; past this size it starts over.
 */
const MAX_RECENT_USES = 10_000;

const MAX_LABEL_LENGTH = 200;

/** Opaque tokens: the `auth.tokens` object. */
export class TokenService {
  private readonly store: GuardedStore;
  private readonly lifetimes: TokenLifetimes;
  private readonly now: () => number;
  private readonly revocations: Revocations | null;
  private readonly lastUsedInterval: number;
  private readonly recentUses = new Map<string, number>();
  private revokeFamilyHook: RevokeFamilyHook | null = null;
  private readonly emit: Emit;
  private readonly rateLimits: ResolvedRateLimits | null;

  constructor(dependencies: TokenServiceDependencies) {
    this.store = dependencies.store;
    this.lifetimes = dependencies.lifetimes;
    this.now = dependencies.now;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : null;
    this.lastUsedInterval = dependencies.lastUsedInterval ?? 60_000;
    this.emit = dependencies.emit ?? null;
    this.rateLimits = dependencies.rateLimits ?? null;
  }

  /** Makes `revokeById` of a refresh token end its family (and the access tokens bound to it). */
  onRevokeFamily(hook: RevokeFamilyHook): void {
    this.revokeFamilyHook = hook;
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
    return this.issueInFamily(input, null);
  }

  /** {@link issue}, the record in `familyId` (a login's token and cookie share one: see `login.credentials`). */
  private async issueInFamily(input: IssueTokenInput, familyId: string | null): Promise<IssuedToken> {
    const { actorId, kind, label, roles } = validateIssueInput(input);
    const scopes = scopeListOption(input.scopes, 'scopes', 'tokens.issue');
    const limits = this.limitsOption(input);
    const store = this.requireStore('saveToken');
    if (this.store.findActor && !(await this.store.findActor(actorId))) {
      fail('actorId', `no actor with id "${actorId}" in the store.`, { where: 'tokens.issue' });
    }
    const createdAt = this.now();
    const ttl = input.ttl === undefined ? this.defaultTtl(kind) : input.ttl;
    const token = generateToken(kind);
    const record: TokenRecord = {
      hash: hashSecret(token),
      id: newCredentialId(),
      kind,
      actorId,
      createdAt,
      expiresAt: ttl === null ? null : createdAt + ttl,
      lastUsedAt: null,
      usedAt: null,
      label: label ?? null,
      roles: roles ?? null,
      familyId,
      ...(scopes || limits ? { data: { ...(scopes ? { scopes } : {}), ...(limits ? { limits } : {}) } satisfies ScopedTokenData } : {}),
    };
    await store.saveToken(record);
    this.emit?.({ type: 'token.issued', scheme: schemeOfTokenKind(kind), actorId, ip: null, code: null, kind, expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt) });
    return {
      token,
      id: record.id!,
      kind,
      actorId,
      createdAt: new Date(createdAt),
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
    };
  }

  /**
   * Revokes one token; resolves to `true` when it existed. Malformed input resolves to `false`.
   * What ends with it is what {@link end} says: a session token handed out with a cookie by one
   * login (`login.credentials: 'token+cookie'`) ends the cookie too, and a refresh token ends its
   * whole family and the access tokens issued from it.
   */
  async revoke(token: string): Promise<boolean> {
    const kind = typeof token === 'string' ? parseTokenKind(token) : null;
    if (kind === null) return false;
    const removed = await this.revokeByHash(hashSecret(token));
    if (removed) this.emit?.({ type: 'token.revoked', scheme: schemeOfTokenKind(kind), actorId: null, ip: null, code: null, kind });
    return removed;
  }

  /** Revokes a token by its store key (the `hash` of a {@link VerifiedToken}), as {@link end} says. */
  async revokeByHash(hash: string): Promise<boolean> {
    const record = await this.requireStore('findToken').findToken(hash);
    return record !== null && record.hash === hash ? this.end(record) : false;
  }

  /**
   * Ends a stored credential and everything that ends with it: the one rule behind `revoke`,
   * `revokeById`, `DELETE /sessions/{token}` and logout. A refresh token ends its family (and,
   * through the family's revocation, the access tokens bound to it); a login's session token or
   * cookie session ends the login (both); any other credential ends alone. Resolves to `true`
   * when something was ended.
   */
  async end(record: Pick<TokenRecord, 'hash' | 'kind' | 'familyId'>): Promise<boolean> {
    if (record.kind === 'refresh' && record.familyId) {
      if (this.revokeFamilyHook) {
        await this.revokeFamilyHook(record.familyId);
        return true;
      }
      return (await this.endLogin(record.familyId)) > 0;
    }
    if (isLinkedLogin(record)) return (await this.endLogin(record.familyId!)) > 0;
    return this.requireStore('deleteToken').deleteToken(record.hash);
  }

  /**
   * Ends every credential one login handed out (its session token and its cookie session,
   * which share `loginId` as their family); resolves to how many records were removed.
   */
  async endLogin(loginId: string): Promise<number> {
    return this.requireStore('deleteTokenFamily').deleteTokenFamily(loginId);
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
    if (typeof actorId !== 'string' || actorId === '') fail('actorId', 'actorId must be a non-empty string.', { where: 'tokens.revokeAll' });
    const store = this.requireStore('deleteTokensForActor');
    // The "not before" goes first. A login or refresh in flight saves its credential either
    // before the delete below (and loses it there) or after it — and then its check of the
    // "not before" (Revocations.confirmProof), which follows its save, already sees this entry.
    if (this.revocations) await this.revocations.revokeActor(actorId);
    const removed = await store.deleteTokensForActor(actorId);
    this.emit?.({ type: 'token.revokedAll', scheme: null, actorId, ip: null, code: null, count: removed });
    return removed;
  }

  /**
   * Issues a token on a proof of identity made at `provenAt` (a login's password check):
   * refused with 401.2, and the token ended, when `revokeAll` ran at or after that moment.
   */
  async issueOnProof(input: IssueTokenInput, provenAt: number, loginId: string | null = null): Promise<IssuedToken> {
    const issued = await this.issueInFamily(input, loginId);
    await this.revocations?.confirmProof(input.actorId, provenAt, () => (loginId ? this.endLogin(loginId) : this.revokeByHash(hashSecret(issued.token))));
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
  async authenticate(token: string, acceptedKinds: readonly StoredTokenKind[], counting?: TokenCounting): Promise<VerifiedToken> {
    const claimedKind = parseTokenKind(token);
    if (claimedKind === null || !acceptedKinds.includes(claimedKind)) throw new GatehouseError('401.2');
    const hash = hashSecret(token);
    const record = counting ? await this.findCounted(hash, counting) : await this.requireStore('findToken').findToken(hash);
    // The stored kind is authoritative; the prefix only lets us refuse early.
    if (!record || record.kind !== claimedKind || record.actorId === null) throw new GatehouseError('401.2');
    const now = this.now();
    try {
      if (record.expiresAt !== null && record.expiresAt <= now) throw new GatehouseError('401.4');
      // Only sessions with an idle timeout pay for the check (an await is a hop per request).
      if (this.lifetimes.sessionIdleTimeout !== null && record.kind === 'session') await this.enforceIdleTimeout(record, now);
    } catch (error) {
      // A login's token that has expired takes its cookie with it: neither outlives the other.
      if (isLinkedLogin(record)) await this.endLogin(record.familyId!);
      throw error;
    }
    const found = await this.requireStore('findActor').findActor(record.actorId);
    if (!found) throw new GatehouseError('401.2');
    // A copy when the token grants its own roles: the host's store may cache and share its actor objects.
    const actor = record.roles ? { ...found, roles: [...record.roles] } : found;
    const lastUseWrite = this.recordUse(record, now);
    if (lastUseWrite) await lastUseWrite;
    return {
      actor,
      kind: record.kind,
      createdAt: new Date(record.createdAt),
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
      label: record.label ?? null,
      hash,
      ...scopesField(record),
    };
  }

  /**
   * The record of a rate-limited key, counted: one round trip with `findTokenAndConsume`,
   * else `findToken` then `consumeLimits` (for a record that counts). A refusal throws the 429
   * (`counting.settle`) before the actor is looked up.
   */
  private async findCounted(hash: string, counting: TokenCounting): Promise<TokenRecord | null> {
    const { plan } = counting;
    let found: CountedToken | null;
    try {
      if (this.store.findTokenAndConsume) {
        found = await this.store.findTokenAndConsume(hash, plan, this.now());
      } else {
        const record = await this.requireStore('findToken').findToken(hash);
        const now = this.now();
        const counted = record !== null && record.hash === hash && recordIsCounted(record, plan, now);
        found = record === null ? null : { record, outcome: counted ? await this.requireStore('consumeLimits').consumeLimits(countersOfRecord(plan, hash, record.actorId!, limitsOfData(record.data)), plan.cost, now, plan.month) : null };
      }
    } catch (error) {
      if (!(counting.failOpen && error instanceof GatehouseError && error.code === '503.1')) throw error;
      return this.requireStore('findToken').findToken(hash);
    }
    if (found === null || found.record.hash !== hash) return null;
    if (found.outcome) counting.settle(found.record, found.outcome);
    return found.record;
  }

  /** `issue`'s `limits`, checked and resolved against `rateLimits.classes`. */
  private limitsOption(input: IssueTokenInput): LimitSpec[] | undefined {
    if (input.limits === undefined) return undefined;
    if (!this.rateLimits) fail('limits', 'limits needs the rateLimits option of gatehouse().', { where: 'tokens.issue' });
    if (input.kind !== 'apiKey') fail('limits', "limits are for kind: 'apiKey'.", { where: 'tokens.issue' });
    return keyLimitsOption(input.limits, this.rateLimits.classes, 'limits', 'tokens.issue');
  }

  private async enforceIdleTimeout(record: TokenRecord, now: number): Promise<void> {
    const idle = this.lifetimes.sessionIdleTimeout;
    if (idle === null || record.kind !== 'session') return;
    const lastUsedAt = record.lastUsedAt ?? record.createdAt;
    if (now - lastUsedAt >= idle) throw new GatehouseError('401.4');
  }

  // ---- credential management: list, revoke by id, last use ----

  /**
   * The actor's live credentials (unexpired; for refresh tokens, the current one of each
   * family), oldest first — never a token or its hash. Needs a store with `listTokens`.
   *
   * @example
   * ```ts
   * const keys = await auth.tokens.list(user.id, { kinds: ['personal', 'apiKey'] });
   * // [{ id: 'Wc1…', kind: 'personal', label: 'CI deploy key', roles: null, createdAt, expiresAt: null, lastUsedAt }]
   * ```
   */
  async list(actorId: string, options: ListCredentialsOptions = {}): Promise<CredentialInfo[]> {
    if (typeof actorId !== 'string' || actorId === '') fail('actorId', 'actorId must be a non-empty string.', { where: 'tokens.list' });
    const kinds = validateKinds(options);
    const records = await this.requireStore('listTokens').listTokens(actorId);
    const now = this.now();
    return records
      .filter((record) => record.actorId === actorId && typeof record.id === 'string' && (!kinds || kinds.includes(record.kind)) && this.isLive(record, now))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id! < b.id! ? -1 : 1))
      .map(credentialInfo);
  }

  /**
   * Revokes the credential with this id (from `issue` or `list`); resolves to `true` when
   * one was ended. A refresh token ends its whole family. Needs a store with `findTokenById`.
   *
   * @example
   * ```ts
   * // DELETE /me/tokens/:id — a user ends one of their own tokens
   * const ended = await auth.tokens.revokeById(req.params.id, { actorId: req.user.id });
   * res.status(ended ? 204 : 404).end();
   * ```
   */
  async revokeById(id: string, options: RevokeByIdOptions = {}): Promise<boolean> {
    if (!options || typeof options !== 'object') {
      fail('', 'options must be an object such as { actorId: req.user.id }.', { where: 'tokens.revokeById' });
    }
    // A key that is there but empty (`req.user?.id` on a request without a user) is the caller's
    // mistake; read as "any actor" it would end someone else's credential.
    if ('actorId' in options && (typeof options.actorId !== 'string' || options.actorId === '')) {
      fail('actorId', 'options must be an object such as { actorId: req.user.id }; actorId, when given, must be a non-empty string (leave it out for any actor).', { where: 'tokens.revokeById' });
    }
    // A misspelt `actorId` would mean "any actor's".
    knownOptions(options, REVOKE_BY_ID_OPTION_NAMES, '', { where: 'tokens.revokeById' });
    if (typeof id !== 'string' || id === '') return false;
    const record = await this.requireStore('findTokenById').findTokenById(id);
    if (!record || record.id !== id) return false;
    if (options.actorId !== undefined && record.actorId !== options.actorId) return false;
    return this.end(record);
  }

  /** What `list` shows: unexpired, not a spent refresh token, not past a session idle timeout. */
  private isLive(record: TokenRecord, now: number): boolean {
    if (record.expiresAt !== null && record.expiresAt <= now) return false;
    if (record.kind === 'refresh' && record.usedAt != null) return false;
    const idle = this.lifetimes.sessionIdleTimeout;
    return !(idle !== null && record.kind === 'session' && now - (record.lastUsedAt ?? record.createdAt) >= idle);
  }

  /**
   * Records a successful use: one store write per credential per `lastUsedInterval` (per
   * tenth of the idle timeout for sessions that have one), never one per request. Returns
   * `null`, not a promise, when there is nothing to write, so most requests pay no await.
   */
  private recordUse(record: TokenRecord, now: number): Promise<void> | null {
    const touchToken = this.store.touchToken;
    if (!touchToken) return null;
    const idle = record.kind === 'session' ? this.lifetimes.sessionIdleTimeout : null;
    const interval = idle === null ? this.lastUsedInterval : Math.min(idle / 10, this.lastUsedInterval);
    if (record.lastUsedAt != null && now - record.lastUsedAt < interval) return null;
    const recent = this.recentUses.get(record.hash);
    if (recent !== undefined && now - recent < interval) return null;
    if (this.recentUses.size >= MAX_RECENT_USES) this.recentUses.clear();
    this.recentUses.set(record.hash, now);
    return touchToken(record.hash, now).catch((error: unknown) => {
      this.recentUses.delete(record.hash);
      throw error;
    });
  }

  private defaultTtl(kind: TokenKind): number | null {
    return kind === 'session' ? this.lifetimes.sessionTtl : null;
  }

  private requireStore<K extends keyof GuardedStore>(method: K): Required<Pick<GuardedStore, K>> {
    if (typeof this.store[method] !== 'function') {
      throw new GatehouseConfigError(`The store does not implement ${String(method)}(), which auth.tokens needs.`, { code: 'GATEHOUSE_STORE_METHODS_MISSING', option: 'store' });
    }
    return this.store as unknown as Required<Pick<GuardedStore, K>>;
  }
}

/** The fields of each call's object; compile errors when they and the types disagree. */
const ISSUE_INPUT_NAMES: OptionNames<IssueTokenInput> = { actorId: true, kind: true, ttl: true, label: true, roles: true, scopes: true, limits: true };
const LIST_OPTION_NAMES: OptionNames<ListCredentialsOptions> = { kinds: true };
const REVOKE_BY_ID_OPTION_NAMES: OptionNames<RevokeByIdOptions> = { actorId: true };

function validateKinds(options: ListCredentialsOptions): readonly StoredTokenKind[] | null {
  if (!options || typeof options !== 'object') fail('', "options must be an object such as { kinds: ['personal'] }.", { where: 'tokens.list' });
  knownOptions(options, LIST_OPTION_NAMES, '', { where: 'tokens.list' });
  const { kinds } = options;
  if (kinds === undefined) return null;
  if (!Array.isArray(kinds) || !kinds.every((kind) => STORED_TOKEN_KINDS.includes(kind))) {
    fail('kinds', `kinds must be an array of ${STORED_TOKEN_KINDS.map((k) => `'${k}'`).join(', ')}.`, { where: 'tokens.list' });
  }
  return kinds;
}

/** `{ scopes }` when the record is scoped, else nothing: an unscoped credential has no `scopes` member at all. */
function scopesField(record: TokenRecord): { scopes?: string[] } {
  const scopes = scopesOfRecord(record);
  return scopes ? { scopes } : {};
}

function credentialInfo(record: TokenRecord): CredentialInfo {
  return {
    id: record.id!,
    kind: record.kind,
    label: record.label ?? null,
    roles: record.roles ? [...record.roles] : null,
    ...scopesField(record),
    createdAt: new Date(record.createdAt),
    expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt),
    lastUsedAt: record.lastUsedAt == null ? null : new Date(record.lastUsedAt),
  };
}

function validateIssueInput(input: IssueTokenInput): IssueTokenInput {
  const where = 'tokens.issue';
  if (!input || typeof input !== 'object') fail('', 'pass { actorId, kind }.', { where, code: 'GATEHOUSE_MISSING_OPTION' });
  // A misspelt `roles` would issue the token with all of the actor's roles.
  knownOptions(input, ISSUE_INPUT_NAMES, '', { where });
  const { actorId, kind, ttl, label, roles } = input;
  if (typeof actorId !== 'string' || actorId === '') fail('actorId', 'actorId must be a non-empty string.', { where });
  if (!TOKEN_KINDS.includes(kind)) {
    fail('kind', `kind must be one of ${TOKEN_KINDS.map((k) => `'${k}'`).join(', ')}.`, { where });
  }
  if (ttl !== undefined && ttl !== null && !(Number.isSafeInteger(ttl) && ttl > 0)) {
    fail('ttl', 'ttl must be a positive whole number of milliseconds, or null for no expiry.', { where });
  }
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LABEL_LENGTH)) {
    fail('label', `label must be a string of at most ${MAX_LABEL_LENGTH} characters.`, { where });
  }
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    fail('roles', 'roles must be an array of strings.', { where });
  }
  return input;
}
