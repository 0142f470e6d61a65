/**
 * `GET /.well-known/jwks.json`: the public halves of the local JWT keys as a JWK Set
 * (RFC 7517 §5), so an API gateway or a second service can verify Gatehouse's access tokens
 * with any JOSE library. Only public members are ever in it (`resolveJwtOptions` builds each
 * entry from the public key's own members); HMAC secrets are never published.
 */
import type { Router } from 'express';
import type { PublicJwk } from '../schemes/jwt/options';

/**
 * How long verifiers may cache the key set: 5 minutes. Short, so a key added before it starts
 * signing (see the README's rotation steps) reaches every verifier within minutes; long enough
 * that a busy gateway asks rarely. Verifiers such as jose and jwks-rsa also refetch when they
 * meet an unknown `kid`, so a rotation never waits for the full period.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** Default path of the key set, relative to the router's mount point. */
export const DEFAULT_JWKS_PATH = '/.well-known/jwks.json';

/** Serves `keys` at `path`; the body is rendered once, since the keys are fixed at start-up. */
export function addJwksRoute(router: Router, path: string, keys: readonly PublicJwk[]): void {
  const body = JSON.stringify({ keys });
  router.get(path, (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    res.type('application/json').send(body);
  });
}
