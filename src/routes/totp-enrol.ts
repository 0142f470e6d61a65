/**
 * `POST {secondFactor}/totp`: starts a TOTP enrolment for the signed-in user (with a recent
 * sign-in, `second-factor-access.ts`) and answers the secret and its `otpauth://` URI, this
 * once: the store keeps the secret sealed (AES-256-GCM) and no endpoint shows it again. Logins
 * ask for a code only once `POST {secondFactor}/totp/confirm` has confirmed it.
 */
import type { Endpoint } from './endpoint';
import { credentialBearingOperation, ok, problems, REAUTHENTICATION_BODY } from './openapi-operation';
import { secondFactorChangeHandler, secondFactorsMounted } from './second-factor-access';

export const TOTP_ENROL_ENDPOINT: Endpoint = {
  id: 'gatehouseTotpEnrol',
  method: () => 'POST',
  path: (paths) => `${paths.secondFactor}/totp`,
  body: true,
  mounted: secondFactorsMounted,
  handler: secondFactorChangeHandler({ recentSignIn: true, change: 'enrolled' }, (secondFactors, actor) => secondFactors.beginTotp(actor)),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseTotpEnrol',
      'Start a TOTP enrolment: the secret and its otpauth:// URI, shown this once',
      anyCredential,
      {
        '200': ok('Pending until confirmed with a first code.', {
          type: 'object',
          required: ['secret', 'uri'],
          properties: { secret: { type: 'string', description: 'Base32 shared secret.' }, uri: { type: 'string', description: '`otpauth://totp/…` for an authenticator app (a QR code).' } },
        }),
        ...problems(['400.1', '401.1', '401.2', '403.1', '403.2', '503.1']),
      },
      { requestBody: REAUTHENTICATION_BODY },
    ),
};
