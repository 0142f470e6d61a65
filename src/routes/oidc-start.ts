/**
 * `GET {oidc}/{provider}/start` (README, "Sign in through an OpenID provider"): sends the
 * browser to the provider with a fresh `state`, `nonce` and PKCE S256 challenge, always,
 * sealed in a short-lived cookie of this browser. `returnTo` (a path on this site) is where a
 * cookie sign-in ends; `credentials` asks for a token (`token`) or a JWT pair (`jwt`) instead
 * of the cookie; `link=true` links the identity to the actor signed in with this request.
 */
import type { Request } from 'express';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../cross-origin';
import { GatehouseError } from '../errors';
import { randomValue, sameOriginPath, sealTransaction, type OidcTransaction } from '../oidc/transaction';
import { isSecureRequest } from '../request-secure';
import { handle, type Endpoint, type EndpointContext } from './endpoint';
import { badField } from './login-body';
import { TAGS, problems } from './openapi-operation';
import { presentedCredential } from './presented-credential';
import { setTransactionCookie } from './oidc-transaction-cookie';

/** One query parameter as a string, or `undefined`; a repeated one is malformed. */
function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  throw badField(name, 'must be given once');
}

/** What the sign-in hands out: `credentials` when given, else the cookie (and the token with `login.credentials: 'token+cookie'`), else a token. */
function credentialsOf(context: EndpointContext, req: Request): OidcTransaction['credentials'] {
  const asked = queryString(req, 'credentials');
  const tokens = context.config.schemes.sessionToken !== false;
  const configured = context.config.login.credentials;
  // A browser signs in with the cookie when cookies are on ('token+cookie': with both).
  const mode = asked ?? (configured === 'token+cookie' ? 'token+cookie' : context.cookieSessions ? 'cookie' : 'token');
  if (mode === 'jwt' && context.jwt?.issuer) return 'jwt';
  if (mode === 'token' && tokens) return 'token';
  if (mode === 'cookie' && context.cookieSessions) return 'cookie';
  if (mode === 'token+cookie' && tokens && context.cookieSessions && configured === 'token+cookie') return 'token+cookie';
  throw badField('credentials', "must be 'cookie', 'token' or 'jwt', among those this server hands out");
}

export const OIDC_START_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcStart',
  method: () => 'GET',
  path: (paths) => `${paths.oidc}/:provider/start`,
  mounted: ({ oidc }) => oidc !== null,
  handler: (context) =>
    handle(async (req, res) => {
      const oidc = context.oidc!;
      const client = oidc.client(req.params.provider);
      if (!client) throw badField('provider', 'is not a configured identity provider');
      const returnToInput = queryString(req, 'returnTo');
      const returnTo = returnToInput === undefined ? '/' : sameOriginPath(returnToInput);
      if (returnTo === null) throw badField('returnTo', 'must be a path on this site, such as /projects');
      const credentials = credentialsOf(context, req);
      if ((credentials === 'cookie' || credentials === 'token+cookie') && context.cookieSessions!.options.secure && !isSecureRequest(req)) throw new GatehouseError('401.3');
      let linkActorId: string | null = null;
      if (queryString(req, 'link') === 'true') {
        // A link is made by an actor that proves itself here, with its own credential, on a
        // request from this site (a page elsewhere must not link an identity of its choosing).
        if (!isCrossOriginAllowed(crossOriginRequestOf('POST', req.headers), { trustedOrigins: context.cookieSessions?.options.trustedOrigins ?? new Set<string>(), sessionCsrfToken: undefined })) {
          throw new GatehouseError('403.4');
        }
        const authenticated = await presentedCredential(context, req, res);
        if (!authenticated) return;
        linkActorId = authenticated.actor.id;
      }
      const now = context.now();
      const transaction: OidcTransaction = {
        id: randomValue(),
        provider: client.provider.name,
        state: randomValue(),
        nonce: randomValue(),
        codeVerifier: randomValue(),
        returnTo,
        credentials,
        linkActorId,
        startedAt: now,
      };
      const url = await client.authorizationUrl(transaction);
      setTransactionCookie(context, req, res, sealTransaction(transaction, oidc.secret), oidc.options.transactionTtl);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, url.href);
    }),
  openapi: () => ({
    operationId: 'gatehouseOidcStart',
    tags: TAGS,
    summary: 'Sign in through an OpenID provider: redirect to it',
    security: [],
    parameters: [
      { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'returnTo', in: 'query', required: false, schema: { type: 'string' }, description: 'A path on this site to return to after a cookie sign-in. Default `/`.' },
      { name: 'credentials', in: 'query', required: false, schema: { type: 'string', enum: ['cookie', 'token', 'jwt'] }, description: 'What the sign-in hands out. Default: as `login.credentials` says.' },
      { name: 'link', in: 'query', required: false, schema: { type: 'string', enum: ['true'] }, description: 'Link the identity to the actor this request is signed in as.' },
    ],
    responses: {
      '302': { description: 'To the provider, with `state`, `nonce` and a PKCE S256 challenge; sets the sign-in transaction cookie.' },
      ...problems(['400.1', '401.3', '403.4', '502.1', '503.1']),
    },
  }),
};
