/**
 * `GET {oidc}/identities`: the signed-in user's identities at OpenID providers — provider name,
 * issuer, subject and when each was linked; never a token or a claim. What
 * `DELETE {oidc}/identities/{provider}/{subject}` takes.
 */
import { linkedIdentities } from '../oidc/identity-links';
import { handle, type Endpoint } from './endpoint';
import { credentialBearingOperation, ok, problems } from './openapi-operation';
import { signedInUser } from './signed-in-user';

export const OIDC_IDENTITIES_LIST_ENDPOINT: Endpoint = {
  id: 'gatehouseListIdentities',
  method: () => 'GET',
  path: (paths) => `${paths.oidc}/identities`,
  mounted: ({ oidc, schemes }) => oidc !== null && schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUser(context, req, res);
      if (!user) return;
      const identities = await linkedIdentities(context.store, context.oidc!.options, user.actor.id);
      res.status(200).json({ identities });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation('gatehouseListIdentities', 'List your identities at OpenID providers', anyCredential, {
      '200': ok('Your linked identities, oldest link first.', {
        type: 'object',
        required: ['identities'],
        properties: {
          identities: {
            type: 'array',
            items: {
              type: 'object',
              required: ['provider', 'issuer', 'subject', 'linkedAt'],
              properties: {
                provider: { type: ['string', 'null'], description: "The provider's name in `oidc.providers`; `null` when no configured provider has this issuer." },
                issuer: { type: 'string' },
                subject: { type: 'string' },
                linkedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      }),
      ...problems(['401.1', '401.2', '401.4', '403.1', '503.1']),
    }),
};
