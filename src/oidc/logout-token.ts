/**
 * The claims of an OpenID Connect Back-Channel Logout 1.0 logout token (§2.4, §2.6), checked
 * after its signature, `iss`, `aud` and `exp` (`provider-client.ts`): pure.
 */

/** The event member a logout token must carry. */
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** What a valid logout token asks to end: the sessions of `sid`, or every session of `sub`. */
export interface LogoutRequest {
  /** The token's `jti`, for its single use. */
  jti: string;
  /** The subject whose sessions end (required here: it leads to the actor). */
  sub: string;
  /** The provider session that ended, or `null`: then every session of `sub` at this provider ends. */
  sid: string | null;
}

/** The request a verified logout token makes, or `null` when its claims are not those of one. */
export function logoutRequestOf(claims: Record<string, unknown>): LogoutRequest | null {
  const events = claims.events;
  if (!events || typeof events !== 'object' || Array.isArray(events)) return null;
  const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
  if (!event || typeof event !== 'object' || Array.isArray(event)) return null;
  // A logout token is never an ID token: one with a nonce is refused (§2.6 step 6).
  if ('nonce' in claims) return null;
  if (typeof claims.iat !== 'number' || typeof claims.jti !== 'string' || claims.jti === '') return null;
  const sid = claims.sid === undefined ? null : claims.sid;
  if (sid !== null && (typeof sid !== 'string' || sid === '')) return null;
  // Gatehouse finds the credentials through the actor the subject is linked to.
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  return { jti: claims.jti, sub: claims.sub, sid };
}
