/**
 * `DELETE {admin}/actors/{actorId}/sessions` (`selfService.adminRevokeAll`): an actor with one of
 * `adminRoles` ends every credential of another — `tokens.revokeAll(actorId)`, so logins in flight,
 * JWT access tokens and sessions in a host's own session store end too.
 */
import { GatehouseError } from '../errors';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, endedCounted, problems } from './openapi-operation';
import { presentedCredential } from './presented-credential';

/** Longest actor id taken from the path. */
const MAX_ACTOR_ID_LENGTH = 256;

export const ADMIN_REVOKE_ALL_ENDPOINT: Endpoint = {
  id: 'gatehouseRevokeAllOfActor',
  method: () => 'DELETE',
  path: (paths) => `${paths.admin}/actors/:actorId/sessions`,
  mounted: ({ config, store, schemes }) => Boolean(config.selfService && config.selfService.adminRevokeAll && store.deleteTokensForActor && schemes.size > 0),
  handler: (context) =>
    handle(async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const authenticated = await presentedCredential(context, req, res);
      if (!authenticated) return;
      const { actor } = authenticated;
      const actorId = String(req.params.actorId);
      const isAdmin = actor.roles.some((role) => context.config.adminRoles.includes(role));
      if (!isAdmin) return context.sendProblem(req, res, new GatehouseError('403.1'));
      if (actorId === '' || actorId.length > MAX_ACTOR_ID_LENGTH) throw new GatehouseError('400.1', { detail: `actorId must be 1 to ${MAX_ACTOR_ID_LENGTH} characters.`, extensions: { field: 'actorId' } });
      const ended = await context.tokens.revokeAll(actorId);
      res.status(200).json({ success: true, ended });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseRevokeAllOfActor',
      'End every credential of an actor (administrators: one of adminRoles)',
      anyCredential,
      { '200': endedCounted('Ended; `ended` counts the token records removed.'), ...problems(['400.1', '401.1', '401.2', '401.4', '403.1', '403.4', '503.1']) },
      { parameters: [{ name: 'actorId', in: 'path', required: true, schema: { type: 'string', maxLength: MAX_ACTOR_ID_LENGTH } }] },
    ),
};
