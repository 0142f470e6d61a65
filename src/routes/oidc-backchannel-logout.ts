/**
 * `POST {oidc}/{provider}/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0): the
 * provider tells of a session that ended there. The logout token is verified
 * (`ProviderClient.verifyLogoutToken`) and used once; then every Gatehouse credential that
 * sign-ins through that provider session (`sid`) — or, without `sid`, through any session of
 * the subject at that provider — handed out ends through `TokenService.end`, in the store,
 * so on every instance. Found through the identity's actor and `listTokens`: each such
 * credential records the provider session it came from.
 */
import { GatehouseError } from '../errors';
import { schemeOfTokenKind } from '../events';
import { identityProviderSessionOf } from '../tokens/token-service';
import { handle, type Endpoint } from './endpoint';
import { badField, bodyObject } from './login-body';
import { TAGS, problems } from './openapi-operation';

/** Where a logout token's single-use entry lives among the revocations. */
const USED_LOGOUT_TOKEN_PREFIX = 'oidc-logout-token:';
/** How long a used logout token's `jti` is remembered: past any logout token's lifetime. */
const LOGOUT_TOKEN_MEMORY = 24 * 60 * 60 * 1000;

export const OIDC_BACKCHANNEL_LOGOUT_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcBackchannelLogout',
  method: () => 'POST',
  path: (paths) => `${paths.oidc}/:provider/backchannel-logout`,
  body: true,
  mounted: ({ oidc, store }) => oidc !== null && typeof store.listTokens === 'function',
  handler: (context) =>
    handle(async (req, res) => {
      const oidc = context.oidc!;
      const client = oidc.client(req.params.provider);
      if (!client) throw badField('provider', 'is not a configured identity provider');
      const token = bodyObject(req.body).logout_token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 16 * 1024) throw badField('logout_token', 'must be a logout token');
      const now = context.now();
      const logout = await client.verifyLogoutToken(token, now);
      // Spec §2.8: an invalid logout token is answered 400.
      if (!logout) throw badField('logout_token', 'is not a valid logout token from this provider');
      const key = `${USED_LOGOUT_TOKEN_PREFIX}${client.provider.issuer}\0${logout.jti}`;
      const [usedAt] = await context.store.findRevocations!([key]);
      if (usedAt === null || usedAt === undefined) {
        await context.store.saveRevocation!(key, now, now + LOGOUT_TOKEN_MEMORY);
        const link = await context.store.findIdentity!(client.provider.issuer, logout.sub);
        const records = link ? await context.store.listTokens!(link.actorId) : [];
        for (const record of records) {
          const session = identityProviderSessionOf(record);
          if (!session || session.issuer !== client.provider.issuer || (logout.sid !== null && session.sid !== logout.sid)) continue;
          if (await context.tokens.end(record)) {
            context.emit?.({ type: 'token.revoked', scheme: record.kind === 'cookie' ? 'cookie' : schemeOfTokenKind(record.kind), actorId: record.actorId, ip: null, code: null, kind: record.kind === 'cookie' ? 'session' : record.kind });
          }
        }
      }
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).end();
    }),
  openapi: () => ({
    operationId: 'gatehouseOidcBackchannelLogout',
    tags: TAGS,
    summary: "OpenID Connect Back-Channel Logout: the provider's logout token",
    description: 'Ends every credential that sign-ins through the provider session (`sid`), or every session of the subject, handed out.',
    security: [],
    parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }],
    requestBody: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['logout_token'], properties: { logout_token: { type: 'string' } } } } },
    },
    responses: { '200': { description: 'The sessions ended (or were ended already).' }, ...problems(['400.1', '502.1', '503.1']) },
  }),
};

