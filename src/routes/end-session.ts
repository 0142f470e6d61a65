/**
 * `DELETE /sessions/:token`: a user ends one of their own tokens (an administrator, anyone's),
 * through `tokens.end`, as every other way of ending a credential does.
 */
import { GatehouseError } from '../errors';
import { revokedEvent } from '../events';
import { hashSecret } from '../tokens/format';
import { claimedTokenKind } from '../tokens/api-key-format';
import { redactPathSegment } from '../url-credentials';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems } from './openapi-operation';
import { presentedCredential, sendEnded } from './presented-credential';

export const END_SESSION_ENDPOINT: Endpoint = {
  id: 'gatehouseEndSession',
  method: () => 'DELETE',
  path: (paths) => `${paths.sessions}/:token`,
  mounted: ({ schemes }) => schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      // The token to end is itself a credential in the URL: keep it out of request logs.
      const token = String(req.params.token);
      req.originalUrl = redactPathSegment(req.originalUrl, token);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const authenticated = await presentedCredential(context, req, res);
      if (!authenticated) return;
      const { actor } = authenticated;
      const forbidden = () => context.sendProblem(req, res, new GatehouseError('403.1'));
      const { findToken } = context.store;
      if (actor.kind !== 'user' || claimedTokenKind(token) === null || !findToken || !context.store.deleteToken) return forbidden();
      const hash = hashSecret(token);
      const record = await findToken(hash);
      const isAdmin = actor.roles.some((role) => context.config.adminRoles.includes(role));
      // Unknown and someone else's token answer alike: the endpoint is no existence oracle.
      if (!record || record.hash !== hash || (record.actorId !== actor.id && !isAdmin)) return forbidden();
      await context.tokens.end(record);
      context.emit?.(revokedEvent(req, record.actorId, { type: 'token', hash, kind: record.kind }));
      sendEnded(context, req, res, actor);
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseEndSession',
      'End one of your own session tokens (any, with an admin role)',
      anyCredential,
      { '200': ended(), ...problems(['401.1', '401.2', '403.1', '503.1']) },
      { parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }] },
    ),
};
