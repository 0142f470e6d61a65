/**
 * `DELETE {secondFactor}/totp`: removes the signed-in user's TOTP factor and recovery codes,
 * with a recent sign-in (`second-factor-access.ts`: the credential's recorded sign-in time, or
 * the login and current password in the body).
 */
import type { Endpoint } from './endpoint';
import { credentialBearingOperation, ended, problems, REAUTHENTICATION_BODY } from './openapi-operation';
import { secondFactorChangeHandler, secondFactorsMounted } from './second-factor-access';

export const TOTP_DISABLE_ENDPOINT: Endpoint = {
  id: 'gatehouseTotpDisable',
  method: () => 'DELETE',
  path: (paths) => `${paths.secondFactor}/totp`,
  body: true,
  mounted: secondFactorsMounted,
  handler: secondFactorChangeHandler({ recentSignIn: true, change: 'disabled' }, async (secondFactors, actor) => {
    await secondFactors.disableTotp(actor.id);
    return { success: true };
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
