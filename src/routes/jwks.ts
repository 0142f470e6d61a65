/**
 * `GET /.well-known/jwks.json`: the public halves of the local JWT keys as a JWK Set
 * (RFC 7517 §5), so an API gateway or a second service can verify Gatehouse's access tokens
 * with any JOSE library. Only public members are ever in it (`resolveJwtOptions` builds each
 * entry from the public key's own members); HMAC secrets are never published.
 */
import type { Endpoint } from './endpoint';
import { TAGS } from './openapi-operation';

/**
 * How long verifiers may cache the key set: 5 minutes. Short, so a key added before it starts
 * signing (see the README's rotation steps) reaches every verifier within minutes; long enough
 * that a busy gateway asks rarely. Verifiers such as jose and jwks-rsa also refetch when they
 * meet an unknown `kid`, so a rotation never waits for the full period.
 */
const JWKS_MAX_AGE_SECONDS = 300;

export const JWKS_ENDPOINT: Endpoint = {
  id: 'gatehouseJwks',
  method: () => 'GET',
  path: (paths) => paths.jwks,
  mounted: ({ config }) => (config.schemes.jwt ? config.schemes.jwt.jwks.length > 0 : false),
  handler({ config }) {
    // Rendered once: the keys are fixed at start-up.
    const body = JSON.stringify({ keys: config.schemes.jwt ? config.schemes.jwt.jwks : [] });
    return (_req, res) => {
      res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      res.type('application/json').send(body);
    };
  },
  openapi: () => ({
    operationId: 'gatehouseJwks',
    tags: TAGS,
    summary: 'Public keys of the local JWT signing keys (RFC 7517 JWK Set)',
    security: [],
    responses: {
      '200': {
        description: 'The JWK Set; verify access tokens by their `kid`.',
        headers: { 'Cache-Control': { schema: { type: 'string', const: `public, max-age=${JWKS_MAX_AGE_SECONDS}` } } },
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['keys'],
              properties: {
                keys: { type: 'array', items: { type: 'object', required: ['kty', 'kid', 'alg', 'use'], properties: { kty: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { const: 'sig' } } } },
              },
            },
          },
        },
      },
    },
  }),
};
