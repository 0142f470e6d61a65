/**
 * The identity provider's session a credential came from (`oidc.providers`): kept on the
 * credential's record (a session token's or refresh token's `data`, a cookie session's state),
 * and, when the provider names the session (`sid`), recorded in the store under (issuer, sid)
 * with the actor, so a back-channel logout token that names only the session finds its
 * credentials on every instance (OpenID Connect Back-Channel Logout 1.0, §2.4: a logout token
 * carries `sub`, `sid` or both).
 */
import type { GuardedStore } from '../store/guard';
import type { TokenRecord } from '../store/types';

/**
 * The identity provider's session a sign-in through it came from (`oidc.providers`): kept on
 * the credentials it issued, so the provider's back-channel logout finds them.
 */
export interface IdentityProviderSession {
  /** The provider's issuer identifier. */
  issuer: string;
  /** The provider's session id (the ID token's `sid`), or `null` when it sent none. */
  sid: string | null;
}

/**
 * How long past the end of a credential's life its provider session stays recorded: the entry
 * is written before the credential, so it must outlast the credential's expiry, which is
 * counted from a moment a little later.
 */
const RECORD_MARGIN = 5 * 60 * 1000;

/**
 * The identity provider's session a stored credential came from: a session token's or a
 * refresh token's `data`, or a cookie session's state; `null` for any other credential.
 */
export function identityProviderSessionOf(record: TokenRecord): IdentityProviderSession | null {
  const data = record.data as { identityProvider?: unknown; gatehouse?: { identityProvider?: unknown } } | null | undefined;
  const found = (record.kind === 'cookie' ? data?.gatehouse?.identityProvider : record.kind === 'session' || record.kind === 'refresh' ? data?.identityProvider : undefined) as
    | Partial<IdentityProviderSession>
    | undefined;
  return found && typeof found.issuer === 'string' ? { issuer: found.issuer, sid: typeof found.sid === 'string' ? found.sid : null } : null;
}

/**
 * Records, before a credential of `actorId` from the provider session is saved, that the
 * session has credentials of the actor until `lastsUntil` (ms; the latest the credential may
 * end). Nothing to record for a session without `sid`, or in a store without
 * `saveProviderSession` (there a logout token without `sub` cannot be honoured).
 */
export async function recordProviderSession(store: GuardedStore, session: IdentityProviderSession | null, actorId: string, lastsUntil: number): Promise<void> {
  if (!session || session.sid === null || typeof store.saveProviderSession !== 'function') return;
  await store.saveProviderSession({ issuer: session.issuer, sid: session.sid, actorId, expiresAt: lastsUntil + RECORD_MARGIN });
}
