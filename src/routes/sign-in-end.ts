/**
 * `DELETE {account}/sessions/{id}` (`selfService.end`): ends one of the caller's own sign-ins by
 * the id the list shows, through `TokenService.end`. Another actor's id is answered exactly as an
 * unknown one — the same 403.1 after the same one store read — so the endpoint tells nobody which
 * ids exist.
 */
import { GatehouseError } from '../errors';
import { storedCredentialEndedEvent } from '../events';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems } from './openapi-operation';
import { signedInUser } from './signed-in-user';

/** Longest id looked up; credential ids are 22 characters. */
const MAX_ID_LENGTH = 64;

export const SIGN_IN_END_ENDPOINT: Endpoint = {
  id: 'gatehouseEndSignIn',
  method: () => 'DELETE',
  path: (paths) => `${paths.account}/sessions/:id`,
  mounted: ({ config, signIns, schemes }) => Boolean(config.selfService && config.selfService.end && signIns && schemes.size > 0),
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUser(context, req, res);
      if (!user) return;
      const id = String(req.params.id);
      const ended = id.length <= MAX_ID_LENGTH ? await context.signIns!.endById(user.actor.id, id) : null;
      if (!ended) return context.sendProblem(req, res, new GatehouseError('403.1'));
      context.emit?.(storedCredentialEndedEvent(req, user.actor.id, ended.kind));
      res.status(200).json({ success: true });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseEndSignIn',
      'End one of your own sign-ins by its id',
      anyCredential,
      { '200': ended(), ...problems(['401.1', '401.2', '401.4', '403.1', '403.4', '503.1']) },
      {
        description: 'An id that is not one of your sign-ins (unknown, or someone else\'s) is answered 403.1, alike.',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: MAX_ID_LENGTH } }],
      },
    ),
};
