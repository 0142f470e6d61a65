/**
 * Which stored credentials a back-channel logout ends (OpenID Connect Back-Channel Logout 1.0):
 * of the records listed for the actors the logout token leads to, those that sign-ins through
 * the ended provider session handed out before the logout. Pure; the route lists the records
 * and ends the ones chosen here.
 */
import type { TokenRecord } from '../store/types';
import { identityProviderSessionOf } from '../tokens/provider-sessions';
import { LOGOUT_TOKEN_CLOCK_SKEW, madeBeforeLogout } from './logout-token';

/** The provider session a logout token ends: `sid` at `issuer`, or with `sid` `null` every session of the subject there. */
export interface EndedProviderSession {
  /** The provider's issuer identifier. */
  issuer: string;
  /** The ended session's `sid`, or `null` for every session (a logout token without `sid`). */
  sid: string | null;
  /** When the provider issued the logout token (its `iat`, in ms): credentials created later are not ended. */
  issuedAt: number;
}

/**
 * The records among `records` that came from the ended provider session before its logout, in
 * their order: each credential that records a provider session of `ended.issuer` — and, when
 * `ended.sid` is set, that session — and was created (`createdAt`) no later than
 * `ended.issuedAt` plus {@link LOGOUT_TOKEN_CLOCK_SKEW} (the provider's clock may be behind
 * ours). A sign-in made after that is a new one, and stays: so a logout token acted on twice —
 * two deliveries at the same moment, or the provider's retry of a delivery that failed — never
 * ends a sign-in made since. A refresh family is chosen once, by its first token listed within
 * that bound (rotated ones are listed too, each created at its rotation: a family is chosen
 * when any of its tokens was created in time, and ending one ends the family).
 *
 * @example
 * credentialsToEnd(await store.listTokens(actorId), { issuer: 'https://idp.example.org', sid: '3a7c…', issuedAt: logout.iat })
 */
export function credentialsToEnd(records: Iterable<TokenRecord>, ended: EndedProviderSession): TokenRecord[] {
  const chosen: TokenRecord[] = [];
  const chosenFamilies = new Set<string>();
  for (const record of records) {
    const session = identityProviderSessionOf(record);
    if (!session || session.issuer !== ended.issuer) continue;
    if (ended.sid !== null && session.sid !== ended.sid) continue;
    if (!madeBeforeLogout(record.createdAt, ended.issuedAt)) continue;
    if (record.kind === 'refresh' && record.familyId) {
      if (chosenFamilies.has(record.familyId)) continue;
      chosenFamilies.add(record.familyId);
    }
    chosen.push(record);
  }
  return chosen;
}
