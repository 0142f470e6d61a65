import jwt, { type Algorithm } from 'jsonwebtoken';

export const JWT_SECRET = 'a-test-secret-that-is-32-bytes-long!!';
export const JWT_OPTIONS = { secret: JWT_SECRET, issuer: 'https://api.example.org', audience: 'api' };

/** Signs claims as an attacker or a foreign issuer might, bypassing Gatehouse's issuer. */
export function forge(claims: Record<string, unknown>, key: jwt.Secret = JWT_SECRET, algorithm: Algorithm = 'HS256', header: Record<string, unknown> = {}): string {
  const present = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return jwt.sign(present, key, { algorithm, header: { alg: algorithm, ...header } as jwt.JwtHeader });
}

/** Well-formed local claims for `sub`, valid at `nowSeconds`. */
export function localClaims(sub: string, nowSeconds: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sub, iat: nowSeconds, exp: nowSeconds + 600, jti: `j-${Math.random()}`, token_type: 'access', iss: JWT_OPTIONS.issuer, aud: JWT_OPTIONS.audience, ...extra };
}
