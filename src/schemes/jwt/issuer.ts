/**
 * Signs local access tokens: `sub`, `iss`, `aud`, `iat`, `exp`, `jti`, `token_type: 'access'`,
 * `fam` (the refresh family, so logout can end both), and the family's proof of identity:
 * `auth_time` (seconds), `amr` (RFC 8176) and `acr` (`'single'` or `'mfa'`), as OpenID Connect
 * names them, for `auth.require({ maxAge, acr })`. The header names the signing key
 * (`kid`) whenever there is one to name: a `jwt.keys` entry, or a single asymmetric key. In stateless mode the actor's
 * `kind` and `roles` travel in the token, since the store is not asked.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Actor } from '../../actor';
import { fail } from '../../config-error';
import type { ResolvedJwtOptions } from './options';
import { acrOf } from '../../authentication-proof';

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

  /** Signs an access token for `actor`, bound to `familyId`, saying the family's `proof` (when, in ms, and how the actor proved itself). */
  sign(actor: Actor, familyId: string | null, proof?: { provenAt: number; amr: readonly string[] }): SignedAccessToken {
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + Math.floor(this.options.accessTtl / 1000);
    const jti = randomUUID();
    const claims: Record<string, unknown> = { sub: actor.id, iat, exp, jti, token_type: 'access' };
    if (this.options.issuer) claims.iss = this.options.issuer;
    if (this.options.audience) claims.aud = this.options.audience;
    if (familyId) claims.fam = familyId;
    if (proof) {
      claims.auth_time = Math.floor(proof.provenAt / 1000);
      claims.amr = [...proof.amr];
      claims.acr = acrOf(proof.amr);
    }
    if (this.options.stateless) {
      claims.kind = actor.kind;
      claims.roles = actor.roles;
    }
    const kid = this.options.signingKid;
    const token = jwt.sign(claims, this.options.signingKey!, { algorithm: this.options.algorithms[0], ...(kid ? { keyid: kid } : {}) });
    return { token, jti, expiresAt: new Date(exp * 1000) };
  }
}
