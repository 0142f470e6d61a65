/**
 * Who a provider's identity signs in as (README, "Linking identities to actors"): the actor
 * the store links (issuer, subject) to; else, on a link started by a signed-in actor, that
 * actor; else, when the provider's verified e-mail is trusted (`trustVerifiedEmail`), the
 * actor with that login; else whatever `onFirstSignIn` decides. A provider's e-mail alone
 * never links an identity to an existing actor otherwise.
 */
import type { Actor } from '../actor';
import { fail } from '../config-error';
import { GatehouseError } from '../errors';
import { normalizeLogin } from '../login';
import type { GuardedStore } from '../store/guard';
import type { IdentityLink } from '../store/types';
import type { ResolvedOidcOptions, ResolvedOidcProvider } from './options';

/** How the identity came to its actor, for the audit event. */
type IdentityOutcome = 'known' | 'linked' | 'linkedByEmail' | 'provisioned';

/** The actor an identity signs in as, and how. */
export interface ResolvedIdentity {
  actor: Actor;
  outcome: IdentityOutcome;
}

/** What the resolution needs. */
export interface IdentityContext {
  store: GuardedStore;
  options: ResolvedOidcOptions;
  now: () => number;
}

/** The verified e-mail of the claims, normalised as a login, or `null`. */
function verifiedEmail(claims: Record<string, unknown>): string | null {
  return claims.email_verified === true && typeof claims.email === 'string' && claims.email !== '' ? normalizeLogin(claims.email) : null;
}

/** Links and resolves to the actor; 403.1 when the identity is linked to another actor meanwhile. */
async function link(context: IdentityContext, issuer: string, subject: string, actor: Actor, outcome: IdentityOutcome): Promise<ResolvedIdentity> {
  const held: IdentityLink = await context.store.linkIdentity!({ issuer, subject, actorId: actor.id, linkedAt: context.now() });
  if (held.actorId !== actor.id) throw new GatehouseError('403.1', { detail: 'This identity is linked to another account.' });
  return { actor, outcome };
}

/**
 * The actor (issuer, subject) signs in as. `linkActorId` is the actor that started a link
 * (it proved itself with its own credential at the start endpoint).
 */
export async function resolveIdentity(
  context: IdentityContext,
  provider: ResolvedOidcProvider,
  claims: Record<string, unknown>,
  linkActorId: string | null,
): Promise<ResolvedIdentity> {
  const { store, options } = context;
  const issuer = String(claims.iss);
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw new GatehouseError('401.2');
  const linked = await store.findIdentity!(issuer, subject);
  if (linked) {
    if (linkActorId !== null && linked.actorId !== linkActorId) throw new GatehouseError('403.1', { detail: 'This identity is linked to another account.' });
    const actor = await store.findActor!(linked.actorId);
    // A link to an actor that is gone signs in as no one.
    if (!actor) throw new GatehouseError('401.2');
    return { actor, outcome: 'known' };
  }
  if (linkActorId !== null) {
    const actor = await store.findActor!(linkActorId);
    if (!actor) throw new GatehouseError('401.2');
    return link(context, issuer, subject, actor, 'linked');
  }
  const email = provider.trustVerifiedEmail ? verifiedEmail(claims) : null;
  if (email !== null && store.findCredentials) {
    const record = await store.findCredentials(email);
    if (record) return link(context, issuer, subject, record.actor, 'linkedByEmail');
  }
  const actor = options.onFirstSignIn ? await options.onFirstSignIn({ provider: provider.name, issuer, subject, claims: Object.freeze({ ...claims }) }) : null;
  if (!actor) throw new GatehouseError('403.1', { detail: 'No account is linked to this identity.' });
  // A host's mistake: answered 503.1 (fail closed), named in the error's message for the logs.
  if (typeof actor !== 'object' || typeof actor.id !== 'string' || actor.id === '') fail('oidc.onFirstSignIn', 'oidc.onFirstSignIn must resolve to an actor ({ id, kind, roles }) or null.', { where: 'sign-in' });
  return link(context, issuer, subject, actor, 'provisioned');
}
