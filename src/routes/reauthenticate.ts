/**
 * `POST {sessions}/reauthenticate` (`paths.reauthenticate`; README, "Step-up: recent and
 * stronger sign-ins"): the signed-in caller proves their password again, through the same
 * check and lockout as a login, and the credential they present gets a fresh proof — its
 * `authTime` now, its `amr` `['pwd']` — for `auth.require({ maxAge })`, without a new login.
 *
 * - A session token (`login.credentials`' bearer token) or a browser session: its record is
 *   updated in place (the token and cookie stay the same); the answer says the new proof.
 * - A local JWT: an access token cannot change, so the answer is a fresh pair, as from
 *   `/jwt/refresh` but with the new proof, and the presented token's refresh family ends
 *   (its refresh token and access tokens are refused from now on).
 * - Anything else (Basic, which proves the password on every request; API keys, app-user
 *   keys and personal tokens, which have no sign-in to renew; an external issuer's JWT, whose
 *   issuer does its own step-up): 403.1.
 *
 * The login in the body must be the caller's own (401.2 otherwise, without a password check).
 * `tokens.revokeAll` keeps its word: a credential revoked since its earlier proof is refused
 * (401.2) and ended, however fresh the new proof.
 */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import { acrOf, DEFAULT_AMR } from '../authentication-proof';
import type { CredentialReference } from '../credential-reference';
import { GatehouseError } from '../errors';
import { auditedCheck, clientIp, issuedEvent } from '../events';
import { normalizeLogin } from '../login';
import { withChangeTicket } from '../passwords/change-ticket';
import { clientGoneSignal } from '../passwords/client-gone';
import { handle, type Endpoint, type EndpointContext } from './endpoint';
import { sendJwtPair } from './jwt-pair';
import { readLoginBody } from './login-body';
import { credentialBearingOperation, jsonOrFormBody, LOGIN_PROBLEMS, ok, problems } from './openapi-operation';
import { presentedCredential } from './presented-credential';

/** The credentials whose proof this endpoint can raise, by the reference their strategy left. */
function raisable(reference: CredentialReference | undefined): reference is Extract<CredentialReference, { type: 'token' | 'cookie' | 'jwt' }> {
  if (!reference) return false;
  if (reference.type === 'token') return reference.kind === 'session';
  if (reference.type === 'jwt') return reference.familyId !== null;
  return reference.type === 'cookie';
}

/** A JWT's new pair: the presented token's family ends, a new one starts on the new proof. */
async function freshPair(context: EndpointContext, req: Request, res: Response, actor: Actor, reference: { familyId: string | null }, proof: { provenAt: number; amr: string[] }): Promise<void> {
  const { issuer, refreshTokens } = context.jwt!;
  if (!issuer) throw new GatehouseError('403.1');
  // The earlier proof: a revokeAll since then refuses, whatever the new one (the family's own
  // proof is no later than the access token's `auth_time`; a token without one, from an earlier
  // version, is judged by when it was accepted, moments ago).
  const earlier = req.authInfo?.authTime instanceof Date ? req.authInfo.authTime.getTime() : proof.provenAt;
  if (context.revocations.available && (await context.revocations.isProofRevoked(actor.id, Math.min(earlier, proof.provenAt)))) throw new GatehouseError('401.2');
  await refreshTokens.revokeFamily(reference.familyId!);
  const refresh = await refreshTokens.issue(actor.id, proof.provenAt, undefined, undefined, proof.amr);
  context.emit?.(issuedEvent(req, 'jwt', 'jwt', actor.id, refresh.expiresAt));
  sendJwtPair({ req, res, actor, endpoint: 'reauthenticate', shape: context.config.responses.jwt }, issuer.sign(actor, refresh.familyId, refresh.proof), refresh);
}

export const REAUTHENTICATE_ENDPOINT: Endpoint = {
  id: 'gatehouseReauthenticate',
  method: () => 'POST',
  path: (paths) => paths.reauthenticate,
  body: true,
  // A password to check, and a credential whose proof can be raised: a session token, a browser session, a local JWT.
  mounted: ({ passwordCheck, config, cookieSessions, jwt }) => passwordCheck !== null && (config.schemes.sessionToken !== false || cookieSessions !== null || Boolean(jwt?.issuer)),
  handler(context) {
    const passwordCheck = context.passwordCheck!;
    return handle(async (req, res) => {
      const authenticated = await presentedCredential(context, req, res);
      if (!authenticated) return;
      const { actor, scheme, reference } = authenticated;
      const { login, password } = readLoginBody(req.body);
      if (!raisable(reference) || (reference.type === 'jwt' && !context.jwt?.issuer)) throw new GatehouseError('403.1');
      // The caller's own login only: another's would be a password check on someone else's
      // account. Refused before bcrypt (the caller learns nothing they did not know).
      const record = await context.store.findCredentials!(normalizeLogin(login));
      if (!record || record.actor.id !== actor.id) throw new GatehouseError('401.2');
      // The new proof starts here: a revokeAll from now on refuses what it raises.
      const provenAt = context.now();
      const amr = [...DEFAULT_AMR];
      // Failures count toward the same lockout as a login's and are reported as one (`login.failed`).
      // The caller is signed in already: a right password completes this check, second factor or not
      // (its proof is `pwd` alone), and clears the counter as a login does.
      const checked = await auditedCheck(context.emit ?? null, req, scheme, login, passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res), askSecondFactor: false }), false).catch(
        (error: unknown) => withChangeTicket(context.passwordChange, context.store, login, error),
      );
      if (checked.actor.id !== actor.id) throw new GatehouseError('401.2');
      if (reference.type === 'jwt') {
        await freshPair(context, req, res, actor, reference, { provenAt, amr });
      } else {
        if (reference.type === 'token') await context.tokens.raiseProof(reference.hash, actor.id, provenAt, amr);
        else await context.cookieSessions!.raiseProof(req, res, actor.id, provenAt, amr);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).json({ authTime: new Date(provenAt).toISOString(), amr, acr: acrOf(amr) });
      }
      context.emit?.({ type: 'reauthentication.succeeded', scheme, actorId: actor.id, ip: clientIp(req), code: null, amr });
    });
  },
  openapi: ({ anyCredential, schemes }) =>
    credentialBearingOperation(
      'gatehouseReauthenticate',
      'Prove the password again: the presented credential gets a fresh sign-in time',
      anyCredential,
      {
        '200': schemes.has('jwt')
          ? ok('The new proof (session token, browser session), or a fresh pair (JWT).', { oneOf: [PROOF_SCHEMA, { $ref: '#/components/schemas/GatehouseJwtPair' }] })
          : ok('The new proof of the presented credential.', PROOF_SCHEMA),
        ...problems([...LOGIN_PROBLEMS, '401.1', '403.1']),
      },
      {
        requestBody: jsonOrFormBody({ $ref: '#/components/schemas/GatehouseLogin' }),
        description:
          'For routes that require a recent sign-in (`auth.require({ maxAge })`, answered 401.6). A session token or browser session keeps its value and gets a fresh `authTime`; a JWT is answered with a fresh pair, and the presented token\'s refresh family ends. Basic, API keys, app-user keys, personal tokens and external JWTs answer 403.1. Wrong passwords count toward the login\'s lockout.',
      },
    ),
};

/** The answer for a session token or browser session: its new proof. */
const PROOF_SCHEMA = {
  type: 'object',
  required: ['authTime', 'amr', 'acr'],
  properties: {
    authTime: { type: 'string', format: 'date-time', description: 'When the actor proved who they are: now.' },
    amr: { type: 'array', items: { type: 'string' }, description: 'How (RFC 8176): `["pwd"]`.' },
    acr: { type: 'string', description: '`single` (a password) or `mfa`.' },
  },
};
