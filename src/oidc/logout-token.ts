/**
 * The claims of an OpenID Connect Back-Channel Logout 1.0 logout token (§2.4, §2.6), checked
 * after its signature, `iss`, `aud` and `exp` (`provider-client.ts`): pure.
 */

/**
 * How far the provider's clock may be off ours, in ms (30 s, as `openid-client` allows for ID
 * tokens): the tolerance on a logout token's `exp`, and how long after its `iat` a credential
 * may have been created and still be ended by it (`credentialsToEnd`) — a credential created
 * later is a sign-in made after the logout.
 */
export const LOGOUT_TOKEN_CLOCK_SKEW = 30_000;

/**
 * Whether something made at `madeAt` (ms: a credential's `createdAt`, a native app code's
 * `issuedAt`) belongs to the sign-in a logout token issued at `logoutIssuedAt` ended: made no
 * later than that `iat` plus {@link LOGOUT_TOKEN_CLOCK_SKEW}. What is made later is a sign-in
 * after the logout, which the token leaves alone.
 */
export function madeBeforeLogout(madeAt: number, logoutIssuedAt: number): boolean {
  return madeAt <= logoutIssuedAt + LOGOUT_TOKEN_CLOCK_SKEW;
}

/** The event member a logout token must carry. */
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * What a valid logout token asks to end: the provider session `sid` (of the subject `sub` when
 * it names one), or without `sid` every session of `sub`. It names at least one of the two (§2.4).
 */
export type LogoutRequest = {
  /** The token's `jti`, for its single use. */
  jti: string;
  /** When the provider issued the token (`iat`), in ms: credentials created after it (plus {@link LOGOUT_TOKEN_CLOCK_SKEW}) are not ended. */
  iat: number;
} & ({ sub: string; sid: string | null } | { sub: null; sid: string });

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
  const sub = claims.sub === undefined ? null : claims.sub;
  if (sub !== null && (typeof sub !== 'string' || sub === '')) return null;
  // §2.4: a logout token MUST contain a `sub` or a `sid` claim, and MAY contain both.
  const iat = claims.iat * 1000;
  if (sub !== null) return { jti: claims.jti, iat, sub, sid };
  return sid === null ? null : { jti: claims.jti, iat, sub: null, sid };
}
