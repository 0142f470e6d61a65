/**
 * `DELETE {oidc}/identities/{provider}/{subject}`: the signed-in user unlinks one of their
 * identities (`oidc/identity-links.ts`). Needs a recent sign-in (`oidc.recentSignIn`; older is
 * 401.6, as `auth.require({ maxAge })` answers), and never unlinks the last way the user can
 * sign in (403.1 with `lastWayToSignIn: true`). An identity that is not the caller's (unknown,
 * or someone else's) is 403.1 alike. A cookie needs the cross-origin check of every unsafe
 * request. Credentials handed out through the identity stay until they end.
 */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import { GatehouseError } from '../errors';
import { clientIp } from '../events';
import { insufficientUserAuthentication } from '../middleware/step-up';
import { unlinkOwnIdentity } from '../oidc/identity-links';
import { GROUP_OF_SCHEME, type SchemeId } from '../schemes/ids';
import { handle, type Endpoint, type EndpointContext } from './endpoint';
import { badField } from './login-body';
import { credentialBearingOperation, ok, problems } from './openapi-operation';

/** Longest subject looked up (OpenID Connect Core §2: at most 255 ASCII characters). */
const MAX_SUBJECT_LENGTH = 255;

/** The signed-in user and what their credential says of its sign-in; `null` once a refusal is answered (as `signedInUser` answers it). */
async function signedInUserWithProof(context: EndpointContext, req: Request, res: Response): Promise<{ actor: Actor; scheme: SchemeId; authTime: number } | null> {
  res.setHeader('Cache-Control', 'no-store');
  const resolution = await context.authenticator.resolve(req, res);
  if (resolution.type !== 'authenticated') {
    context.sendProblem(req, res, resolution.type === 'refused' ? resolution.error : new GatehouseError('401.1'));
    return null;
  }
  const { actor, info } = resolution;
  // App users and API keys have no identities to manage.
  if (actor.kind !== 'user') {
    context.sendProblem(req, res, new GatehouseError('403.1'));
    return null;
  }
  const authTime = info.authTime instanceof Date ? info.authTime.getTime() : NaN;
  return { actor, scheme: info.scheme, authTime };
}

/** 401.6 unless the sign-in behind the credential (`authTime`) is at most `oidc.recentSignIn` old. */
function requireRecentSignIn(context: EndpointContext, actor: Actor, scheme: SchemeId, authTime: number): void {
  const maxAge = context.oidc!.options.recentSignIn;
  // A proof stamped in the future (another instance's clock ahead) counts as made now; none (NaN) never passes.
  if (context.now() - authTime <= maxAge) return;
  throw insufficientUserAuthentication(actor, { maxAge, acr: null }, { maxAge: true, acr: false }, context.config.realm, GROUP_OF_SCHEME[scheme] === 'bearer');
}

export const OIDC_IDENTITY_UNLINK_ENDPOINT: Endpoint = {
  id: 'gatehouseUnlinkIdentity',
  method: () => 'DELETE',
  path: (paths) => `${paths.oidc}/identities/:provider/:subject`,
  mounted: ({ oidc, schemes }) => oidc !== null && schemes.size > 0,
  handler: (context) =>
    handle(async (req, res) => {
      const user = await signedInUserWithProof(context, req, res);
      if (!user) return;
      const client = context.oidc!.client(req.params.provider);
      if (!client) throw badField('provider', 'is not a configured identity provider');
      requireRecentSignIn(context, user.actor, user.scheme, user.authTime);
      const subject = String(req.params.subject);
      if (subject.length > MAX_SUBJECT_LENGTH) throw new GatehouseError('403.1');
      const { issuer, name } = client.provider;
      await unlinkOwnIdentity(context.store, context.oidc!.options, user.actor.id, issuer, subject);
      context.emit?.({ type: 'identity.unlinked', scheme: user.scheme, actorId: user.actor.id, ip: clientIp(req), code: null, provider: name, issuer, subject });
      res.status(200).json({ success: true });
    }),
  openapi: ({ anyCredential }) =>
    credentialBearingOperation(
      'gatehouseUnlinkIdentity',
      'Unlink one of your identities at an OpenID provider',
      anyCredential,
      { '200': ok('Unlinked.', { $ref: '#/components/schemas/GatehouseSuccess' }), ...problems(['400.1', '401.1', '401.2', '401.4', '401.6', '403.1', '403.4', '503.1']) },
      {
        description:
          'Needs a sign-in within `oidc.recentSignIn` (else 401.6: sign in again, or `POST {sessions}/reauthenticate`). The last way you can sign in (no password, no other identity) is refused with 403.1 and `lastWayToSignIn: true`; an identity that is not yours is 403.1 alike. Credentials handed out through the identity stay until they end.',
        parameters: [
          { name: 'provider', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'subject', in: 'path', required: true, schema: { type: 'string', maxLength: MAX_SUBJECT_LENGTH }, description: 'The subject at the provider, percent-encoded.' },
        ],
      },
    ),
};
