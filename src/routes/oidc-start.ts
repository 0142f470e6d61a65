/**
 * `GET {oidc}/{provider}/start` (README, "Sign in through an OpenID provider"): sends the
 * browser to the provider with a fresh `state`, `nonce` and PKCE S256 challenge, always,
 * sealed in a short-lived cookie of this browser. `returnTo` (a path on this site) is where a
 * cookie sign-in ends; `credentials` asks for a token (`token`) or a JWT pair (`jwt`) instead
 * of the cookie; `link=true` links the identity to the actor signed in with this request.
 * A native app (RFC 8252) adds `appRedirect` (one of `oidc.appRedirects`), `codeChallenge`
 * (its PKCE S256 challenge) and its own `state`: the callback then sends the system browser to
 * the app with a single-use code rather than answer the credential (`oidc-token.ts`).
 */
import type { Request } from 'express';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../cross-origin';
import { GatehouseError } from '../errors';
import { allowedAppRedirect } from '../oidc/app-redirects';
import { CODE_CHALLENGE } from '../oidc/app-code';
import { randomValue, sameOriginPath, sealTransaction, type AppReturn, type OidcTransaction } from '../oidc/transaction';
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

/** An app's `state`: visible ASCII (RFC 6749 §4.1.1), short enough for the transaction cookie. */
const APP_STATE = /^[\x20-\x7e]{1,512}$/;

/** A native app's sign-in (`appRedirect`, `codeChallenge`, `state`), or `null` for a browser's; 400.1 naming the field that is wrong. */
function appReturnOf(context: EndpointContext, req: Request, credentials: OidcTransaction['credentials']): AppReturn | null {
  const requested = queryString(req, 'appRedirect');
  const codeChallenge = queryString(req, 'codeChallenge');
  const state = queryString(req, 'state');
  if (requested === undefined) {
    if (codeChallenge !== undefined) throw badField('codeChallenge', 'is only taken with appRedirect');
    if (state !== undefined) throw badField('state', 'is only taken with appRedirect');
    return null;
  }
  const redirect = allowedAppRedirect(requested, context.oidc!.options.appRedirects);
  if (redirect === null) throw badField('appRedirect', 'must be one of the app redirect URIs this server allows (oidc.appRedirects)');
  if (codeChallenge === undefined || !CODE_CHALLENGE.test(codeChallenge)) throw badField('codeChallenge', 'must be the PKCE S256 challenge of the app, 43 base64url characters');
  if (state !== undefined && !APP_STATE.test(state)) throw badField('state', 'must be 1 to 512 visible ASCII characters');
  if (credentials !== 'token' && credentials !== 'jwt') throw badField('credentials', "must be 'token' or 'jwt' with appRedirect");
  if (queryString(req, 'link') !== undefined) throw badField('link', 'is not taken with appRedirect');
  return { redirect, codeChallenge, state: state ?? null };
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
      const app = appReturnOf(context, req, credentials);
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
        app,
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
      {
        name: 'appRedirect',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description: "A native app's redirect URI, one of `oidc.appRedirects` (a loopback one with the app's port): the sign-in ends there with a single-use `code` for `POST {oidc}/token`. Needs `credentials=token` or `jwt` and `codeChallenge`.",
      },
      { name: 'codeChallenge', in: 'query', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' }, description: "The app's PKCE S256 challenge (with `appRedirect`)." },
      { name: 'state', in: 'query', required: false, schema: { type: 'string', maxLength: 512 }, description: "The app's own state, passed back unchanged to `appRedirect`." },
    ],
    responses: {
      '302': { description: 'To the provider, with `state`, `nonce` and a PKCE S256 challenge; sets the sign-in transaction cookie.' },
      ...problems(['400.1', '401.3', '403.4', '502.1', '503.1']),
    },
  }),
};
