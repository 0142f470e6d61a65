/**
 * `POST {account}/password` (`selfService.passwordChange`): a signed-in user sets a new password,
 * giving the login and the current password, checked exactly as a login checks them (lockout,
 * timing, one 401.2). The user's other sign-ins then end (`end`, default `'others'`), the one in
 * use kept; `'all'` ends it too, `'none'` ends nothing.
 */
import { isGatehouseError } from '../errors';
import { changeSignedInPassword, END_ON_PASSWORD_CHANGE, POLICY_CALLBACK_FAILED, type EndOnPasswordChange } from '../passwords/signed-in-change';
import { hasControlCharacter } from '../login';
import { handle, type Endpoint } from './endpoint';
import { badField, bodyObject, requiredString } from './login-body';
import { credentialBearingOperation, endedCounted, jsonOrFormBody, problems } from './openapi-operation';
import { keepCurrentSession, signedInUser } from './signed-in-user';

const MAX_LOGIN_LENGTH = 320;

export const ACCOUNT_PASSWORD_ENDPOINT: Endpoint = {
  id: 'gatehouseChangePassword',
  method: () => 'POST',
  path: (paths) => `${paths.account}/password`,
  body: true,
  mounted: ({ config, signedInChange, schemes }) => Boolean(config.selfService && config.selfService.passwordChange && signedInChange && schemes.size > 0),
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUser(context, req, res);
      if (!user) return;
      const body = bodyObject(req.body);
      const login = requiredString(body, 'login', MAX_LOGIN_LENGTH);
      const currentPassword = requiredString(body, 'currentPassword');
      const newPassword = requiredString(body, 'newPassword');
      for (const [field, value] of [['login', login], ['currentPassword', currentPassword], ['newPassword', newPassword]] as const) {
        if (hasControlCharacter(value)) throw badField(field, 'must not contain control characters');
      }
      const end = body.end ?? 'others';
      if (!END_ON_PASSWORD_CHANGE.includes(end as EndOnPasswordChange)) throw badField('end', "must be 'others', 'all' or 'none'");
      try {
        const { ended, notBefore } = await changeSignedInPassword(context.signedInChange!, {
          actor: user.actor,
          scheme: user.scheme,
          login,
          currentPassword,
          newPassword,
          end: end as EndOnPasswordChange,
          current: user.current,
          req,
        });
        await keepCurrentSession(context.cookieSessions, user.reference, notBefore, req, res);
        res.status(200).json({ success: true, ended });
      } catch (error) {
        // Reported already as callback.error: answered here, not reported again as store.error.
        if (isGatehouseError(error) && error.cause === POLICY_CALLBACK_FAILED) return context.sendProblem(req, res, error);
        throw error;
      }
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseChangePassword',
      'Change your password, giving the current one; your other sign-ins end',
      anyCredential,
      {
        '200': endedCounted('Changed; `ended` counts the credentials ended.'),
        ...problems(['400.1', '401.1', '401.2', '401.4', '403.1', '403.2', '403.4', '503.1', '503.2']),
      },
      {
        requestBody: jsonOrFormBody({
          type: 'object',
          required: ['login', 'currentPassword', 'newPassword'],
          properties: {
            login: { type: 'string' },
            currentPassword: { type: 'string', format: 'password' },
            newPassword: { type: 'string', format: 'password' },
            end: { type: 'string', enum: [...END_ON_PASSWORD_CHANGE], default: 'others' },
          },
        }),
      },
    ),
};
