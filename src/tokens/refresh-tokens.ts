/**
 * Refresh tokens: opaque store tokens of kind `refresh`, grouped in families. Each use
 * rotates the token; presenting a token that was already rotated means it was copied, so
 * the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { hkdfSync, randomUUID, type KeyObject } from 'node:crypto';
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import { deriveToken, generateToken, hashSecret, parseTokenKind } from './format';
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
  /**
   * How long after a rotation the rotated token is taken as a retry rather than as stolen,
   * in ms (`jwt.refreshReuseInterval`). Default `0`: every second use revokes the family.
   */
  reuseInterval?: number;
  /**
   * The key every instance signs with: successors are derived from it (HKDF), so a retried
   * rotation on any instance yields the same successor. Required for a reuse interval.
   */
  signingKey?: KeyObject | null;
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
  /** HMAC key for successors; `null` when they are random (no reuse interval). */
  private readonly successorKey: Buffer | null;

  constructor(dependencies: RefreshTokensDependencies) {
    this.store = dependencies.store;
    this.ttl = dependencies.ttl;
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : undefined;
    this.familyRevocationTtl = dependencies.familyRevocationTtl ?? dependencies.ttl;
    this.now = dependencies.now;
    this.successorKey = dependencies.signingKey ? successorKeyFrom(dependencies.signingKey) : null;
    this.reuseInterval = this.successorKey ? (dependencies.reuseInterval ?? 0) : 0;
  }

  /**
   * A new token on a proof of identity made at `provenAt` (the login's password check), in
   * a new family unless one is given. Refused with 401.2, and the token ended, when
   * `revokeAll` ran for the actor at or after `provenAt`.
   */
  async issue(actorId: string, provenAt: number, familyId: string = randomUUID(), refresh: string = generateToken('refresh')): Promise<IssuedRefreshToken> {
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
   * - Already used, within the reuse interval: a retry (a lost answer, or the same refresh
   *   sent to two instances at once). Of two concurrent rotations exactly one rotates
   *   (`markTokenUsed` is atomic); the other is answered with the same successor, derived
   *   from the token, once the first has saved it (401.2 before that, the family untouched).
   * - Already used, after the interval: it was copied, and there is no telling the thief from
   *   the client, so the whole family is revoked — its refresh tokens and the access tokens
   *   bound to it — and the answer is 401.2.
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
      if (now - before.usedAt < this.reuseInterval) return this.retried(refresh, before.actorId, before.familyId);
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
    const next = await this.issue(before.actorId, provenAt, before.familyId, this.successorOf(refresh));
    return { actorId: before.actorId, ...next };
  }

  /** The successor a rotation of `refresh` makes: derived when retries are on, random otherwise. */
  private successorOf(refresh: string): string {
    return this.successorKey ? deriveToken('refresh', this.successorKey, refresh) : generateToken('refresh');
  }

  /**
   * A retry of a rotation: the successor the first rotation saved, as it is. Nothing is
   * written, so a retry can neither fork the family nor bring back a successor that was
   * ended since (revokeAll, logout, a detected reuse).
   */
  private async retried(refresh: string, actorId: string, familyId: string): Promise<{ actorId: string } & IssuedRefreshToken> {
    const successor = this.successorOf(refresh);
    const record = await this.store.findToken!(hashSecret(successor));
    const live = record && record.kind === 'refresh' && record.familyId === familyId && record.actorId === actorId && record.expiresAt !== null && record.expiresAt > this.now();
    if (!live || (this.revocations && (await this.revocations.isFamilyRevoked(familyId)))) throw new GatehouseError('401.2');
    return { actorId, refresh: successor, familyId, expiresAt: new Date(record.expiresAt!) };
  }

  /** Ends a family: its refresh tokens, and the access tokens bound to it. */
  async revokeFamily(familyId: string): Promise<number> {
    // The mark first: a rotation that saves a successor after the delete below still meets it.
    if (this.revocations) await this.revocations.revokeFamily(familyId, this.now() + this.familyRevocationTtl);
    return this.store.deleteTokenFamily!(familyId);
  }
}

/** A key for successor tokens, derived from the signing key so every instance has the same one. */
function successorKeyFrom(signingKey: KeyObject): Buffer {
  const material = signingKey.type === 'secret' ? signingKey.export() : signingKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(hkdfSync('sha256', material, 'express-gatehouse', 'refresh-token successor', 32));
}
