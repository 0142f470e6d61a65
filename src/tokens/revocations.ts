/**
 * Revoking credentials that are not in the token store — JWTs, and cookie sessions kept in
 * a host's own express-session store — and the per-actor "not before" that makes
 * `tokens.revokeAll` final: a denylist entry per `jti` kept until the token's own expiry,
 * an entry per refresh family, and per actor the moment of the last `revokeAll`. A
 * credential whose proof of identity (the password check, the login that started a refresh
 * family) was made at or before that moment is refused, whenever it was written.
 */
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';

/** Revocation entries for JWTs, refresh families, externally stored cookie sessions and actors. */
export class Revocations {
  constructor(
    private readonly store: GuardedStore,
    /**
     * How long a "not before" is kept, in ms: it must outlive every credential issued before
     * it that is not deleted by `revokeAll` (JWT access tokens, host-stored cookie sessions)
     * and every login or refresh still in flight when it was written.
     */
    private readonly keepActorEntriesFor: number,
    private readonly now: () => number,
  ) {}

  /** True when the store can hold revocations. */
  get available(): boolean {
    return typeof this.store.saveRevocation === 'function' && typeof this.store.findRevocations === 'function';
  }

  /** Records the actor's "not before": now. Resolves to that moment (ms). */
  async revokeActor(actorId: string): Promise<number> {
    const now = this.now();
    await this.store.saveRevocation!(`actor:${actorId}`, now, now + this.keepActorEntriesFor);
    return now;
  }

  /**
   * True when the actor's credentials were revoked (`revokeAll`) at or after `provenAt`, the
   * moment the proof of identity behind a credential was made. Ties count as revoked: the
   * safe side of a same-millisecond race.
   */
  async isProofRevoked(actorId: string, provenAt: number): Promise<boolean> {
    const [notBefore] = await this.store.findRevocations!([`actor:${actorId}`]);
    return notBefore !== null && notBefore !== undefined && notBefore >= provenAt;
  }

  /**
   * The last step of issuing a credential on a proof of identity made at `provenAt`, after
   * the credential is saved: when `revokeAll` ran for the actor at or after that moment,
   * `discard` ends the new credential and this rejects with 401.2, as the proof itself
   * would have been refused after it.
   */
  async confirmProof(actorId: string, provenAt: number, discard: () => Promise<unknown>): Promise<void> {
    if (!(await this.isProofRevoked(actorId, provenAt))) return;
    await discard();
    throw new GatehouseError('401.2');
  }

  /** Ends one browser session kept in a host's own session store (its write-back cannot be stopped there). */
  async revokeSession(sessionKey: string, expiresAtMs: number): Promise<void> {
    await this.store.saveRevocation!(`session:${sessionKey}`, this.now(), expiresAtMs);
  }

  /** True when the session was ended, or its actor revoked at or after the session's proof. One round trip. */
  async isSessionRevoked(sessionKey: string, actorId: string, provenAt: number): Promise<boolean> {
    const [ended, notBefore] = await this.store.findRevocations!([`session:${sessionKey}`, `actor:${actorId}`]);
    if (ended !== null && ended !== undefined) return true;
    return notBefore !== null && notBefore !== undefined && notBefore >= provenAt;
  }

  /** Revokes one JWT by its `jti` until `expiresAtMs` (its `exp`), after which it would be refused anyway. */
  async revokeJti(jti: string, expiresAtMs: number): Promise<void> {
    await this.store.saveRevocation!(`jti:${jti}`, this.now(), expiresAtMs);
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
