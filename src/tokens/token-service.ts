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
import { apiKeyEventFields, schemeOfTokenKind, type Emit } from '../events';
import type { GuardedStore } from '../store/guard';
import type { ApiKeyDetails, ApiKeyRecordData, CountedToken, StoredTokenKind, TokenRecord } from '../store/types';
import { newCredentialId } from '../store/credential-id';
import { scopeListOption } from '../scopes';
import { storedMethods } from '../authentication-proof';
import { generateToken, hashSecret, TOKEN_KINDS } from './format';
import { apiKeyStart, claimedTokenKind, generateApiKey } from './api-key-format';
import { apiKeyState, keyExpiry, parseDuration, resolveApiKeyPolicy, retainedUntil, type ApiKeyState, type Duration, type ResolvedApiKeyPolicy } from './api-key-policy';
import type { Revocations } from './revocations';
import { keyLimitsOption, type KeyLimitsInput, type ResolvedRateLimits } from '../rate-limits/options';
import { countersOfRecord, limitsOfData, recordIsCounted, type LimitOutcome, type LimitSpec, type TokenLimitPlan } from '../rate-limits/policy';
import type { SignInOrigin } from './sign-in-device';
import { keyLimitUsages, type KeyLimitUsage } from './api-key-usage';
import type { IdentityProviderSession } from './provider-sessions';

export type { IdentityProviderSession } from './provider-sessions';

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

/** What a token record's `data` holds for a scoped token (no store needs a field of its own). */
interface ScopedTokenData {
  scopes?: string[];
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

/**
 * What a session token's record keeps in `data` about the login that issued it (beside any
 * `scopes`): when the proof was made (ms) and with which RFC 8176 methods. Raised by
 * re-authentication ({@link TokenService.raiseProof}).
 */
interface ProvenTokenData {
  provenAt: number;
  amr: string[];
}

/** A token record's proof, or `undefined` for a token issued without one (`tokens.issue`, earlier versions). */
function proofOfRecord(record: TokenRecord): { provenAt: number; amr: string[] } | undefined {
  if (record.kind !== 'session') return undefined;
  const data = record.data as Partial<ProvenTokenData> | null | undefined;
  const amr = storedMethods(data?.amr);
  return typeof data?.provenAt === 'number' && Number.isFinite(data.provenAt) && amr ? { provenAt: data.provenAt, amr } : undefined;
}

/** What a login's session token keeps in `data` about the client that signed in (`selfService`). */
interface SignInTokenData {
  signIn: SignInOrigin;
}

/** What a token record's `data` holds for a login through an identity provider. */
interface IdentityProviderData {
  identityProvider: IdentityProviderSession;
}

/** The scopes a token record carries, or `undefined` when it is not scoped. */
function scopesOfRecord(record: TokenRecord): string[] | undefined {
  const scopes = (record.data as Partial<ScopedTokenData> | null | undefined)?.scopes;
  // Only the kinds issue() writes scopes for keep them in data (cookie and refresh data mean other things).
  return record.kind !== 'cookie' && record.kind !== 'refresh' && Array.isArray(scopes) ? [...scopes] : undefined;
}

/** The API-key details of a record, or `null` (another kind, or a key issued before they existed). */
function apiKeyDetailsOf(record: TokenRecord): ApiKeyDetails | null {
  if (record.kind !== 'apiKey') return null;
  const details = (record.data as ApiKeyRecordData | null | undefined)?.apiKey;
  return details && typeof details === 'object' ? details : null;
}

/** The actor id of a service principal's keys. */
function serviceActorId(service: string): string {
  return `service:${service}`;
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
  /** When its login proved the actor (ms), raised by re-authentication; absent for a token issued without a login. */
  provenAt?: number;
  /** How that login proved it (RFC 8176 `amr`); present with `provenAt`. */
  amr?: string[];
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
  /** When it stops working (an API key: its expiry, or the end of its rotation's grace); `null` when it lasts until revoked. */
  expiresAt: Date | null;
  /** `'active'`, or for a store-issued API key `'rotating'`, `'disabled'` or `'expired'` (see {@link ApiKeyState}). */
  state: ApiKeyState;
  /** An API key's first characters (`sk_live_3XbZ`), to recognise it by; absent for other credentials. */
  start?: string;
  /** An API key's metadata from `create`/`update`; absent for other credentials. */
  metadata?: Record<string, unknown> | null;
  /** The service principal an API key authenticates as, or `null` for a user's key; absent for other credentials. */
  service?: string | null;
  /** The id of the API key this one replaced (`rotate`), or `null`; absent for other credentials. */
  replaces?: string | null;
  /** The id of the API key that replaces this one (`rotate`), or `null`; absent for other credentials. */
  replacedBy?: string | null;
  /**
   * An API key's rate limits and quotas, each with where it comes from (`source`: the key's own,
   * `rateLimits.limits`, or `rateLimits.perActor`) and its usage: the cost counted in the current
   * window (`used`, `remaining`) and when the window resets (`resetsAt`), read from the store's
   * counters without counting a request. Present for API keys while `rateLimits` is on (`[]`
   * when no limit applies); absent for other credentials.
   * @example [{ name: 'daily', limit: 10_000, window: 86_400_000, quota: true, source: 'key', used: 120, remaining: 9880, resetsAt: new Date('2026-12-06T00:00:00Z') }]
   */
  limits?: KeyLimitUsage[];
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
  /** Reports `token.issued`, `token.revoked`, `token.revokedAll` and the `apiKey.*` events. Default: none. */
  emit?: Emit;
  /** The `rateLimits` option, for `issue({ limits })`. Default: none (`limits` refused). */
  rateLimits?: ResolvedRateLimits | null;
  /** Prefix, expiry bounds and retention of store-issued API keys. Default: `resolveApiKeyPolicy(undefined)`. */
  apiKeyPolicy?: ResolvedApiKeyPolicy;
}

/** What `auth.tokens.create` takes: a user's key (`actorId`) or a service key (`service`). */
export interface CreateApiKeyInput {
  /**
   * The user the key authenticates as; must exist in the store. Give this or `service`.
   * @example auth.tokens.create({ actorId: req.user.id, name: 'CI' })
   */
  actorId?: string;
  /**
   * A service principal owned by no user: the key authenticates as
   * `{ id: 'service:<name>', kind: 'apiKey', roles }` without a store actor, as a role-only
   * entry of the `apiKeys` map does. Letters, digits, `.`, `_`, `-`, at most 64. Give this or `actorId`.
   * @example auth.tokens.create({ service: 'billing-sync', roles: ['billing'] })
   */
  service?: string;
  /** A name for people (`'CI deploy key'`), at most 200 characters; `list` shows it as `label`, as for `issue`. Default: none. */
  label?: string;
  /**
   * The host's own JSON data about the key (a plan, a customer id): a plain object, at most
   * 4096 characters as JSON; never used to decide anything. Default: none.
   * @example { metadata: { plan: 'pro' } }
   */
  metadata?: Record<string, unknown>;
  /** The scopes the key holds, for `auth.require({ scopes })`. Default: none (not scoped). */
  scopes?: string[];
  /** Roles the key grants instead of the actor's own (a service key's only roles). Default: the actor's roles; none for a service key. */
  roles?: string[];
  /**
   * When the key stops working (a `Date` or ms since the epoch), or `null` for never; within
   * `apiKeyPolicy.expiry`. Default: the policy's default lifetime from now.
   * @example { expiresAt: new Date('2027-01-01') }
   */
  expiresAt?: Date | number | null;
  /**
   * The key's lifetime from now instead of `expiresAt` (`'90d'`, or ms); `null` for never.
   * @example { expiresIn: '90d' }
   */
  expiresIn?: Duration | null;
  /**
   * The key's own rate limits and quotas, or the name of a class of `rateLimits.classes` (its
   * limits as they are now are stored with the key, in `data.apiKey.limits`; `rotate` copies
   * them). Needs `rateLimits`. Default: the key has `rateLimits.limits`.
   * @example auth.tokens.create({ actorId: 'u1', limits: [{ name: 'daily', limit: 10_000, window: '1d', quota: true }] })
   * @example auth.tokens.create({ actorId: 'u1', limits: 'pro' })
   */
  limits?: KeyLimitsInput;
}

/** What `create` and `rotate` resolve to: the key itself, shown this once, and what `list` shows of it. */
export interface CreatedApiKey extends CredentialInfo {
  /** The plaintext key (`gthkey_…` or your `apiKeyPolicy.prefix`), to hand to its holder once; only its SHA-256 is stored. */
  key: string;
  /** The actor it authenticates as (`service:<name>` for a service key). */
  actorId: string;
}

/** The changes `auth.tokens.update` makes; a field left out stays as it is. */
export interface UpdateApiKeyInput {
  /** A new name (`label`), or `null` for none. */
  label?: string | null;
  /** New metadata (replacing the old), or `null` for none. */
  metadata?: Record<string, unknown> | null;
  /** New scopes, or `null` to make the key unscoped. */
  scopes?: string[] | null;
  /** `false` disables the key (refused with 401.2, kept and listed), `true` enables it again. */
  enabled?: boolean;
  /**
   * New rate limits and quotas (a list, or a class name of `rateLimits.classes`), or `null` for
   * `rateLimits.limits` again. Needs `rateLimits`. Counters already used in this window stay.
   * @example auth.tokens.update(id, { limits: 'pro' })
   */
  limits?: KeyLimitsInput | null;
}

/** Options of `auth.tokens.update`, `disable`, `enable` and `rotate`. */
export interface ApiKeyOwnerOptions {
  /**
   * Act only when the key belongs to this actor (resolves to `null`/`false` otherwise), for pages
   * where users manage their own keys. When present it must be a non-empty string.
   * Default (left out): any actor's key.
   * @example { actorId: req.user.id }
   */
  actorId?: string;
}

/** Options of `auth.tokens.rotate`. */
export interface RotateApiKeyOptions extends ApiKeyOwnerOptions {
  /**
   * How long the old key keeps working beside the new one (`'24h'`, or ms). Default `0`: the
   * old key stops at once (and stays listed as `'expired'` until the retention ends).
   * @example { grace: '24h' }
   */
  grace?: Duration;
  /** When the new key stops working, as `create` takes it. Default: the policy's default lifetime. */
  expiresAt?: Date | number | null;
  /** The new key's lifetime, as `create` takes it. */
  expiresIn?: Duration | null;
}

/** The record a counted lookup found (`null`: none with this hash), its outcome settled first: a refusal throws the 429. */
function countedRecord(found: CountedToken | null, hash: string, counting: TokenCounting): TokenRecord | null {
  if (found === null || found.record.hash !== hash) return null;
  if (found.outcome) counting.settle(found.record, found.outcome);
  return found.record;
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
const MAX_METADATA_LENGTH = 4096;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Keys whose expiry this process has reported (`apiKey.expired` once per key); past this size it starts over. */
const MAX_NOTICED_EXPIRIES = 10_000;

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
  private readonly apiKeyPolicy: ResolvedApiKeyPolicy;
  private readonly noticedExpiries = new Set<string>();

  constructor(dependencies: TokenServiceDependencies) {
    this.store = dependencies.store;
    this.lifetimes = dependencies.lifetimes;
    this.now = dependencies.now;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : null;
    this.lastUsedInterval = dependencies.lastUsedInterval ?? 60_000;
    this.emit = dependencies.emit ?? null;
    this.rateLimits = dependencies.rateLimits ?? null;
    this.apiKeyPolicy = dependencies.apiKeyPolicy ?? resolveApiKeyPolicy(undefined);
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
    return this.issueInFamily(input, null, null);
  }

  /**
   * {@link issue}, the record in `familyId` (a login's token and cookie share one: see
   * `login.credentials`), with the login's proof and, when `selfService` records it, where the
   * login came from; for a sign-in through an identity provider, the provider's session.
   */
  private async issueInFamily(
    input: IssueTokenInput,
    familyId: string | null,
    proof: ProvenTokenData | null,
    signIn: SignInOrigin | null = null,
    identityProvider: IdentityProviderSession | null = null,
  ): Promise<IssuedToken> {
    const { actorId, kind, label, roles } = validateIssueInput(input);
    const scopes = scopeListOption(input.scopes, 'scopes', 'tokens.issue');
    if (input.limits !== undefined && kind !== 'apiKey') fail('limits', "limits are for kind: 'apiKey'.", { where: 'tokens.issue' });
    const limits = this.limitsOption(input.limits, 'tokens.issue');
    if (kind === 'apiKey') {
      const expiry = input.ttl === undefined ? {} : { expiresIn: input.ttl };
      const { created } = await this.createKey({ actorId, service: null, label: label ?? null, roles: roles ?? null, scopes, metadata: null, ...expiry, ...(limits ? { limits } : {}) }, 'tokens.issue');
      return { token: created.key, id: created.id, kind, actorId, createdAt: created.createdAt, expiresAt: created.expiresAt };
    }
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
      ...(scopes || proof || signIn || identityProvider
        ? {
            data: {
              ...(scopes ? ({ scopes } satisfies ScopedTokenData) : {}),
              ...(proof ?? {}),
              ...(signIn ? ({ signIn } satisfies SignInTokenData) : {}),
              ...(identityProvider ? ({ identityProvider } satisfies IdentityProviderData) : {}),
            },
          }
        : {}),
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
    const kind = typeof token === 'string' ? claimedTokenKind(token) : null;
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
   * Issues a token on a proof of identity made at `provenAt` (a login's password check) with
   * the RFC 8176 methods `amr` (default `['pwd']`), both kept in the record for step-up:
   * refused with 401.2, and the token ended, when `revokeAll` ran at or after that moment.
   * `signIn` is where the login came from (`selfService`), `identityProvider` the provider's
   * session of a sign-in through `oidc.providers` (its back-channel logout finds the token).
   */
  async issueOnProof(
    input: IssueTokenInput,
    provenAt: number,
    loginId: string | null = null,
    amr: readonly string[] = ['pwd'],
    signIn: SignInOrigin | null = null,
    identityProvider: IdentityProviderSession | null = null,
  ): Promise<IssuedToken> {
    const issued = await this.issueInFamily(input, loginId, { provenAt, amr: [...amr] }, signIn, identityProvider);
    await this.revocations?.confirmProof(input.actorId, provenAt, () => (loginId ? this.endLogin(loginId) : this.revokeByHash(hashSecret(issued.token))));
    return issued;
  }

  /** The token's actor and lifetime, or `null` when it is malformed, unknown, expired or its actor is gone. */
  async verify(token: string): Promise<VerifiedToken | null> {
    const kind = typeof token === 'string' ? claimedTokenKind(token) : null;
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
  authenticate(token: string, acceptedKinds: readonly StoredTokenKind[], counting?: TokenCounting): Promise<VerifiedToken> {
    try {
      const claimedKind = claimedTokenKind(token);
      if (claimedKind === null || !acceptedKinds.includes(claimedKind)) throw new GatehouseError('401.2');
      return this.authenticateHashed(hashSecret(token), claimedKind, counting);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@link TokenService.authenticate} for a caller that has checked the token's format itself
   * (`claimedKind` is what `claimedTokenKind` answers for it, one of the kinds the caller
   * accepts) and hashed it (`hashSecret`): the API key scheme hashes a key once, for its
   * configured map and the store.
   */
  async authenticateHashed(hash: string, claimedKind: StoredTokenKind, counting?: TokenCounting): Promise<VerifiedToken> {
    let record: TokenRecord | null;
    if (!counting) record = await this.requireStore('findToken').findToken(hash);
    // The usual counted check, inline: one await fewer on every rate-limited key's request.
    else if (this.store.findTokenAndConsume && !counting.failOpen) record = countedRecord(await this.store.findTokenAndConsume(hash, counting.plan, this.now()), hash, counting);
    else record = await this.findCounted(hash, counting);
    // The stored kind is authoritative; the prefix only lets us refuse early.
    if (!record || record.kind !== claimedKind || record.actorId === null) throw new GatehouseError('401.2');
    const now = this.now();
    const details = apiKeyDetailsOf(record);
    if (details) this.checkApiKey(record, details, now);
    try {
      if (record.expiresAt !== null && record.expiresAt <= now) throw new GatehouseError('401.4');
      // Only sessions with an idle timeout pay for the check (an await is a hop per request).
      if (this.lifetimes.sessionIdleTimeout !== null && record.kind === 'session') await this.enforceIdleTimeout(record, now);
    } catch (error) {
      // A login's token that has expired takes its cookie with it: neither outlives the other.
      if (isLinkedLogin(record)) await this.endLogin(record.familyId!);
      throw error;
    }
    // A service key is its own actor, as a role-only key of the apiKeys map is: no store actor to find.
    const found = details?.service ? { id: record.actorId, kind: 'apiKey', roles: [], displayName: details.service } : await this.requireStore('findActor').findActor(record.actorId);
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
      ...proofOfRecord(record),
    };
  }

  /**
   * The record of a rate-limited key, counted: one round trip with `findTokenAndConsume`,
   * else `findToken` then `consumeLimits` (for a record that counts). A refusal throws the 429
   * (`counting.settle`) before the actor is looked up. With `failOpen`, a store failure finds
   * the record uncounted. (`authenticateHashed` makes the usual call, `findTokenAndConsume`
   * without `failOpen`, itself.)
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
    return countedRecord(found, hash, counting);
  }

  /**
   * An API key's `limits` (of `issue`, `create` or `update`), checked and resolved against
   * `rateLimits.classes`: a class name is stored as the class's limits as they are now.
   */
  private limitsOption(limits: KeyLimitsInput | undefined, where: string): LimitSpec[] | undefined {
    if (limits === undefined) return undefined;
    if (!this.rateLimits) fail('limits', 'limits needs the rateLimits option of gatehouse().', { where });
    return keyLimitsOption(limits, this.rateLimits.classes, 'limits', where);
  }

  /**
   * Re-authentication of a session token (`POST {sessions}/reauthenticate`): its proof is now
   * the one made at `provenAt` with `amr`, kept in its record. Rejects with 401.2, and ends the
   * token, when it is gone (logout, `revokeAll`) or `revokeAll` ran for its actor since its
   * earlier proof — a later proof never brings back what was revoked before it. Only `session`
   * tokens (a login's) have a proof to raise: any other kind is refused with 403.1.
   */
  async raiseProof(hash: string, actorId: string, provenAt: number, amr: readonly string[]): Promise<void> {
    const record = await this.requireStore('findToken').findToken(hash);
    if (!record || record.hash !== hash || record.actorId !== actorId) throw new GatehouseError('401.2');
    if (record.kind !== 'session') throw new GatehouseError('403.1');
    const earlier = proofOfRecord(record)?.provenAt ?? record.createdAt;
    const data = { ...((record.data as Record<string, unknown> | null | undefined) ?? {}), provenAt, amr: [...amr] } satisfies ProvenTokenData;
    if (!(await this.requireStore('updateToken').updateToken({ ...record, data }))) throw new GatehouseError('401.2');
    await this.revocations?.confirmProof(actorId, Math.min(earlier, provenAt), () => this.end(record));
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
   * family), oldest first — never a token or its hash. Needs a store with `listTokens`. While
   * `rateLimits` is on, each API key comes with its `limits` and their usage, read for all the
   * keys listed with one `readLimits` call, which counts nothing.
   *
   * @example
   * ```ts
   * const keys = await auth.tokens.list(user.id, { kinds: ['personal', 'apiKey'] });
   * // [{ id: 'Wc1…', kind: 'personal', label: 'CI deploy key', roles: null, createdAt, expiresAt: null, lastUsedAt }]
   * // an API key also: { state, start, …, limits: [{ name: 'burst', limit: 100, window: 10000, quota: false, source: 'default', used: 7, remaining: 93, resetsAt }] }
   * ```
   */
  async list(actorId: string, options: ListCredentialsOptions = {}): Promise<CredentialInfo[]> {
    if (typeof actorId !== 'string' || actorId === '') fail('actorId', 'actorId must be a non-empty string.', { where: 'tokens.list' });
    const kinds = validateKinds(options);
    const records = await this.requireStore('listTokens').listTokens(actorId);
    const now = this.now();
    const live = records
      .filter((record) => record.actorId === actorId && typeof record.id === 'string' && (!kinds || kinds.includes(record.kind)) && this.isLive(record, now))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id! < b.id! ? -1 : 1));
    return this.withLimits(
      live.map((record) => credentialInfo(record, now)),
      live,
      now,
      false,
    );
  }

  /**
   * `infos` with each API key's `limits` and usage while `rateLimits` is on: one `readLimits`
   * for all of them, which counts nothing. After a change was made (`create`, `rotate`,
   * `update`), a store failure while reading leaves `used` `null` instead of failing the call:
   * the change stands, and a new key must still reach its holder.
   */
  private async withLimits<T extends CredentialInfo>(infos: T[], records: readonly TokenRecord[], now: number, afterChange: boolean): Promise<T[]> {
    if (!this.rateLimits) return infos;
    const read = this.store.readLimits ?? null;
    let usages: Array<KeyLimitUsage[] | undefined>;
    try {
      usages = await keyLimitUsages(this.rateLimits, records, now, read);
    } catch (error) {
      if (!afterChange || !(error instanceof GatehouseError && error.code === '503.1')) throw error;
      usages = await keyLimitUsages(this.rateLimits, records, now, null);
    }
    return infos.map((info, index) => (usages[index] ? { ...info, limits: usages[index] } : info));
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

  // ---- API keys as a product: create, update, enable/disable, rotate ----

  /**
   * Creates an API key in the configured format (`apiKeyPolicy.prefix`, 256 random bits, a
   * checksum) for a user (`actorId`) or a service principal (`service`), with a label, metadata,
   * scopes, roles and an expiry within `apiKeyPolicy.expiry`. Resolves to the key, shown this
   * once, and what {@link list} shows of it. Reports `token.issued` and `apiKey.created`.
   *
   * @example
   * ```ts
   * const { key, id, start } = await auth.tokens.create({ actorId: req.user.id, label: 'CI', scopes: ['reports:read'], expiresIn: '90d' });
   * const svc = await auth.tokens.create({ service: 'billing-sync', roles: ['billing'] });
   * ```
   */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const where = 'tokens.create';
    if (!input || typeof input !== 'object') fail('', "pass { actorId } or { service }, e.g. { actorId: req.user.id, label: 'CI' }.", { where, code: 'GATEHOUSE_MISSING_OPTION' });
    knownOptions(input, CREATE_INPUT_NAMES, '', { where });
    const { actorId, service, label, roles } = input;
    if ((actorId === undefined) === (service === undefined)) fail('actorId', 'give actorId (a user\'s key) or service (a service key), not both.', { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    if (actorId !== undefined && (typeof actorId !== 'string' || actorId === '')) fail('actorId', 'actorId must be a non-empty string.', { where });
    if (service !== undefined && !(typeof service === 'string' && SERVICE_NAME.test(service))) {
      fail('service', 'service must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.', { where });
    }
    validateName(label, 'label', where);
    if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) fail('roles', 'roles must be an array of strings.', { where });
    const metadata = validateMetadata(input.metadata, where);
    const scopes = scopeListOption(input.scopes, 'scopes', where);
    const limits = this.limitsOption(input.limits, where);
    const { created, record } = await this.createKey(
      {
        actorId: actorId ?? serviceActorId(service!),
        service: service ?? null,
        label: label ?? null,
        roles: roles ? [...roles] : null,
        scopes,
        metadata,
        expiresAt: input.expiresAt,
        expiresIn: input.expiresIn,
        ...(limits ? { limits } : {}),
      },
      where,
    );
    return (await this.withLimits([created], [record], record.createdAt, true))[0];
  }

  /**
   * {@link create} after validation; `issue({ kind: 'apiKey' })` and {@link rotate} come here too.
   * Resolves to the key with what `list` shows of it (its `limits` left to the caller) and its record.
   */
  private async createKey(
    input: {
      actorId: string;
      service: string | null;
      label: string | null;
      roles: string[] | null;
      scopes: string[] | undefined;
      metadata: Record<string, unknown> | null;
      expiresAt?: Date | number | null;
      expiresIn?: Duration | null;
      replaces?: string;
      limits?: LimitSpec[];
    },
    where: string,
  ): Promise<{ created: CreatedApiKey; record: TokenRecord }> {
    const store = this.requireStore('saveToken');
    const createdAt = this.now();
    const expiresAt = keyExpiry(this.apiKeyPolicy, input, createdAt, where);
    if (input.service === null && this.store.findActor && !(await this.store.findActor(input.actorId))) {
      fail('actorId', `no actor with id "${input.actorId}" in the store.`, { where });
    }
    const key = generateApiKey(this.apiKeyPolicy.prefix);
    const details: ApiKeyDetails = {
      start: apiKeyStart(key),
      expiresAt,
      disabledAt: null,
      metadata: input.metadata,
      service: input.service,
      replaces: input.replaces ?? null,
      replacedBy: null,
      ...(input.limits !== undefined ? { limits: input.limits } : {}),
    };
    const record: TokenRecord = {
      hash: hashSecret(key),
      id: newCredentialId(),
      kind: 'apiKey',
      actorId: input.actorId,
      createdAt,
      expiresAt: retainedUntil(expiresAt, this.apiKeyPolicy),
      lastUsedAt: null,
      usedAt: null,
      label: input.label,
      roles: input.roles,
      familyId: null,
      data: { ...(input.scopes ? { scopes: input.scopes } : {}), apiKey: details } satisfies ApiKeyRecordData,
    };
    await store.saveToken(record);
    const expires = expiresAt === null ? null : new Date(expiresAt);
    this.emit?.({ type: 'token.issued', scheme: schemeOfTokenKind('apiKey'), actorId: input.actorId, ip: null, code: null, kind: 'apiKey', expiresAt: expires });
    this.emit?.({ type: 'apiKey.created', ...apiKeyEventFields(input.actorId, record.id!), expiresAt: expires, service: input.service });
    return { created: { key, actorId: input.actorId, ...credentialInfo(record, createdAt) }, record };
  }

  /**
   * Changes an API key's label, metadata or scopes, or enables/disables it (`enabled`), keeping
   * the key itself. Resolves to what {@link list} shows of it afterwards, or `null` when there is
   * no such API key (or it is not `options.actorId`'s). A disabled key answers 401.2 until
   * enabled again; an expired key cannot be enabled back to life (its expiry stands).
   *
   * @example
   * ```ts
   * await auth.tokens.update(id, { label: 'CI (old runner)', enabled: false }, { actorId: req.user.id });
   * ```
   */
  async update(id: string, changes: UpdateApiKeyInput, options: ApiKeyOwnerOptions = {}): Promise<CredentialInfo | null> {
    const changed = await this.change(id, changes, options);
    return changed && (await this.withLimits([credentialInfo(changed.record, changed.now)], [changed.record], changed.now, true))[0];
  }

  /** {@link update} without reading the key's usage (`disable` and `enable` answer a boolean): the changed record, or `null`. */
  private async change(id: string, changes: UpdateApiKeyInput, options: ApiKeyOwnerOptions): Promise<{ record: TokenRecord; now: number } | null> {
    const where = 'tokens.update';
    if (!changes || typeof changes !== 'object') fail('', "changes must be an object such as { label: 'CI' } or { enabled: false }.", { where });
    knownOptions(changes, UPDATE_INPUT_NAMES, '', { where });
    if (changes.label !== null) validateName(changes.label, 'label', where);
    if (changes.enabled !== undefined && typeof changes.enabled !== 'boolean') fail('enabled', 'enabled must be true or false.', { where });
    const metadata = changes.metadata === null ? null : validateMetadata(changes.metadata, where);
    const scopes = changes.scopes === null ? null : scopeListOption(changes.scopes, 'scopes', where);
    const limits = changes.limits === null ? null : this.limitsOption(changes.limits, where);
    const found = await this.findApiKey(id, options, where);
    if (!found) return null;
    const { record, details } = found;
    const now = this.now();
    const fields: Array<'label' | 'metadata' | 'scopes' | 'limits'> = [];
    const data: ApiKeyRecordData = { ...(record.data as ApiKeyRecordData) };
    const next: ApiKeyDetails = { ...details };
    if (changes.label !== undefined) {
      record.label = changes.label;
      fields.push('label');
    }
    if (changes.metadata !== undefined) {
      next.metadata = metadata ?? null;
      fields.push('metadata');
    }
    if (changes.scopes !== undefined) {
      if (scopes) data.scopes = scopes;
      else delete data.scopes;
      fields.push('scopes');
    }
    if (changes.limits !== undefined) {
      if (limits) next.limits = limits;
      else delete next.limits;
      fields.push('limits');
    }
    const wasEnabled = details.disabledAt === null;
    if (changes.enabled !== undefined && changes.enabled !== wasEnabled) next.disabledAt = changes.enabled ? null : now;
    record.data = { ...data, apiKey: next } satisfies ApiKeyRecordData;
    // Replaces the record only while it is stored: a key revoked meanwhile stays revoked.
    if (!(await this.requireStore('updateToken').updateToken(record))) return null;
    const event = apiKeyEventFields(record.actorId!, record.id!);
    if (fields.length > 0) this.emit?.({ type: 'apiKey.updated', ...event, fields });
    if (wasEnabled !== (next.disabledAt === null)) this.emit?.({ type: next.disabledAt === null ? 'apiKey.enabled' : 'apiKey.disabled', ...event });
    return { record, now };
  }

  /**
   * Turns an API key off without deleting it: it answers 401.2 and is listed as `'disabled'`
   * until {@link enable}. Resolves to `false` when there is no such key (or not the actor's).
   *
   * @example
   * ```ts
   * await auth.tokens.disable(id, { actorId: req.user.id });
   * ```
   */
  async disable(id: string, options: ApiKeyOwnerOptions = {}): Promise<boolean> {
    return (await this.change(id, { enabled: false }, options)) !== null;
  }

  /**
   * Turns a disabled API key back on. Resolves to `false` when there is no such key (or not the actor's).
   *
   * @example
   * ```ts
   * await auth.tokens.enable(id, { actorId: req.user.id });
   * ```
   */
  async enable(id: string, options: ApiKeyOwnerOptions = {}): Promise<boolean> {
    return (await this.change(id, { enabled: true }, options)) !== null;
  }

  /**
   * Replaces an API key with a new one that has the same owner, label, metadata, scopes and
   * roles. The old key keeps working for `grace` (default 0), listed as `'rotating'` with
   * `replacedBy`; the new one is listed with `replaces`. Revoking either during the grace is
   * final. Resolves to the new key (shown this once), or `null` when there is no such key (or
   * not the actor's). A key that is expired, disabled or already rotated is refused with a
   * `GatehouseConfigError` (`option: 'id'`). Reports `token.issued`, `apiKey.created` and `apiKey.rotated`.
   *
   * @example
   * ```ts
   * const { key } = await auth.tokens.rotate(id, { grace: '24h', actorId: req.user.id }) ?? {};
   * ```
   */
  async rotate(id: string, options: RotateApiKeyOptions = {}): Promise<CreatedApiKey | null> {
    const where = 'tokens.rotate';
    const grace = options && typeof options === 'object' && options.grace !== undefined ? parseDuration(options.grace, 'grace', where, true) : 0;
    const found = await this.findApiKey(id, options, where, ROTATE_OPTION_NAMES);
    if (!found) return null;
    const { record, details } = found;
    const now = this.now();
    const state = apiKeyState(details, now);
    if (state !== 'active') fail('id', `only an active key can be rotated; this one is ${state}.`, { where });
    const data = record.data as ApiKeyRecordData;
    const { created, record: successor } = await this.createKey(
      {
        actorId: record.actorId!,
        service: details.service,
        label: record.label ?? null,
        roles: record.roles ?? null,
        scopes: data.scopes,
        metadata: details.metadata,
        expiresAt: options.expiresAt,
        expiresIn: options.expiresIn,
        replaces: record.id!,
        ...(details.limits !== undefined ? { limits: details.limits } : {}),
      },
      where,
    );
    const graceEndsAt = details.expiresAt === null ? now + grace : Math.min(details.expiresAt, now + grace);
    record.data = { ...data, apiKey: { ...details, replacedBy: created.id, expiresAt: graceEndsAt } } satisfies ApiKeyRecordData;
    record.expiresAt = retainedUntil(graceEndsAt, this.apiKeyPolicy);
    // The old key was revoked meanwhile: the rotation did not happen, and its successor goes too.
    if (!(await this.requireStore('updateToken').updateToken(record))) {
      await this.requireStore('deleteToken').deleteToken(hashSecret(created.key));
      return null;
    }
    this.emit?.({ type: 'apiKey.rotated', ...apiKeyEventFields(record.actorId!, record.id!), newKeyId: created.id, graceEndsAt: new Date(graceEndsAt) });
    return (await this.withLimits([created], [successor], successor.createdAt, true))[0];
  }

  /** The API key with this id and its details, when it is one and (with `actorId`) the actor's. */
  private async findApiKey(
    id: string,
    options: ApiKeyOwnerOptions,
    where: string,
    names: OptionNames<ApiKeyOwnerOptions> | OptionNames<RotateApiKeyOptions> = OWNER_OPTION_NAMES,
  ): Promise<{ record: TokenRecord; details: ApiKeyDetails } | null> {
    if (!options || typeof options !== 'object') fail('', 'options must be an object such as { actorId: req.user.id }.', { where });
    if ('actorId' in options && (typeof options.actorId !== 'string' || options.actorId === '')) {
      fail('actorId', 'actorId, when given, must be a non-empty string (leave it out for any actor).', { where });
    }
    knownOptions(options, names, '', { where });
    if (typeof id !== 'string' || id === '') return null;
    const record = await this.requireStore('findTokenById').findTokenById(id);
    if (!record || record.id !== id || record.kind !== 'apiKey' || record.actorId === null) return null;
    if (options.actorId !== undefined && record.actorId !== options.actorId) return null;
    const details = apiKeyDetailsOf(record) ?? legacyDetails(record);
    return { record, details };
  }

  /** Refuses a disabled or expired store-issued key (401.2, 401.4); reports an expiry once per key. */
  private checkApiKey(record: TokenRecord, details: ApiKeyDetails, now: number): void {
    if (details.expiresAt !== null && details.expiresAt <= now) {
      if (this.emit && record.id && !this.noticedExpiries.has(record.id)) {
        if (this.noticedExpiries.size >= MAX_NOTICED_EXPIRIES) this.noticedExpiries.clear();
        this.noticedExpiries.add(record.id);
        this.emit({ type: 'apiKey.expired', ...apiKeyEventFields(record.actorId!, record.id), expiresAt: new Date(details.expiresAt) });
      }
      throw new GatehouseError('401.4');
    }
    if (details.disabledAt !== null) throw new GatehouseError('401.2');
  }

  /** What `list` shows: unexpired, not a spent refresh token, not past a session idle timeout. */
  isLive(record: TokenRecord, now: number = this.now()): boolean {
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
const CREATE_INPUT_NAMES: OptionNames<CreateApiKeyInput> = { actorId: true, service: true, label: true, metadata: true, scopes: true, roles: true, expiresAt: true, expiresIn: true, limits: true };
const UPDATE_INPUT_NAMES: OptionNames<UpdateApiKeyInput> = { label: true, metadata: true, scopes: true, enabled: true, limits: true };
const OWNER_OPTION_NAMES: OptionNames<ApiKeyOwnerOptions> = { actorId: true };
const ROTATE_OPTION_NAMES: OptionNames<RotateApiKeyOptions> = { actorId: true, grace: true, expiresAt: true, expiresIn: true };

/** The details of an API key issued before keys had them: active, expiring with its record. */
function legacyDetails(record: TokenRecord): ApiKeyDetails {
  return { start: '', expiresAt: record.expiresAt, disabledAt: null, metadata: null, service: null, replaces: null, replacedBy: null };
}

function validateName(name: unknown, option: string, where: string): void {
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_LABEL_LENGTH)) fail(option, `${option} must be a string of at most ${MAX_LABEL_LENGTH} characters.`, { where });
}

function validateMetadata(metadata: unknown, where: string): Record<string, unknown> | null {
  if (metadata === undefined) return null;
  const message = `metadata must be a plain object of JSON values, at most ${MAX_METADATA_LENGTH} characters as JSON.`;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata) || Object.getPrototypeOf(metadata) !== Object.prototype) fail('metadata', message, { where });
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch {
    return fail('metadata', message, { where });
  }
  if (json.length > MAX_METADATA_LENGTH) fail('metadata', message, { where });
  // A copy as JSON: what every store will give back, and nothing the caller can change later.
  return JSON.parse(json) as Record<string, unknown>;
}

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

function credentialInfo(record: TokenRecord, now: number): CredentialInfo {
  const details = apiKeyDetailsOf(record);
  const expiresAt = details ? details.expiresAt : record.expiresAt;
  return {
    id: record.id!,
    kind: record.kind,
    label: record.label ?? null,
    roles: record.roles ? [...record.roles] : null,
    ...scopesField(record),
    createdAt: new Date(record.createdAt),
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
    state: details ? apiKeyState(details, now) : 'active',
    ...(details
      ? {
          start: details.start,
          metadata: details.metadata === null ? null : structuredClone(details.metadata),
          service: details.service,
          replaces: details.replaces,
          replacedBy: details.replacedBy,
        }
      : {}),
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
