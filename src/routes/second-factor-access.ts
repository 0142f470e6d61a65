/**
 * Who may change a second factor (enrol, disable, new recovery codes): a signed-in user, who
 * also proves a recent sign-in — the credential says its actor signed in within
 * `secondFactor.recentSignIn` (`req.authInfo.authTime`, where the credential records it), or
 * the request carries the login and current password again. So a stolen session alone cannot
 * turn the factor off or take the recovery codes. The endpoints' handlers are built here
 * (`secondFactorChangeHandler`), so each endpoint says only what it changes and answers.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';
import { clientIp } from '../events';
import { clientGoneSignal } from '../passwords/client-gone';
import type { SecondFactors } from '../second-factor/second-factors';
import { handle, type EndpointContext } from './endpoint';
import { bodyObject, readLoginBody } from './login-body';
import { presentedActor } from './presented-credential';

/** The change a second-factor endpoint makes, as `secondFactor.changed` reports it. */
type SecondFactorChange = 'enrolled' | 'confirmed' | 'disabled' | 'recoveryCodesRenewed';

/** Second-factor endpoints are mounted when second factors are on and a credential can be presented. */
export const secondFactorsMounted = ({ secondFactors, schemes }: EndpointContext): boolean => secondFactors !== null && schemes.size > 0;

/**
 * The handler of an endpoint that changes the signed-in user's second factor: the actor (with a
 * recent sign-in where `recentSignIn` asks for it), then `act`, then the change reported
 * (`secondFactor.changed`), then `act`'s answer with `Cache-Control: no-store`, since it may
 * hold a secret or recovery codes shown this once.
 */
export function secondFactorChangeHandler(
  options: { recentSignIn: boolean; change: SecondFactorChange },
  act: (secondFactors: SecondFactors, actor: Actor, req: Request) => Promise<object>,
): (context: EndpointContext) => RequestHandler {
  return (context) =>
    handle(async (req, res) => {
      const actor = await secondFactorActor(context, req, res, options);
      if (!actor) return;
      const answer = await act(context.secondFactors!, actor, req);
      context.emit?.({ type: 'secondFactor.changed', scheme: null, actorId: actor.id, ip: clientIp(req), code: null, change: options.change });
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json(answer);
    });
}

/** The signed-in actor of a second-factor endpoint, or `null` once the refusal has been answered. */
async function secondFactorActor(context: EndpointContext, req: Request, res: Response, options: { recentSignIn: boolean }): Promise<Actor | null> {
  const presented = await presentedActor(context, req, res);
  if (!presented) return null;
  const { actor, info } = presented;
  // App users and API keys sign in with no password: they have no second factor to manage.
  if (actor.kind === 'appUser' || actor.kind === 'apiKey') throw new GatehouseError('403.1');
  if (!options.recentSignIn) return actor;
  const authTime = signedInAt((info as { authTime?: unknown }).authTime);
  const now = context.now();
  const recentSignIn = context.config.secondFactor ? context.config.secondFactor.recentSignIn : 0;
  if (authTime !== null && authTime <= now && now - authTime <= recentSignIn) return actor;
  // No recent sign-in on record: the password again, checked (and locked) as at login.
  const body = bodyObject(req.body);
  if (body.password === undefined) {
    throw new GatehouseError('401.2', { detail: 'Changing the second factor needs a recent sign-in: send login and password with the request.' });
  }
  const { login, password } = readLoginBody(body);
  const { actor: proven } = await context.passwordCheck!.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res), askSecondFactor: false });
  if (proven.id !== actor.id) throw new GatehouseError('401.2');
  return actor;
}

/** `authTime` as a credential may record it (ms, or a Date); `null` when absent or not a time. */
function signedInAt(value: unknown): number | null {
  const at = value instanceof Date ? value.getTime() : value;
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}
