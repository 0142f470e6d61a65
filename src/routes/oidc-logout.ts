/**
 * `POST {oidc}/{provider}/logout`: RP-initiated logout (OpenID Connect RP-Initiated Logout
 * 1.0). Ends the credential the request is made with, as `DELETE /sessions/current` does,
 * then sends the browser to the provider's end-session endpoint (`303`, with `client_id` and
 * the provider's `postLogoutRedirectUri`), so the provider's session ends too. A POST: a page
 * on another site cannot sign the browser out (the cookie's cross-origin check applies).
 */
import { handle, type Endpoint } from './endpoint';
import { badField } from './login-body';
import { credentialBearingOperation, problems } from './openapi-operation';
import { endPresentedCredential, sendEnded } from './presented-credential';

export const OIDC_LOGOUT_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcLogout',
  method: () => 'POST',
  path: (paths) => `${paths.oidc}/:provider/logout`,
  mounted: ({ oidc, schemes }) => oidc !== null && schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const client = context.oidc!.client(req.params.provider);
      if (!client) throw badField('provider', 'is not a configured identity provider');
      const actor = await endPresentedCredential(context, req, res);
      if (!actor) return;
      // Signed out here whatever the provider does; a provider that cannot be reached, or has
      // no end-session endpoint, leaves the answer of DELETE /sessions/current.
      const endSession = await client.endSessionUrl(null).catch(() => null);
      if (endSession) res.redirect(303, endSession.href);
      else sendEnded(context, req, res, actor);
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseOidcLogout',
      'Log out here and at the provider (RP-initiated logout)',
      anyCredential,
      {
        '303': { description: "Ended; to the provider's end-session endpoint." },
        '200': { description: 'Ended; the provider has no end-session endpoint or could not be reached.' },
        ...problems(['400.1', '401.1', '401.2', '403.1', '403.4', '503.1']),
      },
      { parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }] },
    ),
};
