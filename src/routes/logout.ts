/**
 * `DELETE /sessions/current` (or `paths.logout` with `logoutMethod`): ends exactly the
 * credential the request is made with, through its scheme's `end`.
 */
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems } from './openapi-operation';
import { endPresentedCredential, sendEnded } from './presented-credential';

export const LOGOUT_ENDPOINT: Endpoint = {
  id: 'gatehouseLogout',
  method: (paths) => paths.logoutMethod,
  path: (paths) => paths.logout,
  // With no scheme on, no request could present anything to end.
  mounted: ({ schemes }) => schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const actor = await endPresentedCredential(context, req, res);
      if (actor) sendEnded(context, req, res, actor);
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation('gatehouseLogout', 'Log out: end the credential this request is made with', anyCredential, { '200': ended(), ...problems(['401.1', '401.2', '403.1', '503.1']) }),
};
