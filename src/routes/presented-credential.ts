/**
 * What the endpoints that end a credential share: who presents the request (they
 * authenticate on their own, through the Authenticator the middleware uses) and the
 * `{ success: true }` answer, as `responses.logout` shapes it.
 */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';
import { revokedEvent } from '../events';
import type { LogoutResponseBody } from '../responses';
import { CREDENTIAL_REFERENCE, type CredentialReference } from '../credential-reference';
import type { SchemeId } from '../schemes/ids';
import type { AuthInfoWithReference } from '../schemes/outcome';
import type { EndpointContext } from './endpoint';

/**
 * The presented credential's actor and what it records of the sign-in (`req.authInfo`),
 * answering a refusal or an anonymous request itself (`null` then).
 */
export async function presentedActor(context: EndpointContext, req: Request, res: Response): Promise<{ actor: Actor; info: AuthInfoWithReference } | null> {
  const resolution = await context.authenticator.resolve(req, res);
  if (resolution.type === 'refused') {
    context.sendProblem(req, res, resolution.error);
    return null;
  }
  if (resolution.type === 'anonymous') {
    context.sendProblem(req, res, new GatehouseError('401.1'));
    return null;
  }
  return { actor: resolution.actor, info: resolution.info };
}

/** Resolves the presented credential, answering the failure itself (`null` then). */
export async function presentedCredential(
  context: EndpointContext,
  req: Request,
  res: Response,
): Promise<{ actor: Actor; scheme: SchemeId; reference: CredentialReference | undefined } | null> {
  const presented = await presentedActor(context, req, res);
  if (!presented) return null;
  return { actor: presented.actor, scheme: presented.info.scheme, reference: presented.info[CREDENTIAL_REFERENCE] };
}

/**
 * Ends exactly the credential the request is made with, through its scheme's `end`, and reports
 * it; the ended credential's actor, or `null` with the failure answered. App users cannot end
 * their own key (an administrator hands it out and takes it back); Basic and configured API
 * keys have nothing to end (403.1).
 */
export async function endPresentedCredential(context: EndpointContext, req: Request, res: Response): Promise<Actor | null> {
  const authenticated = await presentedCredential(context, req, res);
  if (!authenticated) return null;
  const { actor, scheme, reference } = authenticated;
  const ender = reference ? context.enders[scheme] : undefined;
  if (actor.kind === 'appUser' || !reference || !ender || !(await ender(req, res, reference))) {
    context.sendProblem(req, res, new GatehouseError('403.1'));
    return null;
  }
  context.emit?.(revokedEvent(req, actor.id, reference));
  res.setHeader('Cache-Control', 'no-store');
  return actor;
}

/** The logout body, as `responses.logout` shapes it. */
export function sendEnded(context: EndpointContext, req: Request, res: Response, actor: Actor): void {
  const body: LogoutResponseBody = { success: true };
  const shape = context.config.responses.logout;
  res.status(200).json(shape ? shape(body, { req, actor }) : body);
}
