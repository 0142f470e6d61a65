/** `POST /jwt/refresh`: trades a refresh token for a new pair; re-use of a rotated one ends its family. */
import { GatehouseError } from '../errors';
import { issuedEvent } from '../events';
import { handle, type Endpoint } from './endpoint';
import { jwtPairResponse } from './jwt-authenticate';
import { sendJwtPair } from './jwt-pair';
import { bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, problems } from './openapi-operation';

/** Opaque and JWS tokens alike fit in this; anything longer is not a token of ours. */
export const MAX_TOKEN_LENGTH = 8192;

export const JWT_REFRESH_ENDPOINT: Endpoint = {
  id: 'gatehouseJwtRefresh',
  method: () => 'POST',
  path: (paths) => `${paths.jwt}/refresh`,
  body: true,
  // A refresh token refused in a body is a refused credential too.
  refusalsOf: 'jwt',
  mounted: ({ jwt }) => Boolean(jwt?.issuer),
  handler(context) {
    const { issuer, refreshTokens } = context.jwt!;
    return handle(async (req, res) => {
      const token = requiredString(bodyObject(req.body), 'refresh', MAX_TOKEN_LENGTH);
      const rotated = await refreshTokens.rotate(token);
      const actor = await context.store.findActor!(rotated.actorId);
      if (!actor) {
        await refreshTokens.revokeFamily(rotated.familyId);
        throw new GatehouseError('401.2');
      }
      context.emit?.(issuedEvent(req, 'jwt', 'jwt', actor.id, rotated.expiresAt));
      sendJwtPair({ req, res, actor, endpoint: 'refresh', shape: context.config.responses.jwt }, issuer!.sign(actor, rotated.familyId, rotated.proof), rotated);
    });
  },
  openapi: () =>
    credentialFreeOperation('gatehouseJwtRefresh', 'Trade a refresh token for a new pair', { type: 'object', required: ['refresh'], properties: { refresh: { type: 'string' } } }, {
      '200': jwtPairResponse(),
      ...problems(['400.1', '401.2', '401.4', '503.1']),
    }),
};
