/**
 * `DELETE {secondFactor}/totp`: removes the signed-in user's TOTP factor and recovery codes,
 * with a recent sign-in (`second-factor-access.ts`: the credential's recorded sign-in time, or
 * the login and current password in the body).
 */
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems, REAUTHENTICATION_BODY } from './openapi-operation';
import { reportChange, secondFactorActor } from './second-factor-access';

export const TOTP_DISABLE_ENDPOINT: Endpoint = {
  id: 'gatehouseTotpDisable',
  method: () => 'DELETE',
  path: (paths) => `${paths.secondFactor}/totp`,
  body: true,
  mounted: ({ secondFactors, schemes }) => secondFactors !== null && schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const actor = await secondFactorActor(context, req, res, { recentSignIn: true });
      if (!actor) return;
      await context.secondFactors!.disableTotp(actor.id);
      reportChange(context, req, actor.id, 'disabled');
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ success: true });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseTotpDisable',
      'Turn TOTP off (and remove the recovery codes)',
      anyCredential,
      { '200': ended(), ...problems(['400.1', '401.1', '401.2', '403.1', '403.2', '503.1']) },
      { requestBody: REAUTHENTICATION_BODY },
    ),
};
