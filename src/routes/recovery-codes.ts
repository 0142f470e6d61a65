/**
 * `POST {secondFactor}/recovery-codes`: ten new recovery codes for the signed-in user in place
 * of the old ones, with a recent sign-in (`second-factor-access.ts`), shown this once.
 */
import { GatehouseError } from '../errors';
import type { Endpoint } from './endpoint';
import { credentialBearingOperation, problems, REAUTHENTICATION_BODY } from './openapi-operation';
import { secondFactorChangeHandler, secondFactorsMounted } from './second-factor-access';
import { recoveryCodesResponse } from './totp-confirm';

export const RECOVERY_CODES_ENDPOINT: Endpoint = {
  id: 'gatehouseRecoveryCodes',
  method: () => 'POST',
  path: (paths) => `${paths.secondFactor}/recovery-codes`,
  body: true,
  mounted: secondFactorsMounted,
  handler: secondFactorChangeHandler({ recentSignIn: true, change: 'recoveryCodesRenewed' }, async (secondFactors, actor) => {
    if ((await secondFactors.enrolledKinds(actor.id)).length === 0) throw new GatehouseError('403.1', { detail: 'Recovery codes need a confirmed second factor.' });
    return { recoveryCodes: await secondFactors.regenerateRecoveryCodes(actor.id) };
  }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseRecoveryCodes',
      'New recovery codes in place of the old ones, shown this once',
      anyCredential,
      { '200': recoveryCodesResponse('The old codes no longer work.'), ...problems(['400.1', '401.1', '401.2', '403.1', '403.2', '503.1']) },
      { requestBody: REAUTHENTICATION_BODY },
    ),
};
