/**
 * `jwt`: a JWS in `Authorization: Bearer`, issued here or by an external identity provider.
 *
 * Built on passport-jwt's strategy (hosts can `passport.use()` it), through its public API
 * only: one passport-jwt verifier per verification profile (each local key, each external
 * issuer: its algorithms, issuer and audience), made at construction. A request chooses its
 * profile and key by the token's unverified `iss`/`kid` (a KeyObject made once), hands the
 * token and key to the verifier through its `jwtFromRequest` and `secretOrKeyProvider`
 * options, and runs it as passport runs any strategy. `exp` and `nbf` are checked here,
 * against the injected clock, since passport-jwt fixes its verify options at construction.
 * Header-supplied key locations (`jku`, `x5u`, embedded `jwk`) are never read.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Request } from 'express';
import jwt, { type Algorithm, type VerifyOptions } from 'jsonwebtoken';
import type { JwksClient, SigningKey } from 'jwks-rsa';
import { JwtStrategyBase, type PassportStrategy } from '../passport-base';
import type { Actor } from '../../actor';
import { GatehouseError, isGatehouseError } from '../../errors';
import { guardStore, type Guarded } from '../../store/guard';
import type { GatehouseStore } from '../../store/types';
import { isResolvedJwtOptions, resolveJwtOptions, type JwtClaims, type JwtOptions, type ResolvedIssuer, type ResolvedJwtOptions } from './options';
import { Revocations } from '../../tokens/revocations';
import { JWT_DETECTION } from './detection';
import { scopesOfClaims } from '../../scopes';
import { proofInfo, storedMethods } from '../../authentication-proof';
import { authInfoFor, bearerChallenge, ownAuthorizationCredential, reportRejection, type StandaloneAuthenticateOptions } from '../outcome';
import { sha256 } from '../../sha256';
import { jwksClientFor } from '../../jwks-client';
import { fail, knownOptions, type OptionNames } from '../../config-error';

/** Options of {@link JwtStrategy}. */
export interface JwtStrategyOptions {
  /**
   * The `jwt` options as `gatehouse()` takes them (validated here, with the same checks and
   * errors), or what `resolveJwtOptions` returned for them.
   * @example new JwtStrategy({ jwt: { secret: process.env.JWT_SECRET, issuer: 'https://api.example.org' }, store })
   */
  jwt: JwtOptions | ResolvedJwtOptions;
  /**
   * For `findActor` (unless `jwt.stateless`), and `findRevocations`: when the store has it
   * (and `saveRevocation`), a token revoked by a Gatehouse instance sharing the store
   * (logout, `tokens.revokeAll`, a reused refresh token) is refused here too.
   */
  store: Partial<Pick<GatehouseStore, 'findActor' | 'findRevocations' | 'saveRevocation'>>;
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1, as
   * `gatehouse()`'s `storeTimeout` does. Default `5000`. A store `gatehouse()` already guards
   * keeps that instance's timeout.
   * @example new JwtStrategy({ jwt, store, storeTimeout: 2000 })
   */
  storeTimeout?: number;
  /** Revocation checks. Default: the store's revocation entries, when it has the methods. */
  revocations?: Revocations;
  /** Milliseconds clock. Default `Date.now`. */
  now?: () => number;
  /**
   * Let a request that presents no credential of this kind through anonymously (`pass()`), for
   * routes that serve both. Default `false`: used alone, the strategy answers such a request
   * with 401, so `passport.authenticate('jwt')` never runs a handler without `req.user`.
   * Also accepted per route: `passport.authenticate('jwt', { session: false, optional: true })`.
   * @example new JwtStrategy({ jwt, store, optional: true })
   */
  optional?: boolean;
  /**
   * The realm of the `WWW-Authenticate: Bearer` challenge sent, when the strategy is used alone,
   * to a request without a bearer token. Default `'api'`.
   * @example new JwtStrategy({ jwt, store, realm: 'reports' })
   */
  realm?: string;
}

/** What one request verifies against: a key, and the verifier of the key's profile. */
interface VerificationPlan {
  key: KeyObject;
  verifier: PassportStrategy;
  external: ResolvedIssuer | null;
}

/** What a verifier's options read for the request being verified. */
interface PresentedToken {
  token: string;
  key: KeyObject;
}

/** A profile's checks: what passport-jwt hands jsonwebtoken (besides time, checked in `accept`). */
interface VerificationProfile {
  algorithms: Algorithm[];
  issuer: string | undefined;
  audience: VerifyOptions['audience'];
}

const MAX_KID_LENGTH = 256;
/** Verified tokens remembered at most this many, oldest dropped first. */
const MAX_VERIFIED_TOKENS = 10_000;

/** A token whose signature and claims already checked out. */
interface VerifiedClaims {
  claims: JwtClaims;
  external: ResolvedIssuer | null;
  /** The token up to its signature (header and payload, not secret), and the whole token's length. */
  signingInput: string;
  tokenLength: number;
  /** `exp` in ms: the entry is never used at or after it, so expiry is always judged afresh. */
  validUntil: number;
}

/** A passport-jwt verifier's failure (a jsonwebtoken error: signature, algorithm, issuer, audience) as the problem a client sees. */
function problemFor(challenge: unknown): GatehouseError {
  return isGatehouseError(challenge) ? challenge : new GatehouseError('401.2');
}

/** The options of {@link JwtStrategy}; a compile error when it and {@link JwtStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<JwtStrategyOptions> = { jwt: true, store: true, storeTimeout: true, revocations: true, now: true, optional: true, realm: true };

/**
 * Passport strategy for JWT access tokens.
 *
 * @example
 * ```ts
 * passport.use(new JwtStrategy({ jwt: { secret: process.env.JWT_SECRET, issuer: 'https://api.example.org' }, store }));
 * ```
 */
export class JwtStrategy extends JwtStrategyBase {
  private readonly config: ResolvedJwtOptions;
  private readonly store: Guarded<Pick<Partial<GatehouseStore>, 'findActor'>>;
  private readonly revocations: Revocations | undefined;
  private readonly now: () => number;
  private readonly optional: boolean;
  private readonly challenge: string;
  private readonly issuersByIss: Map<string, { issuer: ResolvedIssuer; client: JwksClient }>;
  /** Public keys of external issuers as KeyObjects, by the key object jwks-rsa caches. */
  private readonly externalKeys = new WeakMap<SigningKey, KeyObject>();
  /**
   * Signature checks already done. A client sends the same access token on every request;
   * verifying it once saves the bulk of the work (jsonwebtoken decodes and verifies from
   * scratch each time). Revocation and the actor are still checked on every request; only
   * what cannot change for this exact token is remembered. Keyed by the SHA-256 of the
   * signature, the one secret part (hashing it alone costs a third of hashing the whole
   * token, by `npm run bench:instructions`); the header and payload, which are not, are kept beside it and
   * compared, so a hit is this exact token.
   */
  private readonly verified = new Map<string, VerifiedClaims>();
  /** Local keys by `kid` (`jwt.keys`), each with its verifier; empty with a single key. */
  private readonly keysByKid: ReadonlyMap<string, { key: KeyObject; verifier: PassportStrategy }>;
  /** The single local key's verifier (`jwt.secret` or one key pair); `null` with `jwt.keys` or none. */
  private readonly singleKeyVerifier: PassportStrategy | null;
  /** The verifier of each external issuer, by `iss`. */
  private readonly issuerVerifiers = new Map<string, PassportStrategy>();
  /** The token and key of each request being verified, for its verifier's options to read. */
  private readonly presented = new WeakMap<object, PresentedToken>();

  constructor(options: JwtStrategyOptions) {
    if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where: 'JwtStrategy' });
    if (!options?.jwt || !options.store) {
      fail(options?.jwt ? 'store' : 'jwt', 'pass { jwt: { secret } (the jwt options of gatehouse()), store }.', { where: 'JwtStrategy', code: 'GATEHOUSE_MISSING_OPTION' });
    }
    // Options a user wrote go through the same validation as gatehouse()'s; only an object
    // resolveJwtOptions itself returned is taken as already validated.
    const config = isResolvedJwtOptions(options.jwt) ? options.jwt : (resolveJwtOptions(options.jwt) as ResolvedJwtOptions);
    // The base class insists on a key provider, an extractor and a verify callback; requests
    // run one of the verifiers below instead (see authenticate).
    super(
      { secretOrKeyProvider: (_req: unknown, _token: unknown, done: (e: unknown) => void) => done(new GatehouseError('401.2')), jwtFromRequest: () => null },
      () => undefined,
    );
    this.name = 'jwt';
    this.config = config;
    const store = guardStore(options.store, options.storeTimeout);
    this.store = store;
    this.now = options.now ?? Date.now;
    // Only isRevoked is called here, which reads entries and never writes one, so the
    // retention a Revocations needs for writing ("not before" entries) does not apply.
    this.revocations = options.revocations ?? new Revocations(store, 0, this.now);
    this.optional = options.optional === true;
    this.challenge = bearerChallenge(options.realm ?? 'api');
    this.issuersByIss = new Map(
      config.issuers.map((issuer) => [
        issuer.issuer,
        { issuer, client: jwksClientFor(issuer.jwksUri, 5000) },
      ]),
    );
    const local = { issuer: config.issuer, audience: config.audience as VerifyOptions['audience'] };
    this.keysByKid = new Map(config.keys.map((key) => [key.kid, { key: key.verifyKey, verifier: this.verifier({ ...local, algorithms: [key.alg] }) }]));
    this.singleKeyVerifier = config.keys.length === 0 && config.verifyKey ? this.verifier({ ...local, algorithms: config.algorithms }) : null;
    for (const issuer of config.issuers) {
      this.issuerVerifiers.set(issuer.issuer, this.verifier({ algorithms: issuer.algorithms, issuer: issuer.issuer, audience: issuer.audience as VerifyOptions['audience'] }));
    }
  }

  /**
   * A passport-jwt strategy for one profile, configured through its public options: the token
   * and key are read for the request at hand; the verified claims are handed on as they are
   * (`accept` judges them, and time, against the injected clock).
   */
  private verifier(profile: VerificationProfile): PassportStrategy {
    return new JwtStrategyBase(
      {
        jwtFromRequest: (req: object) => this.presented.get(req)?.token ?? null,
        secretOrKeyProvider: (req: object, _token: unknown, done: (error: unknown, key?: KeyObject) => void) => {
          const presented = this.presented.get(req);
          if (presented) done(null, presented.key);
          else done(new GatehouseError('401.2'));
        },
        algorithms: profile.algorithms,
        issuer: profile.issuer,
        audience: profile.audience,
        ignoreExpiration: true,
        jsonWebTokenOptions: { ignoreNotBefore: true },
      },
      (claims: JwtClaims, done: (error: unknown, user?: unknown) => void) => done(null, claims),
    );
  }

  override authenticate(req: Request, options?: StandaloneAuthenticateOptions): void {
    // passport calls this on a per-request copy augmented with success/fail/error/pass.
    const outcome = this as unknown as PassportStrategy & Record<string, unknown>;
    const presentedToken = ownAuthorizationCredential(outcome, req, options, { detection: JWT_DETECTION, optional: this.optional, challenge: this.challenge });
    if (presentedToken === null) return;
    const tokenKey = verifiedKeyOf(presentedToken);
    const remembered = this.verified.get(tokenKey);
    if (remembered && remembered.validUntil > this.now() && remembered.tokenLength === presentedToken.length && sameSigningInput(presentedToken, remembered.signingInput)) {
      this.accept(remembered.claims, remembered.external).then(
        ({ actor, info }) => outcome.success(actor, info),
        (error: unknown) => reportRejection(outcome, error),
      );
      return;
    }
    this.plan(presentedToken).then(
      (plan) => this.verify(req, presentedToken, tokenKey, plan, outcome),
      (error: unknown) => reportRejection(outcome, error),
    );
  }

  /** Runs the plan's verifier on the token, as passport runs a strategy, then `accept`s its claims. */
  private verify(req: Request, token: string, tokenKey: string, plan: VerificationPlan, outcome: PassportStrategy): void {
    const attempt = Object.create(plan.verifier) as PassportStrategy;
    this.presented.set(req, { token, key: plan.key });
    attempt.success = (verified) => {
      this.presented.delete(req);
      const claims = verified as unknown as JwtClaims;
      const untimely = this.untimely(claims);
      if (untimely) return reportRejection(outcome, untimely);
      this.accept(claims, plan.external).then(
        ({ actor, info }) => {
          this.remember(tokenKey, token, claims, plan.external);
          outcome.success(actor, info);
        },
        (error: unknown) => reportRejection(outcome, error),
      );
    };
    attempt.fail = (challenge) => {
      this.presented.delete(req);
      reportRejection(outcome, problemFor(challenge));
    };
    attempt.error = (error) => {
      this.presented.delete(req);
      reportRejection(outcome, error);
    };
    attempt.authenticate(req);
  }

  /**
   * `nbf` and `exp` as jsonwebtoken judges them (with `clockTolerance`), by the injected clock:
   * a token not yet valid is refused (401.2), an expired one is 401.4. Checked when a token is
   * first verified; a remembered one is used only before its `exp`, and `nbf` only passes.
   */
  private untimely(claims: JwtClaims): GatehouseError | null {
    const nowSeconds = Math.floor(this.now() / 1000);
    const tolerance = this.config.clockTolerance;
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > nowSeconds + tolerance)) return new GatehouseError('401.2');
    if (typeof claims.exp === 'number' && nowSeconds >= claims.exp + tolerance) return new GatehouseError('401.4');
    return null;
  }

  private remember(tokenKey: string, token: string, claims: JwtClaims, external: ResolvedIssuer | null): void {
    if (typeof claims.exp !== 'number') return;
    if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    const signingInput = token.slice(0, token.lastIndexOf('.'));
    this.verified.set(tokenKey, { claims, external, validUntil: claims.exp * 1000, signingInput, tokenLength: token.length });
  }

  /** Chooses the key and checks for this token, without trusting anything it says about keys. */
  private async plan(token: string): Promise<VerificationPlan> {
    // Only tokens that pass here can be verified, so none with `crit` reaches the verified cache.
    if (listsCriticalExtensions(token)) throw new GatehouseError('401.2');
    if (this.issuersByIss.size > 0) {
      const decoded = jwt.decode(token, { complete: true });
      const iss = decoded && typeof decoded.payload === 'object' ? decoded.payload.iss : undefined;
      const external = typeof iss === 'string' ? this.issuersByIss.get(iss) : undefined;
      if (external) {
        const alg = decoded!.header.alg as Algorithm;
        if (!external.issuer.algorithms.includes(alg)) throw new GatehouseError('401.2');
        const key = await this.externalKey(external, (decoded!.header as { kid?: unknown }).kid);
        return { key, external: external.issuer, verifier: this.issuerVerifiers.get(external.issuer.issuer)! };
      }
    }
    const local = this.localKey(token);
    if (!local) throw new GatehouseError('401.2');
    return { ...local, external: null };
  }

  /**
   * The local key for `token`. With `jwt.keys` it is the one named by the token's `kid`, tied
   * to that key's own algorithm; a missing or unknown `kid` gets no key at all (trying every
   * key would let one key's token pass as another's, and cost a verify per key).
   */
  private localKey(token: string): { key: KeyObject; verifier: PassportStrategy } | null {
    if (this.keysByKid.size === 0) return this.singleKeyVerifier ? { key: this.config.verifyKey!, verifier: this.singleKeyVerifier } : null;
    const kid = unverifiedKid(token);
    return (kid === null ? undefined : this.keysByKid.get(kid)) ?? null;
  }

  private async externalKey(external: { issuer: ResolvedIssuer; client: JwksClient }, kid: unknown): Promise<KeyObject> {
    // A kid is a short string; anything else would only cost a key-set fetch to refuse.
    if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH)) throw new GatehouseError('401.2');
    let signingKey: SigningKey;
    try {
      // jwks-rsa keeps each key for cacheMaxAge (10 min) and, for a kid it has not seen,
      // fetches the key set once more — at most jwksRequestsPerMinute times a minute.
      signingKey = await external.client.getSigningKey(kid);
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      // An unknown kid, or too many unknown kids this minute (someone sending made-up ones):
      // the token cannot be checked against a key of this issuer, so it is refused, not an outage.
      if (name === 'SigningKeyNotFoundError' || name === 'JwksError' || name === 'JwksRateLimitError') {
        throw new GatehouseError('401.2');
      }
      // The issuer's key endpoint is unreachable: fail closed, and say so as an outage.
      throw new GatehouseError('503.1', { cause: error });
    }
    // Keyed by jwks-rsa's own cached object, so a key the issuer withdrew is dropped when
    // jwks-rsa drops it, and the PEM is parsed once per key rather than on every request.
    let key = this.externalKeys.get(signingKey);
    if (!key) {
      key = createPublicKey(signingKey.getPublicKey());
      this.externalKeys.set(signingKey, key);
    }
    return key;
  }

  /** Checks the verified claims and resolves the actor. */
  private async accept(claims: JwtClaims, external: ResolvedIssuer | null) {
    // jsonwebtoken accepts tokens without exp; an access token that never expires is refused.
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || claims.sub === '') throw new GatehouseError('401.2');
    let actor: Actor | null;
    if (external) {
      if (external.tokenUse && claims.token_use !== external.tokenUse) throw new GatehouseError('401.2');
      if (external.clientIds && !external.clientIds.includes(claims.client_id as string)) throw new GatehouseError('401.2');
      if (this.revocations?.available && (await this.revocations.isRevoked({ jti: claims.jti }))) throw new GatehouseError('401.2');
      actor = await external.actorFromClaims(claims);
    } else {
      // A refresh token, an ID token or anything else signed with our key is not an access token.
      if (claims.token_type !== 'access' || typeof claims.jti !== 'string') throw new GatehouseError('401.2');
      if (this.revocations?.available && (await this.revocations.isRevoked(claims))) throw new GatehouseError('401.2');
      actor = this.config.stateless ? actorFromOwnClaims(claims) : ((await this.store.findActor?.(claims.sub)) ?? null);
    }
    if (!actor) throw new GatehouseError('401.2');
    const scopes = scopesOfClaims(claims);
    const expiresAt = claims.exp * 1000;
    const info = authInfoFor(
      { scheme: 'jwt', tokenKind: 'access', expiresAt: new Date(expiresAt), ...proofOfClaims(claims) },
      // A refresh family is Gatehouse's own: an external issuer's `fam` claim names none of ours.
      { type: 'jwt', jti: typeof claims.jti === 'string' ? claims.jti : '', expiresAt, familyId: !external && typeof claims.fam === 'string' ? claims.fam : null },
      scopes,
    );
    return { actor, info };
  }
}

/**
 * The verified cache's key for a token: the SHA-256 of its signature (what follows the last
 * dot). A hit also needs the rest of the token to match (see `verified`).
 */
function verifiedKeyOf(token: string): string {
  return sha256(token.slice(token.lastIndexOf('.') + 1), 'base64');
}

/**
 * True when `token` begins with `signingInput`. A string comparison of the slice: `startsWith`,
 * compiled inline, compares one character at a time and cost more than the hash it saves.
 */
function sameSigningInput(token: string, signingInput: string): boolean {
  return token.slice(0, signingInput.length) === signingInput;
}

/** The token's protected header as JSON, read without trusting it; `null` when it does not parse. */
function unverifiedHeader(token: string): Record<string, unknown> | null {
  const headerEnd = token.indexOf('.');
  const encoded = headerEnd === -1 ? token : token.slice(0, headerEnd);
  try {
    const header: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The `kid` of a token's header, read without trusting it (only to choose among our own keys). */
function unverifiedKid(token: string): string | null {
  const kid = unverifiedHeader(token)?.kid;
  return typeof kid === 'string' ? kid : null;
}

/**
 * True when the protected header has a `crit` member. RFC 7515 §4.1.11: a recipient must
 * reject a JWS whose `crit` lists an extension it does not understand, and a `crit` that is
 * not a non-empty array of unregistered names is malformed. Gatehouse (and jsonwebtoken,
 * which ignores `crit`) understands no extension, so any `crit` at all is refused. A header
 * that does not parse is left to jsonwebtoken, which refuses it. Parsed, not searched: JSON
 * escapes (`"cr\u0069t"`) would hide the name from a substring test.
 */
function listsCriticalExtensions(token: string): boolean {
  const header = unverifiedHeader(token);
  return header !== null && Object.prototype.hasOwnProperty.call(header, 'crit');
}

/**
 * `req.authInfo`'s proof fields from a verified token's `auth_time` (seconds), `amr` and `acr`
 * claims (OpenID Connect Core §2), ours or an external issuer's. A claim of another shape is
 * left out rather than guessed at: without `auth_time` a route with `maxAge` refuses the token,
 * without `acr` (and no `amr` to derive it from) one with `acr` does.
 */
function proofOfClaims(claims: JwtClaims) {
  const authTime = typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time) ? claims.auth_time * 1000 : undefined;
  const acr = typeof claims.acr === 'string' && claims.acr !== '' ? claims.acr : undefined;
  return proofInfo(authTime, storedMethods(claims.amr), acr);
}

function actorFromOwnClaims(claims: JwtClaims): Actor {
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role): role is string => typeof role === 'string') : [];
  return { id: claims.sub!, kind: typeof claims.kind === 'string' ? claims.kind : 'user', roles };
}
