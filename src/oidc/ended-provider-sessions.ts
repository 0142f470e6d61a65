/**
 * Provider sessions a back-channel logout ended, as a native app's code (`app-code.ts`) needs
 * them: a code is a sign-in that has issued nothing yet, so the logout finds no credential of
 * it to end, and the app could trade it afterwards for a credential of a session the provider
 * has ended. So the logout route records the ended session among the revocations (on every
 * instance) for as long as a code made before the logout may still be traded, and the token
 * route asks, before it issues, whether the code's session was ended. Pure: the routes do the
 * store's reads and writes.
 */
import { APP_CODE_CLOCK_SKEW, APP_CODE_TTL, type AppCode } from './app-code';
import { LOGOUT_TOKEN_CLOCK_SKEW, madeBeforeLogout, type LogoutRequest } from './logout-token';

/** What an ended provider session's entry among the revocations starts with: no other revocation key does. */
const ENDED_PROVIDER_SESSION_PREFIX = 'oidc-ended-session:';

/**
 * The key of an ended provider session among the revocations. JSON keeps the parts apart and
 * escapes what they may hold (any non-empty string: a NUL byte, which PostgreSQL's `text`
 * refuses, or a line break) without one; a session (`[issuer, sid]`) and a subject
 * (`[issuer, 'sub', sub]`) never share a key.
 */
function endedKey(parts: string[]): string {
  return `${ENDED_PROVIDER_SESSION_PREFIX}${JSON.stringify(parts)}`;
}

/** What a back-channel logout records: under which key, the logout token's `iat` as the value, and until when. */
export interface EndedProviderSessionEntry {
  key: string;
  /** The logout token's `iat` (ms): codes made later (beyond {@link LOGOUT_TOKEN_CLOCK_SKEW}) are new sign-ins. */
  endedAt: number;
  /** Until when (ms) the entry must be kept: past the last moment a code it refuses can be traded. */
  expiresAt: number;
}

/**
 * The entry a logout token of `issuer` leaves: the session `sid` when it names one (with `sub`
 * or without: it ends that session only), or else every session of the subject `sub`. Kept
 * {@link APP_CODE_TTL} (plus the codes' clock skew) past the later of now and the last
 * sign-in it refuses, so no code it refuses outlives it.
 *
 * @example
 * const ended = endedProviderSessionEntry(issuer, logout, now);
 * await store.saveRevocation(ended.key, ended.endedAt, ended.expiresAt);
 */
export function endedProviderSessionEntry(issuer: string, logout: LogoutRequest, now: number): EndedProviderSessionEntry {
  // A token names `sub`, `sid` or both (`LogoutRequest`): only one without `sid` ends the subject's every session.
  const parts = logout.sub === null ? [issuer, logout.sid] : logout.sid === null ? [issuer, 'sub', logout.sub] : [issuer, logout.sid];
  return { key: endedKey(parts), endedAt: logout.iat, expiresAt: Math.max(now, logout.iat + LOGOUT_TOKEN_CLOCK_SKEW) + APP_CODE_TTL + APP_CODE_CLOCK_SKEW };
}

/**
 * The keys under which a logout that ends the code's sign-in is recorded: its provider session
 * (when the provider named one, `sid`) and its subject. Read with one `findRevocations`, and
 * the answer given to {@link appCodeSessionEnded}.
 */
export function endedProviderSessionKeysOf(code: AppCode): string[] {
  const { issuer, sid } = code.identityProvider;
  return [...(sid === null ? [] : [endedKey([issuer, sid])]), endedKey([issuer, 'sub', code.subject])];
}

/**
 * Whether a logout ended the code's sign-in: `endedAt` is what `findRevocations` answered for
 * {@link endedProviderSessionKeysOf}, each a logout token's `iat` or nothing. A code made by
 * that `iat` plus {@link LOGOUT_TOKEN_CLOCK_SKEW} (the provider's clock may be behind ours) is
 * of the ended session, as `credentialsToEnd` judges a credential; one made later is a new
 * sign-in — the provider may give it the same `sid` — and stands.
 */
export function appCodeSessionEnded(code: AppCode, endedAt: ReadonlyArray<number | null | undefined>): boolean {
  return endedAt.some((logoutIssuedAt) => typeof logoutIssuedAt === 'number' && madeBeforeLogout(code.issuedAt, logoutIssuedAt));
}
