/**
 * `POST {oidc}/token`: a native app (RFC 8252) trades the single-use code its sign-in through
 * a provider ended with (`oidc.appRedirects`, `oidc/app-code.ts`) and the PKCE verifier behind
 * the `codeChallenge` it started with for its token or JWT pair, through the one login-issuing
 * path, answered as the callback answers a browser's `credentials=token` or `jwt`. A missing
 * or malformed field is 400.1; a code that is altered, expired, used, of a provider this
 * instance no longer has, of a provider session (or subject) the provider's back-channel
 * logout ended since (`oidc/ended-provider-sessions.ts`), or a wrong verifier, is 401.2 (a
 * refused credential), and nothing is issued. The ended sessions are read again once the
 * credential is stored: a logout during the trade ends it there (`LoginProof.stillValid`).
 */
import type { Request, Response } from 'express';
import { GatehouseError, isGatehouseError } from '../errors';
import { refusalEvent } from '../events';
import { CODE_VERIFIER, MAX_APP_CODE_LENGTH, openAppCode, verifierMatches } from '../oidc/app-code';
import { appCodeSessionEnded, endedProviderSessionKeysOf } from '../oidc/ended-provider-sessions';
import { handle, type Endpoint, type EndpointContext } from './endpoint';
import { badField, bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, problems } from './openapi-operation';

/** Checks the code and the verifier, uses the code up, and hands out the app's credential. */
async function trade(context: EndpointContext, req: Request, res: Response): Promise<void> {
  const oidc = context.oidc!;
  const body = bodyObject(req.body);
  const sealed = requiredString(body, 'code', MAX_APP_CODE_LENGTH);
  const verifier = requiredString(body, 'codeVerifier', 128);
  if (!CODE_VERIFIER.test(verifier)) throw badField('codeVerifier', 'must be a PKCE verifier: 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  const now = context.now();
  const code = openAppCode(sealed, oidc.secret, now);
  if (!code) throw new GatehouseError('401.2');
  // The provider it came through must still be this instance's, with the same issuer.
  const client = oidc.client(code.provider);
  if (!client || client.provider.issuer !== code.identityProvider?.issuer) throw new GatehouseError('401.2');
  // Before the code is used up: someone who intercepted it, without the verifier, cannot spend it.
  if (!verifierMatches(verifier, code.codeChallenge)) throw new GatehouseError('401.2');
  if (code.credentials === 'jwt' ? !context.jwt?.issuer : context.config.schemes.sessionToken === false) throw new GatehouseError('401.2');
  // A back-channel logout of the code's provider session (or subject) since the callback found
  // nothing issued to end, and recorded the session instead: its code is refused like any
  // unusable one. Read before the code is used up, so a store failure (503.1) leaves it unused.
  const endedKeys = endedProviderSessionKeysOf(code);
  const sessionStands = async () => !appCodeSessionEnded(code, await context.store.findRevocations!(endedKeys));
  if (!(await sessionStands())) throw new GatehouseError('401.2');
  if (!(await oidc.useAppCode(code, now))) throw new GatehouseError('401.2');
  const actor = await context.store.findActor!(code.actorId);
  if (!actor) throw new GatehouseError('401.2');
  await context.issueLogin(
    actor,
    {
      provenAt: code.provenAt,
      amr: code.amr,
      credentials: code.credentials === 'jwt' ? { type: 'jwt' } : { type: 'session', token: true, cookie: null },
      identityProvider: code.identityProvider,
      // Asked again once the credential is stored: a logout between the read above and the
      // store's write would otherwise list no credential of this sign-in to end.
      stillValid: sessionStands,
    },
    req,
    res,
  );
}

export const OIDC_TOKEN_ENDPOINT: Endpoint = {
  id: 'gatehouseOidcToken',
  method: () => 'POST',
  path: (paths) => `${paths.oidc}/token`,
  body: true,
  mounted: ({ oidc }) => oidc !== null && oidc.options.appRedirects.length > 0,
  handler: (context) =>
    handle(async (req, res) => {
      try {
        await trade(context, req, res);
      } catch (error) {
        // A refused code is reported as a refused credential (no scheme: none was presented yet).
        if (isGatehouseError(error) && error.status === 401) context.emit?.(refusalEvent(req, null, error));
        throw error;
      }
    }),
  openapi: () =>
    credentialFreeOperation(
      'gatehouseOidcToken',
      "Sign in through an OpenID provider: a native app trades its code",
      {
        type: 'object',
        required: ['code', 'codeVerifier'],
        properties: {
          code: { type: 'string', description: "The single-use `code` the sign-in sent to the app's `appRedirect` (valid 60 seconds)." },
          codeVerifier: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$', description: 'The PKCE verifier behind the `codeChallenge` given to the start endpoint.' },
        },
      },
      {
        '200': { description: 'The token or the JWT pair the sign-in asked for (`credentials`), as `POST /sessions` or `POST /jwt/authenticate` answer.' },
        ...problems(['400.1', '401.2', '503.1']),
      },
      'Takes the `code` the sign-in of a native app (`oidc.appRedirects`, RFC 8252) ended with, and the PKCE verifier of its `codeChallenge`.',
    ),
};
