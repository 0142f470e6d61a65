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
   * True when the token's `jti` was revoked, or it was issued no later than the actor's
   * "not before". `iat` has whole-second resolution, so a token issued in the same second
   * as `revokeAll` is refused too: the safe side of the rounding.
   */
  async isRevoked(claims: { jti?: string; sub?: string; iat?: number }): Promise<boolean> {
    const keys: string[] = [];
    if (claims.jti) keys.push(`jti:${claims.jti}`);
    if (claims.sub) keys.push(`actor:${claims.sub}`);
    if (keys.length === 0) return false;
    const found = await this.store.findRevocations!(keys);
    const jtiRevokedAt = claims.jti ? found[0] : null;
    const actorNotBefore = claims.sub ? found[keys.length - 1] : null;
    if (jtiRevokedAt !== null) return true;
    return actorNotBefore !== null && (typeof claims.iat !== 'number' || claims.iat * 1000 <= actorNotBefore);
  }
}
