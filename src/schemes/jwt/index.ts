/** The `jwt` scheme: JWS access tokens issued here (with refresh tokens) or by an external issuer (README, "JWT"). */
import { bearerChallengeValue } from '../outcome';
import type { StoreFeature } from '../../store/methods';
import { JwtIssuer } from './issuer';
import { RefreshTokens } from '../../tokens/refresh-tokens';
import type { BuiltScheme, SchemeDefinition } from '../definition';
import { JWT_DETECTION } from './detection';
import { resolveJwtOptions, type JwtOptions, type ResolvedJwtOptions } from './options';
import { JwtStrategy } from './strategy';

/** What the JWT endpoints use besides the strategy. */
export interface BuiltJwtScheme extends BuiltScheme {
  /** The strategy, typed, for `/jwt/verify`. */
  jwtStrategy: JwtStrategy;
  /** Signs access tokens; `null` when only external issuers are configured. */
  issuer: JwtIssuer | null;
  refreshTokens: RefreshTokens;
}

/**
 * How long an access token can outlive a "not before" issued after it was signed: its
 * lifetime plus the clock tolerance, and a second for rounding.
 */
function accessHorizon(jwt: ResolvedJwtOptions): number {
  return jwt.accessTtl + jwt.clockTolerance * 1000 + 1000;
}

export const JWT_SCHEME: SchemeDefinition<'jwt', ResolvedJwtOptions, BuiltJwtScheme> = {
  id: 'jwt',
  detection: JWT_DETECTION,
  securitySchemes: ({ paths, mountPath }) => ({
    jwt: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: `JWT access token in \`Authorization: Bearer\`, from \`POST ${mountPath}${paths.jwt}/authenticate\` (or a configured external issuer). An expired token answers 401 with code 401.4: refresh it.`,
    },
  }),
  option: 'jwt',
  resolve: (input) => resolveJwtOptions(input as JwtOptions | false | undefined),
  storeFeatures(jwt) {
    if (!jwt) return [];
    const features: StoreFeature[] = ['jwt'];
    if (jwt.signingKey) features.push('jwtIssuing');
    if (jwt.verifyKey && !jwt.stateless) features.push('jwtActors');
    return features;
  },
  // Signed tokens cannot be deleted: the "not before" must outlast the last one issued before it.
  revocationHorizon: accessHorizon,
  build(jwt, { store, revocations, tokens, now }) {
    const jwtStrategy = new JwtStrategy({ jwt, store, revocations, now });
    const refreshTokens = new RefreshTokens({
      store,
      ttl: jwt.refreshTtl,
      revocations,
      // Long enough for the last access token and the last refresh token of the family.
      familyRevocationTtl: Math.max(jwt.refreshTtl, accessHorizon(jwt)) + 60_000,
      reuseInterval: jwt.refreshReuseInterval,
      clockTolerance: jwt.clockTolerance * 1000,
      now,
    });
    tokens.onRevokeFamily((familyId) => refreshTokens.revokeFamily(familyId));
    return {
      strategy: jwtStrategy,
      jwtStrategy,
      issuer: jwt.signingKey ? new JwtIssuer(jwt, now) : null,
      refreshTokens,
      challenge: { scheme: 'bearer', sentByDefault: true, value: bearerChallengeValue },
      // Without revocation methods in the store a JWT cannot be ended before `exp` (403.1).
      ...(revocations.available
        ? {
            end: async (_req, _res, reference) => {
              if (reference.type !== 'jwt') return false;
              // A token without a jti cannot be listed as revoked; logout answers as before, ending nothing.
              if (!reference.jti) return true;
              await revocations.revokeJti(reference.jti, reference.expiresAt);
              if (reference.familyId) await refreshTokens.revokeFamily(reference.familyId);
              return true;
            },
          }
        : {}),
    };
  },
};
