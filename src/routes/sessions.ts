/**
 * `POST /sessions`, `DELETE /sessions/current`, `DELETE /sessions/:token` (README, "Endpoints").
 *
 * Login ignores whatever credential comes with it, so a client holding a stale token can
 * still log in. The logout endpoints authenticate on their own, through the same
 * Authenticator the middleware uses, and end exactly the credential presented.
 */
import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Actor } from '../actor';
import type { RoutesContext } from '../context';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../cross-origin';
import { GatehouseError } from '../errors';
import { auditedCheck, issuedEvent, revokedEvent } from '../events';
import type { Authenticator } from '../middleware/authenticate';
import { MAX_TICKET_LENGTH, withChangeTicket } from '../passwords/change-ticket';
import { clientGoneSignal } from '../passwords/client-gone';
import type { RoutePaths } from '../openapi';
import type { LoginResponseBody, LogoutResponseBody } from '../responses';
import type { CookieSessions } from '../schemes/cookie/strategy';
import { CREDENTIAL_REFERENCE, type CredentialReference } from '../schemes/outcome';
import type { CredentialEnder } from '../schemes/definition';
import type { SchemeId } from '../schemes/ids';
import { hashSecret, parseTokenKind } from '../tokens/format';
import { badField, bodyObject, readLoginBody, requiredString } from './login-body';

/** Checks a login and password (lockout, expiry, timing); see `passwords/password-check.ts`. */
export interface PasswordChecker {
  check(input: { login: string; password: string; clientIp?: string; signal?: AbortSignal }): Promise<{ actor: Actor; previousAccessFailedCount: number }>;
}


/** What the session routes need: the instance's context, and what the schemes built. */
export interface SessionRoutesDependencies extends RoutesContext {
  /** Decides who a logout request is. */
  authenticator: Authenticator;
  /** How each scheme's credential is ended by `DELETE /sessions/current` (from its definition). */
  enders: Partial<Record<SchemeId, CredentialEnder>>;
  /** Browser sessions, when the cookie scheme is on. */
  cookieSessions: CookieSessions | null;
}

/** Resolves the presented credential for a logout endpoint, answering the failure itself. */
async function authenticatedActor(
  deps: SessionRoutesDependencies,
  req: Request,
  res: Response,
): Promise<{ actor: Actor; scheme: SchemeId; reference: CredentialReference | undefined } | null> {
  const resolution = await deps.authenticator.resolve(req, res);
  if (resolution.type === 'refused') {
    deps.sendProblem(req, res, resolution.error);
    return null;
  }
  if (resolution.type === 'anonymous') {
    deps.sendProblem(req, res, new GatehouseError('401.1'));
    return null;
  }
  return { actor: resolution.actor, scheme: resolution.info.scheme, reference: resolution.info[CREDENTIAL_REFERENCE] };
}

/** The logout body, as `responses.logout` shapes it. */
function sendLoggedOut(deps: SessionRoutesDependencies, req: Request, res: Response, actor: Actor): void {
  const body: LogoutResponseBody = { success: true };
  const shape = deps.config.responses.logout;
  res.status(200).json(shape ? shape(body, { req, actor }) : body);
}

/** The body's `session`: a JSON boolean, or a form's `true`/`false`; 400.1 otherwise. */
function sessionField(req: Request): boolean | undefined {
  const value = bodyObject(req.body).session;
  if (value === undefined || typeof value === 'boolean') return value;
  if ((value === 'true' || value === 'false') && req.is('application/x-www-form-urlencoded')) return value === 'true';
  throw badField('session', 'must be true or false');
}

/**
 * Adds the session endpoints to `router`: login at `paths.login`, logout at `paths.logout`
 * (with `paths.logoutMethod`) and `DELETE {paths.sessions}/:token`.
 */
export function addSessionRoutes(router: Router, paths: Pick<RoutePaths, 'sessions' | 'login' | 'logout' | 'logoutMethod'>, deps: SessionRoutesDependencies): void {
  const path = paths.sessions;
  const handle =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
      handler(req, res).catch(next);
    };

  const { config } = deps;
  const credentials = config.login.credentials;
  const { sessionToken, cookie } = config.schemes;
  const issueSessionTokens = sessionToken !== false;
  // A token handed out with a cookie by one login lives as long as the shorter of the two.
  const linkedTtl = credentials === 'token+cookie' && sessionToken && cookie ? Math.min(sessionToken.ttl, cookie.absoluteTimeout) : undefined;
  if (deps.passwordCheck && credentials !== 'none' && (issueSessionTokens || deps.cookieSessions)) {
    const passwordCheck = deps.passwordCheck;
    router.post(
      paths.login,
      handle(async (req, res) => {
        const { login, password } = readLoginBody(req.body);
        const asked = sessionField(req);
        // 'token+cookie' and 'cookie' hand out the cookie on every login, whatever `session` says.
        const wantsCookie = credentials === 'asked' ? asked === true : true;
        const wantsToken = credentials === 'asked' ? !wantsCookie : credentials === 'token+cookie';
        const cookieSessions = wantsCookie ? deps.cookieSessions : null;
        if (wantsCookie && !cookieSessions) throw badField('session', 'cannot be true: cookie sessions are not enabled');
        if (wantsToken && !issueSessionTokens) throw badField('session', 'must be true: session tokens are turned off');
        // A Secure cookie cannot be set over plain HTTP; refuse before the password is checked.
        if (cookieSessions?.options.secure && !req.secure) throw new GatehouseError('401.3');
        // Login CSRF: a page on another origin must not sign the browser into an account of its
        // choosing. There is no session (and no CSRF token) yet, so the browser's headers decide.
        if (cookieSessions && !isCrossOriginAllowed(crossOriginRequestOf(req.method, req.headers), { trustedOrigins: cookieSessions.options.trustedOrigins, sessionCsrfToken: undefined })) {
          throw new GatehouseError('403.4');
        }
        // The proof of identity starts here: a revokeAll from now on refuses what this login issues.
        const provenAt = deps.now();
        const { actor, previousAccessFailedCount } = await auditedCheck(deps.emit ?? null, req, cookieSessions ? 'cookie' : 'sessionToken', login, passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res) })).catch((error: unknown) => withChangeTicket(deps.passwordChange, deps.store, login, error));
        // One login is one session: a cookie login gets the cookie alone, never a second,
        // independent bearer token that page scripts could read and logout would not end —
        // unless both are asked for ('token+cookie'), and then they share one family (`loginId`),
        // so ending either ends both.
        const loginId = wantsToken && cookieSessions ? randomBytes(16).toString('base64url') : null;
        const issued = wantsToken
          ? await deps.tokens.issueOnProof(
              { actorId: actor.id, kind: 'session', ...(loginId && linkedTtl !== undefined ? { ttl: linkedTtl } : {}) },
              provenAt,
              loginId,
            )
          : null;
        let csrf: string | undefined;
        try {
          csrf = cookieSessions
            ? await cookieSessions.establish(req, res, actor.id, provenAt, loginId ? { loginId, endsAt: issued?.expiresAt?.getTime() ?? null } : undefined)
            : undefined;
        } catch (error) {
          // The token never reaches the client; end it rather than leave half a session behind.
          if (loginId) await deps.tokens.endLogin(loginId).catch(() => undefined);
          throw error;
        }
        if (cookieSessions) deps.emit?.(issuedEvent(req, 'cookie', 'session', actor.id, null));
        res.setHeader('Cache-Control', 'no-store');
        const body: LoginResponseBody = {
          ...(issued
            ? { token: issued.token, createdAt: issued.createdAt.toISOString(), expiresAt: issued.expiresAt?.toISOString() ?? null }
            : {}),
          ...(csrf ? { csrf } : {}),
          previousAccessFailedCount,
        };
        const shape = config.responses.login;
        res.status(200).json(shape ? shape(body, { req, actor }) : body);
      }),
    );
  }

  if (deps.passwordChange && deps.store.findCredentials && deps.store.changePassword) {
    const { tickets, hasher } = deps.passwordChange;
    const { findCredentials, changePassword } = deps.store;
    router.post(
      `${path}/password`,
      handle(async (req, res) => {
        const body = bodyObject(req.body);
        const ticket = tickets.read(requiredString(body, 'ticket', MAX_TICKET_LENGTH));
        const password = requiredString(body, 'password');
        const record = await findCredentials(ticket.login);
        if (!record || record.actor.id !== ticket.actorId || record.passwordHash === null) throw new GatehouseError('401.2');
        // Bound to the hash it was issued for: used once (or after any other change) it no longer checks out.
        tickets.verify(ticket, record.passwordHash);
        if (await hasher.verify(password, record.passwordHash)) throw badField('password', 'must differ from the expired password');
        const newHash = await hasher.hash(password);
        // Compare-and-set: of two requests with one ticket, one wins.
        if (!(await changePassword(record.actor.id, record.passwordHash, newHash))) throw new GatehouseError('401.2');
        // Whoever knew the old password is out: every credential of the actor ends.
        await deps.tokens.revokeAll(record.actor.id);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).json({ success: true });
      }),
    );
  }

  router[paths.logoutMethod === 'POST' ? 'post' : 'delete'](
    paths.logout,
    handle(async (req, res) => {
      const authenticated = await authenticatedActor(deps, req, res);
      if (!authenticated) return;
      const { actor, scheme, reference } = authenticated;
      const ender = reference ? deps.enders[scheme] : undefined;
      // App users cannot end their own key (an administrator hands it out and takes it back);
      // Basic and configured API keys have nothing to end.
      if (actor.kind === 'appUser' || !reference || !ender || !(await ender(req, res, reference))) {
        return deps.sendProblem(req, res, new GatehouseError('403.1'));
      }
      deps.emit?.(revokedEvent(req, actor.id, reference));
      res.setHeader('Cache-Control', 'no-store');
      sendLoggedOut(deps, req, res, actor);
    }),
  );

  router.delete(
    `${path}/:token`,
    handle(async (req, res) => {
      // The token to end is itself a credential in the URL: keep it out of request logs.
      const token = String(req.params.token);
      req.originalUrl = req.originalUrl.split(encodeURIComponent(token)).join('REDACTED').split(token).join('REDACTED');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const authenticated = await authenticatedActor(deps, req, res);
      if (!authenticated) return;
      const { actor } = authenticated;
      const forbidden = () => deps.sendProblem(req, res, new GatehouseError('403.1'));
      if (actor.kind !== 'user' || parseTokenKind(token) === null || !deps.store.findToken || !deps.store.deleteToken) return forbidden();
      const hash = hashSecret(token);
      const record = await deps.store.findToken(hash);
      const isAdmin = actor.roles.some((role) => deps.config.adminRoles.includes(role));
      // Unknown and someone else's token answer alike: the endpoint is no existence oracle.
      if (!record || record.hash !== hash || (record.actorId !== actor.id && !isAdmin)) return forbidden();
      await deps.tokens.end(record);
      deps.emit?.(revokedEvent(req, record.actorId, { type: 'token', hash, kind: record.kind }));
      sendLoggedOut(deps, req, res, actor);
    }),
  );
}

/** A fresh Router for the auth endpoints. */
export function createRouter(): Router {
  return Router();
}
