/**
 * `POST {sessions}/password` (`passwordChange`): a new password for an expired one, with the
 * `changeTicket` of the login's 403.3 (README, "Changing an expired password"). Every
 * credential of the actor ends.
 *
 * The ticket's signature is checked before anything else (`ChangeTickets.read`), so a
 * forged ticket costs no store call; then the store's current hash (the ticket works once);
 * then the new password (`passwordPolicy`), the host's own check last, only for a request
 * that has proved whose password it sets.
 */
import type { NextFunction, Request, Response } from 'express';
import type { RoutesContext } from '../context';
import { GatehouseError, isGatehouseError } from '../errors';
import { clientIp } from '../events';
import { MAX_TICKET_LENGTH } from '../passwords/change-ticket';
import { checkNewPassword, refusedPassword } from '../passwords/password-policy';
import type { Endpoint } from './endpoint';
import { bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, ok, problems } from './openapi-operation';

/** The cause of a 503.1 already reported as `callback.error`: answered here, so the routes' error handler does not report it again as `store.error`. */
const REPORTED: unique symbol = Symbol('reported as callback.error');

/** Sets the password; resolves to the actor whose it is. `known.actorId` is set once the ticket's signature checks out. */
async function changeExpiredPassword(context: RoutesContext, req: Request, known: { actorId: string | null }): Promise<string> {
  const { tickets, hasher } = context.passwordChange!;
  const policy = context.config.passwordPolicy;
  const body = bodyObject(req.body);
  const ticket = tickets.read(requiredString(body, 'ticket', MAX_TICKET_LENGTH));
  known.actorId = ticket.actorId;
  const password = requiredString(body, 'password');
  const record = await context.store.findCredentials!(ticket.login);
  if (!record || record.actor.id !== ticket.actorId || record.passwordHash === null) throw new GatehouseError('401.2');
  // Bound to the hash it was issued for: used once (or after any other change) it no longer checks out.
  tickets.verify(ticket, record.passwordHash);
  await checkNewPassword(password, policy, {
    actor: record.actor,
    req,
    fitsHasher: (candidate) => hasher.accepts(candidate),
    onCallbackError(error) {
      // The host's check could not say: fail closed, reported as its failure, not the store's.
      context.reportCallbackError(req, 'passwordPolicy.validate', error, { code: '503.1', actorId: record.actor.id });
      return new GatehouseError('503.1', { detail: 'The new password could not be checked; try again later.', cause: REPORTED });
    },
  });
  if (await hasher.verify(password, record.passwordHash)) throw refusedPassword('must differ from the expired password');
  const newHash = await hasher.hash(password);
  // Compare-and-set: of two requests with one ticket, one wins.
  if (!(await context.store.changePassword!(record.actor.id, record.passwordHash, newHash))) throw new GatehouseError('401.2');
  // Whoever knew the old password is out: every credential of the actor ends.
  await context.tokens.revokeAll(record.actor.id);
  return record.actor.id;
}

export const PASSWORD_CHANGE_ENDPOINT: Endpoint = {
  id: 'gatehouseChangeExpiredPassword',
  method: () => 'POST',
  path: (paths) => `${paths.sessions}/password`,
  body: true,
  mounted: ({ passwordChange, store }) => passwordChange !== null && Boolean(store.findCredentials && store.changePassword),
  handler(context) {
    return (req: Request, res: Response, next: NextFunction): void => {
      const known: { actorId: string | null } = { actorId: null };
      changeExpiredPassword(context, req, known).then(
        (actorId) => {
          context.emit?.({ type: 'password.changed', scheme: null, actorId, ip: clientIp(req), code: null });
          res.setHeader('Cache-Control', 'no-store');
          res.status(200).json({ success: true });
        },
        (error: unknown) => {
          if (isGatehouseError(error) && error.cause === REPORTED) return context.sendProblem(req, res, error);
          if (isGatehouseError(error) && !error.code.startsWith('5')) {
            context.emit?.({ type: 'password.changeRefused', scheme: null, actorId: known.actorId, ip: clientIp(req), code: error.code });
          }
          next(error);
        },
      );
    };
  },
  openapi: () =>
    credentialFreeOperation(
      'gatehouseChangeExpiredPassword',
      'Change an expired password with the changeTicket of its 403.3',
      { type: 'object', required: ['ticket', 'password'], properties: { ticket: { type: 'string' }, password: { type: 'string', format: 'password' } } },
      { '200': ok('Changed; every credential of the actor has ended.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['400.1', '401.2', '401.4', '503.1', '503.2']) },
    ),
};
