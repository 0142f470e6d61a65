/**
 * `POST {oidc}/{provider}/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0): the
 * provider tells of a session that ended there. The logout token is verified
 * (`ProviderClient.verifyLogoutToken`) and used once; then every Gatehouse credential that
 * sign-ins through that provider session (`sid`) — or, without `sid`, through any session of
 * the subject (`sub`) at that provider — handed out ends through `TokenService.end`, in the
 * store, so on every instance: cookie sessions, session tokens, and JWT pairs (the refresh
 * family, and through its revocation the access tokens bound to it). Found through the actors
 * — the subject's linked actor, and those the store recorded under the provider session at
 * sign-in (`saveProviderSession`: a token may name the session alone) — and `listTokens`:
 * each such credential records the provider session it came from.
 */
import { GatehouseError } from '../errors';
import { schemeOfTokenKind } from '../events';
import { identityProviderSessionOf } from '../tokens/provider-sessions';
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
      const issuer = client.provider.issuer;
      const findSessionActors = context.store.findProviderSessionActors;
      // Without `sub` the credentials are found only through the store's record of the provider
      // session; a store that keeps none cannot honour the token, and says so (§2.8: 400).
      if (logout.sub === null && !findSessionActors) throw badField('logout_token', 'names no subject, and the store keeps no provider sessions (saveProviderSession)');
      // JSON keeps issuer and jti apart without a NUL byte, which PostgreSQL's text refuses.
      const key = `${USED_LOGOUT_TOKEN_PREFIX}${JSON.stringify([issuer, logout.jti])}`;
      const [usedAt] = await context.store.findRevocations!([key]);
      if (usedAt === null || usedAt === undefined) {
        await context.store.saveRevocation!(key, now, now + LOGOUT_TOKEN_MEMORY);
        // The actors whose credentials may come from the session: the subject's, and those
        // recorded under the provider session at sign-in (on any instance).
        const actorIds = new Set<string>();
        const link = logout.sub === null ? null : await context.store.findIdentity!(issuer, logout.sub);
        if (link) actorIds.add(link.actorId);
        if (logout.sid !== null && findSessionActors) for (const actorId of await findSessionActors(issuer, logout.sid, now)) actorIds.add(actorId);
        const endedFamilies = new Set<string>();
        for (const actorId of actorIds) {
          for (const record of await context.store.listTokens!(actorId)) {
            const session = identityProviderSessionOf(record);
            if (!session || session.issuer !== issuer || (logout.sid !== null && session.sid !== logout.sid)) continue;
            // A refresh family ends once, whichever of its tokens comes first (rotated ones are listed too).
            if (record.kind === 'refresh' && record.familyId) {
              if (endedFamilies.has(record.familyId)) continue;
              endedFamilies.add(record.familyId);
            }
            if (await context.tokens.end(record)) {
              context.emit?.({ type: 'token.revoked', scheme: record.kind === 'cookie' ? 'cookie' : schemeOfTokenKind(record.kind), actorId: record.actorId, ip: null, code: null, kind: record.kind === 'cookie' ? 'session' : record.kind });
            }
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

