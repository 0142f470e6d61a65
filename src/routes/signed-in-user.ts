/**
 * What the self-service endpoints (`selfService`) share: the signed-in user behind a request
 * (they authenticate on their own, as logout does; only actors of kind `user` manage sign-ins),
 * which stored credential the request is made with, and keeping a browser session in use alive
 * past a "not before" written for its actor.
 */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import { CREDENTIAL_REFERENCE, type CredentialReference } from '../credential-reference';
import { GatehouseError } from '../errors';
import type { CookieSessions } from '../schemes/cookie/strategy';
import type { SchemeId } from '../schemes/ids';
import { hashSecret } from '../tokens/format';
import type { CurrentCredential } from '../tokens/sign-ins';
import type { EndpointContext } from './endpoint';
import { presentedCredential } from './presented-credential';

/** A signed-in user and the credential of the request. */
export interface SignedInRequest {
  actor: Actor;
  scheme: SchemeId;
  /** What the request's strategy recorded about its credential. */
  reference: CredentialReference | undefined;
  current: CurrentCredential;
}

/**
 * Which stored credential a request is made with: a token's record, the browser session's
 * record (sessions in the Gatehouse store), or a JWT's refresh family; nothing for a credential
 * the store does not hold.
 */
function currentCredentialOf(req: Request, reference: CredentialReference | undefined, cookieSessions: CookieSessions | null): CurrentCredential {
  if (!reference) return {};
  if (reference.type === 'token') return { hash: reference.hash };
  if (reference.type === 'jwt') return reference.familyId ? { familyId: reference.familyId } : {};
  if (reference.type === 'cookie' && cookieSessions && !cookieSessions.options.store && typeof req.sessionID === 'string') {
    return { hash: hashSecret(req.sessionID) };
  }
  return {};
}

/** The same for a request `auth.authenticate()` has resolved (`req.authInfo`). */
export function currentCredentialOfAuthenticated(req: Request, cookieSessions: CookieSessions | null): CurrentCredential {
  return currentCredentialOf(req, referenceOfAuthenticated(req), cookieSessions);
}

/** Authenticates the request as a signed-in user, answering the refusal itself (`null` then): 401 without a credential, 403.1 for an actor that is not a `user`. */
export async function signedInUser(context: EndpointContext, req: Request, res: Response): Promise<SignedInRequest | null> {
  res.setHeader('Cache-Control', 'no-store');
  const authenticated = await presentedCredential(context, req, res);
  if (!authenticated) return null;
  const { actor, scheme, reference } = authenticated;
  // App users and API keys do not sign in; their keys are the host's to manage (`auth.tokens`).
  if (actor.kind !== 'user') {
    context.sendProblem(req, res, new GatehouseError('403.1'));
    return null;
  }
  return { actor, scheme, reference, current: currentCredentialOf(req, reference, context.cookieSessions) };
}

/**
 * After a "not before" for the actor (`notBefore`, from ending the others): the browser session
 * this request is made with gets a proof time just after it, so it stays signed in on every
 * instance. Token records need nothing (they are deleted, not judged by the "not before").
 */
export async function keepCurrentSession(cookieSessions: CookieSessions | null, reference: CredentialReference | undefined, notBefore: number | null, req: Request, res: Response): Promise<void> {
  if (reference?.type === 'cookie' && cookieSessions && notBefore !== null) await cookieSessions.reprove(req, res, notBefore + 1);
}

/** The credential reference `auth.authenticate()` left on the request, if any. */
export function referenceOfAuthenticated(req: Request): CredentialReference | undefined {
  return (req.authInfo as (Express.AuthInfo & { [CREDENTIAL_REFERENCE]?: CredentialReference }) | undefined)?.[CREDENTIAL_REFERENCE];
}
