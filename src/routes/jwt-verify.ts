/** `POST /jwt/verify`: whether an access token is valid, and until when. */
import { GatehouseError, isGatehouseError } from '../errors';
import { runStrategy } from '../middleware/run-strategy';
import { handle, type Endpoint } from './endpoint';
import { MAX_TOKEN_LENGTH } from './jwt-refresh';
import { bodyObject, requiredString } from './login-body';
import { credentialFreeOperation, ok, problems } from './openapi-operation';

export const JWT_VERIFY_ENDPOINT: Endpoint = {
  id: 'gatehouseJwtVerify',
  method: () => 'POST',
  path: (paths) => `${paths.jwt}/verify`,
  body: true,
  // A JWT refused in a body is a refused credential too.
  refusalsOf: 'jwt',
  mounted: ({ jwt }) => jwt !== null,
  handler(context) {
    const strategy = context.jwt!.strategy;
    return handle(async (req, res) => {
      const token = requiredString(bodyObject(req.body), 'token', MAX_TOKEN_LENGTH);
      const outcome = await runStrategy(strategy, req, { credential: token, session: false });
      if (outcome.type === 'success') {
        const expiresAt = (outcome.info as { expiresAt?: Date }).expiresAt;
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).json({ valid: true, expiresAt: expiresAt?.toISOString() ?? null });
        return;
      }
      if (outcome.type === 'fail') throw isGatehouseError(outcome.challenge) ? outcome.challenge : new GatehouseError('401.2');
      throw outcome.type === 'error' ? outcome.error : new GatehouseError('401.2');
    });
  },
  openapi: () =>
    credentialFreeOperation('gatehouseJwtVerify', 'Check an access token', { type: 'object', required: ['token'], properties: { token: { type: 'string' } } }, {
      '200': ok('The token is valid.', {
        type: 'object',
        required: ['valid', 'expiresAt'],
        properties: { valid: { const: true }, expiresAt: { type: ['string', 'null'], format: 'date-time' } },
      }),
      ...problems(['400.1', '401.2', '401.4', '503.1']),
    }),
};
