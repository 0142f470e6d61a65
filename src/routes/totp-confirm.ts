/**
 * `POST {secondFactor}/totp/confirm`: confirms the signed-in user's pending TOTP enrolment with
 * a first valid code (then spent) and answers ten recovery codes, shown this once. From now on
 * a right password of this user answers 401.5.
 */
import type { Endpoint } from './endpoint';
import { bodyObject, requiredString } from './login-body';
import { credentialBearingOperation, jsonOrFormBody, ok, problems } from './openapi-operation';
import { secondFactorChangeHandler, secondFactorsMounted } from './second-factor-access';

/** The recovery codes answer, shown once. */
export function recoveryCodesResponse(description: string) {
  return ok(description, {
    type: 'object',
    required: ['recoveryCodes'],
    properties: { recoveryCodes: { type: 'array', items: { type: 'string' }, minItems: 10, maxItems: 10, description: 'Single-use codes that stand in for a TOTP code; shown this once.' } },
  });
}

export const TOTP_CONFIRM_ENDPOINT: Endpoint = {
  id: 'gatehouseTotpConfirm',
  method: () => 'POST',
  path: (paths) => `${paths.secondFactor}/totp/confirm`,
  body: true,
  mounted: secondFactorsMounted,
  handler: secondFactorChangeHandler({ recentSignIn: false, change: 'confirmed' }, async (secondFactors, actor, req) => ({
    recoveryCodes: await secondFactors.confirmTotp(actor.id, requiredString(bodyObject(req.body), 'code', 16).trim()),
  })),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseTotpConfirm',
      'Confirm a TOTP enrolment with a first code; answers the recovery codes',
      anyCredential,
      { '200': recoveryCodesResponse('Confirmed: logins now ask for a code.'), ...problems(['400.1', '401.1', '401.2', '403.1', '503.1']) },
      { requestBody: jsonOrFormBody({ type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } }) },
    ),
};
