/** `GET {account}/sessions` (`selfService.list`): the caller's live sign-ins, the current one marked. */
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ok, problems } from './openapi-operation';
import { signedInUser } from './signed-in-user';

export const SIGN_INS_LIST_ENDPOINT: Endpoint = {
  id: 'gatehouseListSignIns',
  method: () => 'GET',
  path: (paths) => `${paths.account}/sessions`,
  mounted: ({ config, signIns, schemes }) => Boolean(config.selfService && config.selfService.list && signIns && schemes.size > 0),
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUser(context, req, res);
      if (!user) return;
      const sessions = await context.signIns!.list(user.actor.id, user.current);
      res.status(200).json({ sessions });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation('gatehouseListSignIns', 'List your own sign-ins: where you are signed in, and which one this is', anyCredential, {
      '200': ok('Your live sign-ins, oldest first.', {
        type: 'object',
        required: ['sessions'],
        properties: { sessions: { type: 'array', items: { $ref: '#/components/schemas/GatehouseSignIn' } } },
      }),
      ...problems(['401.1', '401.2', '401.4', '403.1', '503.1']),
    }),
};
