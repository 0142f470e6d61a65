/**
 * Refresh tokens: opaque store tokens of kind `refresh`, grouped in families. Each use
 * rotates the token; presenting a token that was already rotated means it was copied, so
 * the whole family is revoked (OAuth 2.0 Security BCP, refresh token rotation).
 */
import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import { generateToken, hashSecret, parseTokenKind } from './format';

/** A refresh token, shown once. */
export interface IssuedRefreshToken {
  refresh: string;
  familyId: string;
  expiresAt: Date;
}

/** Issues, rotates and revokes refresh-token families. */
export class RefreshTokens {
  constructor(
    private readonly store: GuardedStore,
    private readonly ttl: number,
    private readonly now: () => number,
  ) {}

  /** A new token, in a new family unless one is given. */
  async issue(actorId: string, familyId: string = randomUUID()): Promise<IssuedRefreshToken> {
    const refresh = generateToken('refresh');
    const createdAt = this.now();
    const expiresAt = createdAt + this.ttl;
    await this.store.saveToken!({
      hash: hashSecret(refresh),
      kind: 'refresh',
      actorId,
      createdAt,
      expiresAt,
      usedAt: null,
      lastUsedAt: null,
      label: null,
      roles: null,
      familyId,
    });
    return { refresh, familyId, expiresAt: new Date(expiresAt) };
  }

  /**
   * Uses a refresh token once and returns its successor. Malformed, unknown, expired or
   * already-used tokens are refused with 401.2 (an expired refresh token cannot be
   * refreshed, so 401.4 would only invite a retry); an already-used one also revokes its
   * family.
   */
  async rotate(refresh: string): Promise<{ actorId: string } & IssuedRefreshToken> {
    if (parseTokenKind(refresh) !== 'refresh') throw new GatehouseError('401.2');
    const before = await this.store.markTokenUsed!(hashSecret(refresh), this.now());
    if (!before || before.kind !== 'refresh' || !before.actorId || !before.familyId) throw new GatehouseError('401.2');
    if (before.usedAt != null) {
      await this.store.deleteTokenFamily!(before.familyId);
      throw new GatehouseError('401.2');
    }
    if (before.expiresAt !== null && before.expiresAt <= this.now()) throw new GatehouseError('401.2');
    const next = await this.issue(before.actorId, before.familyId);
    return { actorId: before.actorId, ...next };
  }

  async revokeFamily(familyId: string): Promise<number> {
    return this.store.deleteTokenFamily!(familyId);
  }
}
