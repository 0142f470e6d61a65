/** `POST /jwt/authenticate`: a login by password for a JWT access token and a refresh token. Any credential sent with it is ignored. */
import { auditedCheck } from '../events';
import { withChangeTicket } from '../passwords/change-ticket';
import { challengeError } from '../second-factor/challenge-ticket';
import { clientGoneSignal } from '../passwords/client-gone';
import { handle, type Endpoint } from './endpoint';
import { readLoginBody } from './login-body';
import { LOGIN_PROBLEMS, credentialFreeOperation, ok, problems } from './openapi-operation';

/** The answer of the endpoints that hand out a pair. */
export function jwtPairResponse() {
  return ok('A new access token and refresh token.', { $ref: '#/components/schemas/GatehouseJwtPair' });
}

export const JWT_AUTHENTICATE_ENDPOINT: Endpoint = {
  id: 'gatehouseJwtAuthenticate',
  method: () => 'POST',
  path: (paths) => `${paths.jwt}/authenticate`,
  body: true,
  mounted: ({ jwt, passwordCheck }) => Boolean(jwt?.issuer && passwordCheck),
  handler(context) {
    const passwordCheck = context.passwordCheck!;
    return handle(async (req, res) => {
      const { login, password } = readLoginBody(req.body);
      // The proof of identity starts here: a revokeAll from now on refuses the new family.
      const provenAt = context.now();
      const { actor, previousAccessFailedCount, secondFactors } = await auditedCheck(context.emit ?? null, req, 'jwt', login, passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res) })).catch(
        (error: unknown) => withChangeTicket(context.passwordChange, context.store, login, error),
      );
      if (secondFactors.length > 0 && context.secondFactors) {
        throw challengeError(context.secondFactors.tickets, { actorId: actor.id, provenAt, credentials: { type: 'jwt' }, previousAccessFailedCount }, secondFactors, actor);
      }
      await context.issueLogin(actor, { provenAt, credentials: { type: 'jwt' } }, req, res);
    });
  },
  openapi: ({ secondFactor }) =>
    credentialFreeOperation('gatehouseJwtAuthenticate', 'Log in for a JWT access token and a refresh token', { $ref: '#/components/schemas/GatehouseLogin' }, {
      '200': jwtPairResponse(),
      ...problems(secondFactor ? [...LOGIN_PROBLEMS, '401.5'] : LOGIN_PROBLEMS),
    }),
};
