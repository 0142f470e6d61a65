/**
 * A signed-in user's identities at OpenID providers (README, "Linking identities to actors"):
 * listing them, and unlinking one without locking the user out. An identity is a way to sign in
 * only while its provider is configured; a password is one when the store says the actor has
 * it (`hasPassword`; a store without it counts as "no password"). Unlinking the last way is
 * refused, also when two unlinks race (each checks again after its own, and links back).
 */
import { GatehouseError } from '../errors';
import type { GuardedStore } from '../store/guard';
import type { IdentityLink } from '../store/types';
import type { ResolvedOidcOptions } from './options';

/** One linked identity as the user sees it: never a token or a claim. */
export interface LinkedIdentity {
  /** The provider's name in `oidc.providers`; `null` when no configured provider has this issuer any more. */
  provider: string | null;
  issuer: string;
  subject: string;
  /** When it was linked (ISO 8601). */
  linkedAt: string;
}

/** The name of the configured provider with this issuer, or `null`. */
function providerNameOf(options: ResolvedOidcOptions, issuer: string): string | null {
  for (const provider of options.providers.values()) if (provider.issuer === issuer) return provider.name;
  return null;
}

/** The actor's identities, oldest link first. */
export async function linkedIdentities(store: GuardedStore, options: ResolvedOidcOptions, actorId: string): Promise<LinkedIdentity[]> {
  const links = await store.listIdentities!(actorId);
  return [...links]
    .sort((a, b) => a.linkedAt - b.linkedAt || (a.issuer + a.subject < b.issuer + b.subject ? -1 : 1))
    .map((link) => ({ provider: providerNameOf(options, link.issuer), issuer: link.issuer, subject: link.subject, linkedAt: new Date(link.linkedAt).toISOString() }));
}

/** The refusal of unlinking the last way the actor can sign in. */
function lastWayToSignIn(): GatehouseError {
  return new GatehouseError('403.1', {
    detail: 'This identity is the last way you can sign in: set a password or link another identity first.',
    extensions: { lastWayToSignIn: true },
  });
}

/** True when the actor can still sign in with no identity but those in `links` (configured providers only), or a password. */
async function canStillSignIn(store: GuardedStore, options: ResolvedOidcOptions, actorId: string, links: readonly IdentityLink[]): Promise<boolean> {
  if (links.some((link) => providerNameOf(options, link.issuer) !== null)) return true;
  return store.hasPassword ? await store.hasPassword(actorId) : false;
}

/**
 * Unlinks (issuer, subject) from `actorId`. 403.1 when it is not linked to that actor (unknown
 * and someone else's alike), or when it is the last way the actor can sign in (with
 * `lastWayToSignIn: true`). Credentials handed out through the identity stay until they end.
 */
export async function unlinkOwnIdentity(store: GuardedStore, options: ResolvedOidcOptions, actorId: string, issuer: string, subject: string): Promise<void> {
  const link = await store.findIdentity!(issuer, subject);
  if (!link || link.actorId !== actorId) throw new GatehouseError('403.1');
  const others = (await store.listIdentities!(actorId)).filter((other) => other.issuer !== issuer || other.subject !== subject);
  if (!(await canStillSignIn(store, options, actorId, others))) throw lastWayToSignIn();
  if (!(await store.unlinkIdentity!(issuer, subject, actorId))) throw new GatehouseError('403.1');
  // Two unlinks of the actor's last two identities, racing, may both have passed the check
  // above: each looks again after its own, and a user left with no way to sign in gets this
  // identity back (linkIdentity links only while no one holds it).
  if (!(await canStillSignIn(store, options, actorId, await store.listIdentities!(actorId)))) {
    await store.linkIdentity!(link);
    throw lastWayToSignIn();
  }
}
