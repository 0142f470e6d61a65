/**
 * Revoking credentials that are not in the token store — JWTs, and cookie sessions kept in
 * a host's own express-session store: a denylist entry per `jti` kept until the token's own
 * expiry, and a per-actor "not before" set by `tokens.revokeAll`. Both are checked in one
 * `findRevocations` round trip.
 */
import type { GuardedStore } from '../store/guard';

/** Revocation entries for JWTs and externally stored cookie sessions. */
export class Revocations {
  constructor(
    private readonly store: GuardedStore,
    /** How long a "not before" must outlive the newest credential issued before it, in ms. */
    private readonly keepActorEntriesFor: number,
    private readonly now: () => number,
  ) {}

  /** True when the store can hold revocations. */
  get available(): boolean {
    return typeof this.store.saveRevocation === 'function' && typeof this.store.findRevocations === 'function';
  }

  async revokeJti(jti: string, expiresAtMs: number): Promise<void> {
    await this.store.saveRevocation!(`jti:${jti}`, this.now(), expiresAtMs);
  }

  async revokeActor(actorId: string): Promise<void> {
    const now = this.now();
    await this.store.saveRevocation!(`actor:${actorId}`, now, now + this.keepActorEntriesFor);
  }

  /**
   * Ends every access token bound to a refresh family (their `fam` claim) until `expiresAtMs`,
   * when the family is revoked for reuse or logout.
   */
  async revokeFamily(familyId: string, expiresAtMs: number): Promise<void> {
    await this.store.saveRevocation!(`family:${familyId}`, this.now(), expiresAtMs);
  }

  /** True when the family was revoked (reuse detected or logout), so no new token joins it. */
  async isFamilyRevoked(familyId: string): Promise<boolean> {
    const [revokedAt] = await this.store.findRevocations!([`family:${familyId}`]);
    return revokedAt !== null && revokedAt !== undefined;
  }

  /**
   * True when the token's `jti` or refresh family (`fam`) was revoked, or it was issued no
   * later than the actor's "not before". `iat` has whole-second resolution while "not
   * before" is kept in milliseconds, so `iat * 1000 <= notBefore` also refuses a token
   * issued in the same second as `revokeAll` (even just after it): the safe side of the
   * rounding, at the cost of a login in that same second having to be repeated. All in one
   * `findRevocations` round trip.
   */
  async isRevoked(claims: { jti?: unknown; sub?: unknown; iat?: unknown; fam?: unknown }): Promise<boolean> {
    const keys: string[] = [];
    const present = (value: unknown): value is string => typeof value === 'string' && value !== '';
    if (present(claims.jti)) keys.push(`jti:${claims.jti}`);
    if (present(claims.fam)) keys.push(`family:${claims.fam}`);
    const actorIndex = present(claims.sub) ? keys.push(`actor:${claims.sub}`) - 1 : -1;
    if (keys.length === 0) return false;
    const found = await this.store.findRevocations!(keys);
    for (let index = 0; index < keys.length; index += 1) {
      const revokedAt = found[index];
      if (revokedAt === null || revokedAt === undefined) continue;
      if (index !== actorIndex) return true;
      if (typeof claims.iat !== 'number' || claims.iat * 1000 <= revokedAt) return true;
    }
    return false;
  }
}
