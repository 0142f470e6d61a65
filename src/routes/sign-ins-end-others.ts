/**
 * `DELETE {account}/sessions/others` (`selfService.endOthers`): "sign out everywhere else". Every
 * other sign-in of the caller ends — session tokens, browser sessions, JWT refresh families with
 * their access tokens — on every instance by the next request; the one in use stays.
 */
import { clientIp } from '../events';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, endedCounted, problems } from './openapi-operation';
import { keepCurrentSession, signedInUser } from './signed-in-user';
import { SIGN_IN_KINDS } from '../tokens/sign-ins';

export const SIGN_INS_END_OTHERS_ENDPOINT: Endpoint = {
  id: 'gatehouseEndOtherSignIns',
  method: () => 'DELETE',
  path: (paths) => `${paths.account}/sessions/others`,
  mounted: ({ config, signIns, schemes }) => Boolean(config.selfService && config.selfService.endOthers && signIns && schemes.size > 0),
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUser(context, req, res);
      if (!user) return;
      const { ended, notBefore } = await context.signIns!.endOthers(user.actor.id, user.current, SIGN_IN_KINDS, clientIp(req));
      await keepCurrentSession(context.cookieSessions, user.reference, notBefore, req, res);
      res.status(200).json({ success: true, ended });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseEndOtherSignIns',
      'Sign out everywhere else: end every sign-in of yours but this one',
      anyCredential,
      { '200': endedCounted('Ended; `ended` counts the sign-ins ended.'), ...problems(['401.1', '401.2', '401.4', '403.1', '403.4', '503.1']) },
      {
        description:
          'Ends your other session tokens, browser sessions and JWT refresh families (with their access tokens), and refuses logins still in flight. A JWT client keeps its refresh token and refreshes once for a new access token.',
      },
    ),
};
