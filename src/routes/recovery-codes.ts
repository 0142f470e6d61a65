/**
 * `POST {secondFactor}/recovery-codes`: ten new recovery codes for the signed-in user in place
 * of the old ones, with a recent sign-in (`second-factor-access.ts`), shown this once.
 */
import { GatehouseError } from '../errors';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, problems, REAUTHENTICATION_BODY } from './openapi-operation';
import { reportChange, secondFactorActor } from './second-factor-access';
import { recoveryCodesResponse } from './totp-confirm';

export const RECOVERY_CODES_ENDPOINT: Endpoint = {
  id: 'gatehouseRecoveryCodes',
  method: () => 'POST',
  path: (paths) => `${paths.secondFactor}/recovery-codes`,
  body: true,
  mounted: ({ secondFactors, schemes }) => secondFactors !== null && schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const actor = await secondFactorActor(context, req, res, { recentSignIn: true });
      if (!actor) return;
      const secondFactors = context.secondFactors!;
      if ((await secondFactors.enrolledKinds(actor.id)).length === 0) throw new GatehouseError('403.1', { detail: 'Recovery codes need a confirmed second factor.' });
      const recoveryCodes = await secondFactors.regenerateRecoveryCodes(actor.id);
      reportChange(context, req, actor.id, 'recoveryCodesRenewed');
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ recoveryCodes });
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
