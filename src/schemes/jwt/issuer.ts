/**
 * Signs local access tokens: `sub`, `iss`, `aud`, `iat`, `exp`, `jti`, `token_type: 'access'`,
 * and `fam` (the refresh family, so logout can end both). The header names the signing key
 * (`kid`) whenever there is one to name: a `jwt.keys` entry, or a single asymmetric key. In stateless mode the actor's
 * `kind` and `roles` travel in the token, since the store is not asked.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Actor } from '../../actor';
import { fail } from '../../config-error';
import type { ResolvedJwtOptions } from './options';

/** A signed access token. */
export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** Issues local access tokens with the configured key and clock. */
export class JwtIssuer {
  constructor(
    private readonly options: ResolvedJwtOptions,
    private readonly now: () => number,
  ) {
    if (!options.signingKey) fail('jwt.secret', 'local tokens need jwt.secret or jwt.privateKey.', { where: 'JwtIssuer', code: 'GATEHOUSE_MISSING_OPTION' });
  }

  sign(actor: Actor, familyId: string | null): SignedAccessToken {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + Math.floor(this.options.accessTtl / 1000);
    const jti = randomUUID();
    const claims: Record<string, unknown> = { sub: actor.id, iat, exp, jti, token_type: 'access' };
    if (this.options.issuer) claims.iss = this.options.issuer;
    if (this.options.audience) claims.aud = this.options.audience;
    if (familyId) claims.fam = familyId;
    if (this.options.stateless) {
      claims.kind = actor.kind;
      claims.roles = actor.roles;
    }
    const kid = this.options.signingKid;
    const token = jwt.sign(claims, this.options.signingKey!, { algorithm: this.options.algorithms[0], ...(kid ? { keyid: kid } : {}) });
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }
}
