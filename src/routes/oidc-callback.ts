/**
 * `GET {oidc}/{provider}/callback`: where the provider sends the browser back. Accepts only
 * the sign-in this browser started (its sealed transaction cookie, read once, used once on
 * every instance), has openid-client check `state` and `iss` (RFC 9207), redeem the code with
 * the PKCE verifier and validate the ID token (signature, `iss`, `aud`, expiry, `nonce`),
 * finds the actor the identity is linked to (`oidc/identities.ts`), and ends in the one
 * login-issuing path with the ID token's `amr` (`['ext']` when it names none) and `auth_time`.
 * A native app's sign-in (`oidc.appRedirects`) ends instead in a 303 to the app's redirect URI
 * with a sealed single-use `code` (and the app's `state`), traded at `POST {oidc}/token`.
 */
import type { Request, Response } from 'express';
import { GatehouseError, isGatehouseError } from '../errors';
import { providerProofMethods } from '../authentication-proof';
import { refusalEvent } from '../events';
import { resolveIdentity } from '../oidc/identities';
import { appCodeId, sealAppCode } from '../oidc/app-code';
import { openTransaction, type AppReturn, type OidcTransaction } from '../oidc/transaction';
import type { IdentityProviderSession } from '../tokens/provider-sessions';
import { handle, type Endpoint, type EndpointContext } from './endpoint';
import { TAGS, problems } from './openapi-operation';
import { takeTransactionCookie } from './oidc-transaction-cookie';

/** When the actor proved itself: the provider's `auth_time`, unless absent or in the future; else when the sign-in started. */
function provenAtOf(claims: Record<string, unknown>, transaction: OidcTransaction, now: number): number {
  const authTime = claims.auth_time;
  return typeof authTime === 'number' && Number.isFinite(authTime) && authTime * 1000 <= now ? authTime * 1000 : transaction.startedAt;
}

/** What the sign-in hands out, for `issueLogin`. */
function credentialsToIssue(context: EndpointContext, transaction: OidcTransaction) {
  if (transaction.credentials === 'jwt') return { type: 'jwt' } as const;
  const cookie = transaction.credentials === 'cookie' || transaction.credentials === 'token+cookie' ? context.cookieSessions : null;
  return { type: 'session', token: transaction.credentials !== 'cookie', cookie } as const;
}

/** Checks the provider's answer against this browser's transaction and hands out the login's credentials. */
async function signIn(context: EndpointContext, req: Request, res: Response): Promise<void> {
  const oidc = context.oidc!;
  const client = oidc.client(req.params.provider);
  const sealed = takeTransactionCookie(context, req, res);
  const now = context.now();
  const transaction = openTransaction(sealed, oidc.secret, now, oidc.options.transactionTtl);
  // No transaction of this browser for this provider: a forged, replayed, expired or
  // foreign callback (a code injected into another browser's sign-in).
  if (!client || !transaction || transaction.provider !== client.provider.name) throw new GatehouseError('401.2');
  if (!(await oidc.useTransaction(transaction.id, now, transaction.startedAt + oidc.options.transactionTtl))) throw new GatehouseError('401.2');
  const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
  const { claims } = await client.exchange(query, transaction);
  const { actor } = await resolveIdentity({ store: context.store, options: oidc.options, now: context.now }, client.provider, claims, transaction.linkActorId);
  const provenAt = provenAtOf(claims, transaction, context.now());
  // The ID token's `amr`, or `['ext']` when it names none (never a guessed 'pwd').
  const amr = providerProofMethods(claims.amr);
  const identityProvider: IdentityProviderSession = { issuer: String(claims.iss), sid: typeof claims.sid === 'string' ? claims.sid : null };
  const app = transaction.app ?? null;
  if (app && (transaction.credentials === 'token' || transaction.credentials === 'jwt')) {
    handOffToApp(context, res, app, {
      id: appCodeId(),
      provider: client.provider.name,
      actorId: actor.id,
      provenAt,
      amr,
      identityProvider,
      subject: String(claims.sub),
      credentials: transaction.credentials,
      codeChallenge: app.codeChallenge,
      issuedAt: context.now(),
    });
    return;
  }
  await context.issueLogin(actor, { provenAt, amr, credentials: credentialsToIssue(context, transaction), identityProvider, redirectTo: transaction.returnTo }, req, res);
}

/** Sends the system browser to the native app with the sealed single-use code (and the app's `state`); nothing is issued yet. */
function handOffToApp(context: EndpointContext, res: Response, app: AppReturn, code: Parameters<typeof sealAppCode>[0]): void {
  const to = new URL(app.redirect);
  to.searchParams.set('code', sealAppCode(code, context.oidc!.secret));
  if (app.state !== null) to.searchParams.set('state', app.state);
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(303, to.href);
}

export const OIDC_CALLBACK_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcCallback',
  method: () => 'GET',
  path: (paths) => `${paths.oidc}/:provider/callback`,
  mounted: ({ oidc }) => oidc !== null,
  handler: (context) =>
    handle(async (req, res) => {
      try {
        await signIn(context, req, res);
      } catch (error) {
        // A refused sign-in is reported as a refused credential (no scheme: none was presented yet).
        if (isGatehouseError(error) && (error.status === 401 || error.status === 403)) context.emit?.(refusalEvent(req, null, error));
        throw error;
      }
    }),
  openapi: () => ({
    operationId: 'gatehouseOidcCallback',
    tags: TAGS,
    summary: "Sign in through an OpenID provider: the provider's redirect back",
    description: "Takes the provider's `code`, `state` and `iss` with the sign-in transaction cookie set by the start endpoint.",
    security: [],
    parameters: [{ name: 'provider', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      '200': { description: 'Signed in with a token or a JWT pair (as `POST /sessions` or `POST /jwt/authenticate` answer).' },
      '303': { description: "Signed in with the session cookie; to the `returnTo` path. Or a native app's sign-in: to its `appRedirect` with a single-use `code` (and its `state`) for `POST {oidc}/token`." },
      ...problems(['401.2', '403.1', '502.1', '503.1']),
    },
  }),
};
