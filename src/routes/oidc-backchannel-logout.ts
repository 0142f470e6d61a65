/**
 * `POST {oidc}/{provider}/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0): the
 * provider tells of a session that ended there. The logout token is verified
 * (`ProviderClient.verifyLogoutToken`); unless it was used before, every Gatehouse credential
 * that sign-ins through that provider session (`sid`) — or, without `sid`, through any session
 * of the subject (`sub`) at that provider — handed out before the token was issued ends through
 * `TokenService.end`, in the store, so on every instance: cookie sessions, session tokens, and
 * JWT pairs (the refresh family, and through its revocation the access tokens bound to it).
 * The ended session (or subject) is recorded first, among the revocations, for as long as a
 * native app's code of it may still be traded (`oidc/ended-provider-sessions.ts`): the code
 * has no credential yet to end, and `POST {oidc}/token` refuses it.
 * Found through the actors — the subject's linked actor, and those the store recorded under the
 * provider session at sign-in (`saveProviderSession`: a token may name the session alone) — and
 * `listTokens`: each such credential records the provider session it came from
 * (`credentialsToEnd` chooses).
 *
 * The token is marked used (a revocation entry, on every instance) only after every chosen
 * credential ended: when the store fails first, the answer is 503.1 and the provider's retry
 * (§2.8: it may retry a delivery that was not answered 200) acts again. Two deliveries acting
 * at once, or a retry, end the same credentials twice at most — ending is idempotent — and
 * never a sign-in made since: `credentialsToEnd` takes only credentials created by the token's
 * `iat` plus the clock skew allowed.
 */
import { schemeOfTokenKind, type AuditEventInput } from '../events';
import { credentialsToEnd } from '../oidc/backchannel-selection';
import { endedProviderSessionEntry } from '../oidc/ended-provider-sessions';
import type { LogoutRequest } from '../oidc/logout-token';
import type { GuardedStore } from '../store/guard';
import type { TokenRecord } from '../store/types';
import { handle, type Endpoint } from './endpoint';
import { badField, bodyObject } from './login-body';
import { TAGS, problems } from './openapi-operation';

/** What a used logout token's entry among the revocations starts with: no other revocation key does. */
const USED_LOGOUT_TOKEN_PREFIX = 'oidc-logout-token:';
/** How long a used logout token's `jti` is remembered: past any logout token's lifetime. */
const LOGOUT_TOKEN_MEMORY = 24 * 60 * 60 * 1000;

/**
 * The store key (among the revocations, on every instance) marking the logout token `jti` of
 * `issuer` used. JSON keeps issuer and jti apart and escapes what the jti (any non-empty
 * string) may hold, a NUL byte or a line break, without one: PostgreSQL's `text` refuses NUL.
 */
function usedLogoutTokenKey(issuer: string, jti: string): string {
  return `${USED_LOGOUT_TOKEN_PREFIX}${JSON.stringify([issuer, jti])}`;
}

/**
 * The actors whose credentials may come from the ended provider session: the subject's linked
 * actor, and those the store recorded under the provider session at sign-in (on any instance).
 */
async function actorsOf(store: GuardedStore, issuer: string, logout: LogoutRequest, now: number): Promise<string[]> {
  const [link, sessionActors] = await Promise.all([
    logout.sub === null ? null : store.findIdentity!(issuer, logout.sub),
    logout.sid !== null && store.findProviderSessionActors ? store.findProviderSessionActors(issuer, logout.sid, now) : [],
  ]);
  return [...new Set([...(link ? [link.actorId] : []), ...sessionActors])];
}

/** The `token.revoked` event of a credential the provider's logout ended: a browser session is reported as the cookie's. */
function endedByProvider(record: TokenRecord): AuditEventInput {
  const cookie = record.kind === 'cookie';
  return { type: 'token.revoked', scheme: cookie ? 'cookie' : schemeOfTokenKind(record.kind), actorId: record.actorId, ip: null, code: null, kind: cookie ? 'session' : record.kind };
}

export const OIDC_BACKCHANNEL_LOGOUT_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcBackchannelLogout',
  method: () => 'POST',
  path: (paths) => `${paths.oidc}/:provider/backchannel-logout`,
  body: true,
  mounted: ({ oidc, store }) => oidc !== null && typeof store.listTokens === 'function',
  handler: (context) =>
    handle(async (req, res) => {
      const client = context.oidc!.client(req.params.provider);
      if (!client) throw badField('provider', 'is not a configured identity provider');
      const token = bodyObject(req.body).logout_token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 16 * 1024) throw badField('logout_token', 'must be a logout token');
      const now = context.now();
      const logout = await client.verifyLogoutToken(token, now);
      // Spec §2.8: an invalid logout token is answered 400.
      if (!logout) throw badField('logout_token', 'is not a valid logout token from this provider');
      const issuer = client.provider.issuer;
      const store = context.store;
      // Without `sub` the credentials are found only through the store's record of the provider
      // session; a store that keeps none cannot honour the token, and says so (§2.8: 400).
      if (logout.sub === null && !store.findProviderSessionActors) throw badField('logout_token', 'names no subject, and the store keeps no provider sessions (saveProviderSession)');
      // A token used before is answered 200, as its first delivery was, and ends nothing.
      const used = usedLogoutTokenKey(issuer, logout.jti);
      const [usedAt] = await store.findRevocations!([used]);
      if (usedAt === null || usedAt === undefined) {
        // First the ended session is recorded, on every instance: a native app's code of it,
        // which has no credential yet for this logout to end, is refused when traded later.
        const ended = endedProviderSessionEntry(issuer, logout, now);
        await store.saveRevocation!(ended.key, ended.endedAt, ended.expiresAt);
        const actorIds = await actorsOf(store, issuer, logout, now);
        const listed = (await Promise.all(actorIds.map((actorId) => store.listTokens!(actorId)))).flat();
        for (const record of credentialsToEnd(listed, { issuer, sid: logout.sid, issuedAt: logout.iat })) {
          if (await context.tokens.end(record)) context.emit?.(endedByProvider(record));
        }
        // Used only once every credential ended: a store failure above is 503.1 with no mark,
        // and the provider's retry acts again (ending is idempotent).
        await store.saveRevocation!(used, now, now + LOGOUT_TOKEN_MEMORY);
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

