/**
 * Refresh tokens: opaque store tokens of kind `refresh`, grouped in families. Each use
 * rotates the token; presenting a token that was already rotated means it was copied, so
 * the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import { generateToken, hashSecret, parseTokenKind } from './format';
import type { Revocations } from './revocations';

/** What a refresh-token record keeps in `data`. */
interface RefreshTokenData {
  /** When the login that began the family checked the password, in ms. */
  provenAt: number;
}

/** A refresh token, shown once. */
export interface IssuedRefreshToken {
  refresh: string;
  familyId: string;
  expiresAt: Date;
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
  now: () => number;
}

/** Issues, rotates and revokes refresh-token families. */
export class RefreshTokens {
  private readonly store: GuardedStore;
  private readonly ttl: number;
  private readonly revocations: Revocations | undefined;
  private readonly familyRevocationTtl: number;
  private readonly now: () => number;

  constructor(dependencies: RefreshTokensDependencies) {
    this.store = dependencies.store;
    this.ttl = dependencies.ttl;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : undefined;
    this.familyRevocationTtl = dependencies.familyRevocationTtl ?? dependencies.ttl;
    this.now = dependencies.now;
  }

  /**
   * A new token on a proof of identity made at `provenAt` (the login's password check), in
   * a new family unless one is given. Refused with 401.2, and the token ended, when
   * `revokeAll` ran for the actor at or after `provenAt`.
   */
  async issue(actorId: string, provenAt: number, familyId: string = randomUUID()): Promise<IssuedRefreshToken> {
    const refresh = generateToken('refresh');
    const hash = hashSecret(refresh);
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttl;
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
      // Carried from token to token, so a rotation is judged by the login that began the family.
      data: { provenAt } satisfies RefreshTokenData,
    });
    await this.revocations?.confirmProof(actorId, provenAt, () => this.store.deleteToken!(hash));
    return { refresh, familyId, expiresAt: new Date(expiresAt) };
  }

  /**
   * Uses a refresh token once and returns its successor in the same family.
   *
   * - Malformed (wrong shape, kind or checksum): 401.2 without a store call.
   * - Unknown, or of a revoked family: 401.2.
   * - Already used: it was copied (or sent twice), and there is no telling the thief from the
   *   client, so the whole family is revoked — its refresh tokens and the access tokens bound
   *   to it — and the answer is 401.2. Of two concurrent rotations of one token exactly one
   *   wins: `markTokenUsed` is atomic.
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
    const provenAt = (before.data as RefreshTokenData | null | undefined)?.provenAt ?? before.createdAt;
    const next = await this.issue(before.actorId, provenAt, before.familyId);
    return { actorId: before.actorId, ...next };
  }

  /** Ends a family: its refresh tokens, and the access tokens bound to it. */
  async revokeFamily(familyId: string): Promise<number> {
    // The mark first: a rotation that saves a successor after the delete below still meets it.
    if (this.revocations) await this.revocations.revokeFamily(familyId, this.now() + this.familyRevocationTtl);
    return this.store.deleteTokenFamily!(familyId);
  }
}
