/**
 * Refresh tokens: opaque store tokens of kind `refresh`, grouped in families. Each use
 * rotates the token; presenting a token that was already rotated means it was copied, so
 * the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import type { TokenRecord } from '../store/types';
import { deriveToken, generateToken, hashSecret, parseTokenKind } from './format';
import type { Revocations } from './revocations';
import { DEFAULT_AMR, storedMethods } from '../authentication-proof';
import type { SignInOrigin } from './sign-in-device';
import { identityProviderSessionOf, recordProviderSession, type IdentityProviderSession } from './provider-sessions';

/** What a refresh-token record keeps in `data`. */
interface RefreshTokenData {
  /** When the login that began the family checked the password, in ms. */
  provenAt: number;
  /**
   * How that login proved the actor (RFC 8176 `amr`), carried from token to token like
   * `provenAt`: every access token of the family says it (`amr`, `acr`). Absent in families
   * begun by earlier versions, which read as `['pwd']`.
   */
  amr?: string[];
  /**
   * The HMAC key this token's successor is derived with (32 random bytes, base64url), when
   * retries are on. It sits in the store, where every instance finds it whatever signing keys
   * it lists, so a rotation and its retry on another instance agree on the successor even
   * halfway through a signing-key roll. Alone it is worth nothing: the successor is
   * HMAC(seed, the plaintext token), and the store holds only the token's hash, so computing
   * a successor takes both a read of the store and a token of the family. Each record gets a
   * fresh seed.
   */
  successorSeed?: string;
  /** Where the login that began the family came from (`selfService`), carried from token to token. */
  signIn?: SignInOrigin;
  /**
   * The identity provider's session of a family begun by a sign-in through it (`oidc.providers`),
   * carried from token to token: the provider's back-channel logout ends the family.
   */
  identityProvider?: IdentityProviderSession;
}

/** Shape of a successor seed: base64url of 32 bytes. */
const SUCCESSOR_SEED = /^[A-Za-z0-9_-]{43}$/;

/** A refresh token, shown once. */
export interface IssuedRefreshToken {
  refresh: string;
  familyId: string;
  expiresAt: Date;
  /** The proof the family carries: when its login (or re-authentication) proved the actor, in ms, and how. */
  proof: { provenAt: number; amr: string[] };
}

/** What {@link RefreshTokens} needs. */
export interface RefreshTokensDependencies {
  store: GuardedStore;
  /** Lifetime of each refresh token in ms, from its issue (rotation issues a new one). */
  ttl: number;
  /**
   * Where a revoked family is remembered, so access tokens bound to it (`fam`) stop working
   * and a successor saved while the family was being deleted is refused on its first use.
   * Default: none (the family's refresh tokens are still deleted).
   */
  revocations?: Revocations;
  /** How long a family revocation is kept, in ms: as long as any token of the family may live. */
  familyRevocationTtl?: number;
  /**
   * How long after a rotation the rotated token is taken as a retry rather than as stolen,
   * in ms (`jwt.refreshReuseInterval`). Default `0`: every second use revokes the family.
   */
  reuseInterval?: number;
  /**
   * How far the clock of the instance that rotated a token may be ahead of this one's, in ms
   * (`jwt.clockTolerance`): a rotation stamped up to this far in this instance's future still
   * counts as just now. Default `0`.
   */
  clockTolerance?: number;
  now: () => number;
}

/** Issues, rotates and revokes refresh-token families. */
export class RefreshTokens {
  private readonly store: GuardedStore;
  private readonly ttl: number;
  private readonly revocations: Revocations | undefined;
  private readonly familyRevocationTtl: number;
  private readonly now: () => number;
  private readonly reuseInterval: number;
  private readonly clockTolerance: number;

  constructor(dependencies: RefreshTokensDependencies) {
    this.store = dependencies.store;
    this.ttl = dependencies.ttl;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : undefined;
    this.familyRevocationTtl = dependencies.familyRevocationTtl ?? dependencies.ttl;
    this.now = dependencies.now;
    this.reuseInterval = dependencies.reuseInterval ?? 0;
    this.clockTolerance = dependencies.clockTolerance ?? 0;
  }

  /**
   * A new token on a proof of identity made at `provenAt` (the login's password check), in
   * a new family unless one is given, made with the RFC 8176 methods `amr` (default
   * `['pwd']`); for a sign-in through an identity provider, with the provider's session
   * (recorded in the store under its `sid` until the token may end). Refused with 401.2, and
   * the token ended, when `revokeAll` ran for the actor at or after `provenAt`.
   */
  async issue(
    actorId: string,
    provenAt: number,
    familyId: string = randomUUID(),
    refresh: string = generateToken('refresh'),
    amr: readonly string[] = DEFAULT_AMR,
    signIn: SignInOrigin | null = null,
    identityProvider: IdentityProviderSession | null = null,
  ): Promise<IssuedRefreshToken> {
    const hash = hashSecret(refresh);
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttl;
    // Each token of the family extends the provider session's record to its own expiry, before
    // it is saved: a rotated family outlives the first token's lifetime.
    await recordProviderSession(this.store, identityProvider, actorId, expiresAt);
    await this.store.saveToken!({
      hash,
      kind: 'refresh',
      actorId,
      createdAt,
      expiresAt,
      usedAt: null,
      lastUsedAt: null,
      label: null,
      roles: null,
      familyId,
      // provenAt is carried from token to token, so a rotation is judged by the login that began
      // the family. A seed is stored only when retries are on: without one the successor is
      // random, and nothing in the store can help compute it.
      data: {
        provenAt,
        amr: [...amr],
        ...(this.reuseInterval > 0 ? { successorSeed: randomBytes(32).toString('base64url') } : {}),
        ...(signIn ? { signIn } : {}),
        ...(identityProvider ? { identityProvider: { issuer: identityProvider.issuer, sid: identityProvider.sid } } : {}),
      } satisfies RefreshTokenData,
    });
    await this.revocations?.confirmProof(actorId, provenAt, () => this.store.deleteToken!(hash));
    return { refresh, familyId, expiresAt: new Date(expiresAt), proof: { provenAt, amr: [...amr] } };
  }

  /**
   * Uses a refresh token once and returns its successor in the same family.
   *
   * - Malformed (wrong shape, kind or checksum): 401.2 without a store call.
   * - Unknown, or of a revoked family: 401.2.
   * - Already used, within the reuse interval: a retry (a lost answer, or the same refresh
   *   sent to two instances at once). Of two concurrent rotations exactly one rotates
   *   (`markTokenUsed` is atomic); the other is answered with the same successor, derived
   *   from the token and its record's seed, once the first has saved it (401.2 before that,
   *   the family untouched).
   * - Already used, otherwise: it was copied, and there is no telling the thief from the
   *   client, so the whole family is revoked — its refresh tokens and the access tokens bound
   *   to it, the successor of a rotation still under way included — and the answer is 401.2.
   * - Expired: 401.4. At `/jwt/refresh` that means "log in again"; it is told apart from
   *   401.2 so a client need not suspect theft.
   */
  async rotate(refresh: string): Promise<{ actorId: string } & IssuedRefreshToken> {
    if (typeof refresh !== 'string' || parseTokenKind(refresh) !== 'refresh') throw new GatehouseError('401.2');
    const now = this.now();
    const hash = hashSecret(refresh);
    const before = await this.store.markTokenUsed!(hash, now);
    if (!before || before.kind !== 'refresh' || !before.actorId || !before.familyId) throw new GatehouseError('401.2');
    if (before.usedAt != null) {
      if (this.isRetry(now - before.usedAt)) return this.retried(refresh, successorSeedOf(before), before.actorId, before.familyId);
      await this.revokeFamily(before.familyId);
      throw new GatehouseError('401.2');
    }
    if (before.expiresAt !== null && before.expiresAt <= now) {
      await this.store.deleteToken!(hash);
      throw new GatehouseError('401.4');
    }
    // A reuse detected elsewhere deletes the family; a successor saved by a rotation racing
    // with that deletion can outlive it, and is caught here, on its first use.
    if (this.revocations && (await this.revocations.isFamilyRevoked(before.familyId))) {
      await this.store.deleteTokenFamily!(before.familyId);
      throw new GatehouseError('401.2');
    }
    // Tokens from before the family recorded its login count from their own creation.
    const { provenAt, amr } = proofOfRecord(before);
    // Derived from the record's seed, so a retry on any instance finds it; random without one.
    const seed = successorSeedOf(before);
    const signIn = (before.data as RefreshTokenData | null | undefined)?.signIn ?? null;
    const next = await this.issue(before.actorId, provenAt, before.familyId, seed ? deriveToken('refresh', seed, refresh) : undefined, amr, signIn, identityProviderSessionOf(before));
    return { actorId: before.actorId, ...next };
  }

  /**
   * Whether a second use `elapsed` ms after the rotation (by this instance's clock, against the
   * rotating instance's stamp) is a retry. The two clocks may disagree, so `elapsed` can be
   * negative: a stamp up to `clockTolerance` in this instance's future counts as just now, one
   * further ahead means the clocks are off by more than is tolerated, and is not taken on
   * trust. An interval of 0 turns retries off whatever the clocks say (a negative `elapsed`
   * is not "within 0 ms").
   */
  private isRetry(elapsed: number): boolean {
    return this.reuseInterval > 0 && elapsed >= -this.clockTolerance && elapsed < this.reuseInterval;
  }

  /**
   * A retry of a rotation: the successor the first rotation saved, as it is. Nothing is
   * written, so a retry can neither fork the family nor bring back a successor that was
   * ended since (revokeAll, logout, a detected reuse). A token saved without a seed (retries
   * were off on the instance that issued it) has a random successor, which cannot be given
   * again: 401.2, the family kept.
   */
  private async retried(refresh: string, seed: Buffer | null, actorId: string, familyId: string): Promise<{ actorId: string } & IssuedRefreshToken> {
    if (!seed) throw new GatehouseError('401.2');
    const successor = deriveToken('refresh', seed, refresh);
    const record = await this.store.findToken!(hashSecret(successor));
    const live = record && record.kind === 'refresh' && record.familyId === familyId && record.actorId === actorId && record.expiresAt !== null && record.expiresAt > this.now();
    if (!live || (this.revocations && (await this.revocations.isFamilyRevoked(familyId)))) throw new GatehouseError('401.2');
    return { actorId, refresh: successor, familyId, expiresAt: new Date(record.expiresAt!), proof: proofOfRecord(record) };
  }

  /** Ends a family: its refresh tokens, and the access tokens bound to it. */
  async revokeFamily(familyId: string): Promise<number> {
    // The mark first: a rotation that saves a successor after the delete below still meets it.
    if (this.revocations) await this.revocations.revokeFamily(familyId, this.now() + this.familyRevocationTtl);
    return this.store.deleteTokenFamily!(familyId);
  }
}

/** The proof a refresh-token record carries; tokens from before the family recorded its login count from their own creation, as a password login. */
function proofOfRecord(record: TokenRecord): { provenAt: number; amr: string[] } {
  const data = record.data as Partial<RefreshTokenData> | null | undefined;
  return { provenAt: typeof data?.provenAt === 'number' ? data.provenAt : record.createdAt, amr: storedMethods(data?.amr) ?? [...DEFAULT_AMR] };
}

/** The seed a refresh-token record was saved with, as a key; `null` when it has none (or a store mangled it). */
function successorSeedOf(record: TokenRecord): Buffer | null {
  const seed = (record.data as Partial<RefreshTokenData> | null | undefined)?.successorSeed;
  return typeof seed === 'string' && SUCCESSOR_SEED.test(seed) ? Buffer.from(seed, 'base64url') : null;
}
