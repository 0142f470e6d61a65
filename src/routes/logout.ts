/**
 * `DELETE /sessions/current` (or `paths.logout` with `logoutMethod`): ends exactly the
 * credential the request is made with, through its scheme's `end`.
 */
import { GatehouseError } from '../errors';
import { revokedEvent } from '../events';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems } from './openapi-operation';
import { presentedCredential, sendEnded } from './presented-credential';

export const LOGOUT_ENDPOINT: Endpoint = {
  id: 'gatehouseLogout',
  method: (paths) => paths.logoutMethod,
  path: (paths) => paths.logout,
  // With no scheme on, no request could present anything to end.
  mounted: ({ schemes }) => schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const authenticated = await presentedCredential(context, req, res);
      if (!authenticated) return;
      const { actor, scheme, reference } = authenticated;
      const ender = reference ? context.enders[scheme] : undefined;
      // App users cannot end their own key (an administrator hands it out and takes it back);
      // Basic and configured API keys have nothing to end.
      if (actor.kind === 'appUser' || !reference || !ender || !(await ender(req, res, reference))) {
        return context.sendProblem(req, res, new GatehouseError('403.1'));
      }
      context.emit?.(revokedEvent(req, actor.id, reference));
      res.setHeader('Cache-Control', 'no-store');
      sendEnded(context, req, res, actor);
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation('gatehouseLogout', 'Log out: end the credential this request is made with', anyCredential, { '200': ended(), ...problems(['401.1', '401.2', '403.1', '503.1']) }),
};
