/**
 * Who may change a second factor (enrol, disable, new recovery codes): a signed-in user, who
 * also proves a recent sign-in — the credential says its actor signed in within
 * `secondFactor.recentSignIn` (`req.authInfo.authTime`, where the credential records it), or
 * the request carries the login and current password again. So a stolen session alone cannot
 * turn the factor off or take the recovery codes.
 */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';
import { clientIp } from '../events';
import { clientGoneSignal } from '../passwords/client-gone';
import type { EndpointContext } from './endpoint';
import { bodyObject, readLoginBody } from './login-body';

/** The signed-in actor of a second-factor endpoint, or `null` once the refusal has been answered. */
export async function secondFactorActor(context: EndpointContext, req: Request, res: Response, options: { recentSignIn: boolean }): Promise<Actor | null> {
  const resolution = await context.authenticator.resolve(req, res);
  if (resolution.type === 'refused') {
    context.sendProblem(req, res, resolution.error);
    return null;
  }
  if (resolution.type === 'anonymous') {
    context.sendProblem(req, res, new GatehouseError('401.1'));
    return null;
  }
  const { actor, info } = resolution;
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

/** Reports a change of the actor's second factor (`secondFactor.changed`). */
export function reportChange(context: EndpointContext, req: Request, actorId: string, change: 'enrolled' | 'confirmed' | 'disabled' | 'recoveryCodesRenewed'): void {
  context.emit?.({ type: 'secondFactor.changed', scheme: null, actorId, ip: clientIp(req), code: null, change });
}

/** `authTime` as a credential may record it (ms, or a Date); `null` when absent or not a time. */
function signedInAt(value: unknown): number | null {
  const at = value instanceof Date ? value.getTime() : value;
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}
