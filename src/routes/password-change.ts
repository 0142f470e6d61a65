/**
 * `POST {sessions}/password` (`passwordChange`): a new password for an expired one, with the
 * `changeTicket` of the login's 403.3. Every credential of the actor ends.
 */
import { GatehouseError } from '../errors';
import { MAX_TICKET_LENGTH } from '../passwords/change-ticket';
import { handle, type Endpoint } from './endpoint';
import { badField, bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, ok, problems } from './openapi-operation';

export const PASSWORD_CHANGE_ENDPOINT: Endpoint = {
  id: 'gatehouseChangeExpiredPassword',
  method: () => 'POST',
  path: (paths) => `${paths.sessions}/password`,
  body: true,
  mounted: ({ passwordChange, store }) => passwordChange !== null && Boolean(store.findCredentials && store.changePassword),
  handler(context) {
    const { tickets, hasher } = context.passwordChange!;
    const findCredentials = context.store.findCredentials!;
    const changePassword = context.store.changePassword!;
    return handle(async (req, res) => {
      const body = bodyObject(req.body);
      const ticket = tickets.read(requiredString(body, 'ticket', MAX_TICKET_LENGTH));
      const password = requiredString(body, 'password');
      const record = await findCredentials(ticket.login);
      if (!record || record.actor.id !== ticket.actorId || record.passwordHash === null) throw new GatehouseError('401.2');
      // Bound to the hash it was issued for: used once (or after any other change) it no longer checks out.
      tickets.verify(ticket, record.passwordHash);
      if (await hasher.verify(password, record.passwordHash)) throw badField('password', 'must differ from the expired password');
      const newHash = await hasher.hash(password);
      // Compare-and-set: of two requests with one ticket, one wins.
      if (!(await changePassword(record.actor.id, record.passwordHash, newHash))) throw new GatehouseError('401.2');
      // Whoever knew the old password is out: every credential of the actor ends.
      await context.tokens.revokeAll(record.actor.id);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ success: true });
    });
  },
  openapi: () =>
    credentialFreeOperation(
      'gatehouseChangeExpiredPassword',
      'Change an expired password with the changeTicket of its 403.3',
      { type: 'object', required: ['ticket', 'password'], properties: { ticket: { type: 'string' }, password: { type: 'string', format: 'password' } } },
      { '200': ok('Changed; every credential of the actor has ended.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['400.1', '401.2', '401.4', '503.1', '503.2']) },
    ),
};
