/**
 * What every login path does once the actor has proven itself: hand out the credentials
 * the login asked for, as one session, and answer. `POST /sessions` and
 * `POST /jwt/authenticate` call it after the password check; a second-factor step or an
 * identity provider's callback calls it after its own proof.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import type { RoutesContext } from '../context';
import { GatehouseError } from '../errors';
import { issuedEvent } from '../events';
import type { LoginResponseBody } from '../responses';
import type { CookieSessions } from '../schemes/cookie/strategy';
import type { JwtIssuer } from '../schemes/jwt/issuer';
import type { RefreshTokens } from '../tokens/refresh-tokens';
import { signInOrigin, type SignInOrigin } from '../tokens/sign-in-device';
import { recordProviderSession, type IdentityProviderSession } from '../tokens/provider-sessions';
import { sendJwtPair } from './jwt-pair';
import { proofMethods } from '../authentication-proof';

/**
 * What a login hands out, decided before the proof (a cookie that cannot be set is refused
 * before any password is checked): a session token, a cookie session, or both as one session
 * (`login.credentials`); or a JWT access token with a refresh token.
 */
type CredentialsToIssue =
  | {
      type: 'session';
      token: boolean;
      cookie: CookieSessions | null;
      /** A 'token+cookie' login over plain HTTP: the Secure cookie was withheld, and the token lives as it would have beside it. */
      cookieWithheld?: boolean;
    }
  | { type: 'jwt' };

/** How the actor proved itself, and what the login is to hand out. */
interface LoginProof {
  /** When the proof began, in ms: a `tokens.revokeAll` at or after it refuses what this login issues (401.2). */
  provenAt: number;
  /**
   * How the actor proved itself, as RFC 8176 `amr` values (`'pwd'`, `'otp'`, `'mfa'`, or an
   * identity provider's own). Default `['pwd']`. The step-up rules of `auth.require` read it
   * from the credential this login issues.
   */
  amr?: readonly string[];
  credentials: CredentialsToIssue;
  /** Failed attempts before this login (the password check's count), answered as `previousAccessFailedCount`. Default 0. */
  previousAccessFailedCount?: number;
  /** A sign-in through an identity provider: its session, kept on the credentials issued (back-channel logout finds them there). */
  identityProvider?: IdentityProviderSession;
  /**
   * A browser sign-in that hands out the cookie alone answers `303 See Other` to this
   * same-origin path instead of the JSON body (the identity provider's callback).
   */
  redirectTo?: string;
  /**
   * Asked once the credentials are stored, before the answer: `false` ends what this login
   * issued and refuses it (401.2); a rejection ends it too and is passed on (503.1). A native
   * app's code trade asks again whether a back-channel logout ended its provider session: a
   * logout records the ended session before it lists the credentials to end, so either this
   * second read sees the record or the logout's listing sees the credentials. Only for logins
   * that hand out a session token or a JWT pair.
   */
  stillValid?: () => Promise<boolean>;
}

/** A session token's lifetime when `sessionToken` is off (the token service's default). */
const DEFAULT_SESSION_TTL = 24 * 60 * 60 * 1000;

/** Issues the login's credentials and answers the request. */
export type IssueLogin = (actor: Actor, proof: LoginProof, req: Request, res: Response) => Promise<void>;

/** What issuing needs: the instance's context and, with local JWT keys, the issuer and refresh families. */
export interface LoginIssuerDependencies extends RoutesContext {
  jwt: { issuer: JwtIssuer | null; refreshTokens: RefreshTokens } | null;
}

/** Builds the instance's {@link IssueLogin}. */
export function createIssueLogin(deps: LoginIssuerDependencies): IssueLogin {
  const { config } = deps;
  const { sessionToken, cookie } = config.schemes;
  // A token handed out with a cookie by one login lives as long as the shorter of the two.
  const linkedTtl = sessionToken && cookie ? Math.min(sessionToken.ttl, cookie.absoluteTimeout) : undefined;
  // With the self-service endpoints on, each credential a login hands out records where the
  // login came from (the sign-in list shows it): the User-Agent, and the address if asked for.
  const selfService = config.selfService;
  const originOf = (req: Request): SignInOrigin | null => (selfService ? signInOrigin(req.headers['user-agent'], req.ip, selfService.recordIp) : null);

  async function issueSession(actor: Actor, proof: LoginProof & { credentials: { type: 'session' } }, req: Request, res: Response): Promise<void> {
    const { provenAt, credentials } = proof;
    const amr = proofMethods(proof.amr);
    const cookieSessions = credentials.cookie;
    // One login is one session: a cookie login gets the cookie alone, never a second,
    // independent bearer token that page scripts could read and logout would not end —
    // unless both are asked for ('token+cookie'), and then they share one family (`loginId`),
    // so ending either ends both.
    const loginId = credentials.token && cookieSessions ? randomBytes(16).toString('base64url') : null;
    const origin = originOf(req);
    // Before the credentials exist, so a back-channel logout naming only the provider session
    // (`sid`) never misses one: until the latest either may end.
    const life = Math.max(credentials.token ? (sessionToken ? sessionToken.ttl : DEFAULT_SESSION_TTL) : 0, cookieSessions && cookie ? cookie.absoluteTimeout : 0);
    await recordProviderSession(deps.store, proof.identityProvider ?? null, actor.id, deps.now() + life);
    const issued = credentials.token
      ? await deps.tokens.issueOnProof(
          { actorId: actor.id, kind: 'session', ...((loginId || credentials.cookieWithheld) && linkedTtl !== undefined ? { ttl: linkedTtl } : {}) },
          provenAt,
          loginId,
          amr,
          origin,
          proof.identityProvider ?? null,
        )
      : null;
    let csrf: string | undefined;
    try {
      csrf = cookieSessions
        ? await cookieSessions.establish(req, res, actor.id, provenAt, loginId ? { loginId, endsAt: issued?.expiresAt?.getTime() ?? null } : undefined, amr, origin ?? undefined, proof.identityProvider)
        : undefined;
    } catch (error) {
      // The token never reaches the client; end it rather than leave half a session behind.
      if (loginId) await deps.tokens.endLogin(loginId).catch(() => undefined);
      throw error;
    }
    if (issued) await confirmed(proof, () => deps.tokens.revoke(issued.token));
    if (cookieSessions) deps.emit?.(issuedEvent(req, 'cookie', 'session', actor.id, null));
    res.setHeader('Cache-Control', 'no-store');
    if (proof.redirectTo !== undefined && !issued) {
      res.redirect(303, proof.redirectTo);
      return;
    }
    const body: LoginResponseBody = {
      ...(issued ? { token: issued.token, createdAt: issued.createdAt.toISOString(), expiresAt: issued.expiresAt?.toISOString() ?? null } : {}),
      ...(csrf ? { csrf } : {}),
      previousAccessFailedCount: proof.previousAccessFailedCount ?? 0,
    };
    const shape = config.responses.login;
    res.status(200).json(shape ? shape(body, { req, actor }) : body);
  }

  async function issueJwtPair(actor: Actor, proof: LoginProof, req: Request, res: Response): Promise<void> {
    const issuer = deps.jwt?.issuer;
    if (!issuer) throw new TypeError('issueLogin: a JWT login needs local JWT keys.');
    const refreshTokens = deps.jwt!.refreshTokens;
    const refresh = await refreshTokens.issue(actor.id, proof.provenAt, undefined, undefined, proofMethods(proof.amr), originOf(req), proof.identityProvider ?? null);
    await confirmed(proof, () => refreshTokens.revokeFamily(refresh.familyId));
    deps.emit?.(issuedEvent(req, 'jwt', 'jwt', actor.id, refresh.expiresAt));
    sendJwtPair({ req, res, actor, endpoint: 'authenticate', shape: config.responses.jwt }, issuer.sign(actor, refresh.familyId, refresh.proof), refresh);
  }

  return (actor, proof, req, res) => {
    if (proof.stillValid && proof.credentials.type === 'session' && !proof.credentials.token) {
      return Promise.reject(new TypeError('issueLogin: proof.stillValid needs a login that hands out a session token or a JWT pair.'));
    }
    return proof.credentials.type === 'jwt' ? issueJwtPair(actor, proof, req, res) : issueSession(actor, proof as LoginProof & { credentials: { type: 'session' } }, req, res);
  };
}

/** Asks `proof.stillValid`, once the login's credentials are stored: ends them (`end`) unless it answers true. */
async function confirmed(proof: LoginProof, end: () => Promise<unknown>): Promise<void> {
  if (!proof.stillValid) return;
  let valid: boolean;
  try {
    valid = await proof.stillValid();
  } catch (error) {
    await end().catch(() => undefined);
    throw error;
  }
  if (valid) return;
  await end();
  throw new GatehouseError('401.2');
}
