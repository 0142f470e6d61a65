/**
 * `cookie`: browser sessions on express-session. express-session runs only for requests
 * whose chosen credential is the session cookie, and on login and logout — API traffic
 * never loads a session. express-session has no absolute lifetime and its idle expiry
 * runs on its own clock, so both are enforced here from times kept in the session.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseCookieHeader } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { StrategyBase } from '../passport-base';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookieOptions } from './options';
import { crossOriginRequestOf, isCrossOriginAllowed } from '../../cross-origin';
import { GatehouseError } from '../../errors';
import { isSecureRequest } from '../../request-secure';
import { guardStore, type GuardedStore } from '../../store/guard';
import type { GatehouseStore } from '../../store/types';
import { TokenSessionStore } from './token-session-store';
import type { CookieSessionState } from './session-state';
import type { SignInOrigin } from '../../tokens/sign-in-device';
import { SignedSessionIds } from './signed-session-id';
import { hashSecret } from '../../tokens/format';
import { Revocations } from '../../tokens/revocations';
import { authInfoFor, reportRejection } from '../outcome';
import { fail, knownOptions, type OptionNames } from '../../config-error';
import { DEFAULT_AMR, proofInfo, storedMethods } from '../../authentication-proof';

/** What {@link CookieSessions} is built from. */
export interface CookieSessionsDependencies {
  /** The validated cookie options, from `resolveCookieOptions`. */
  options: ResolvedCookieOptions;
  /** The Gatehouse store (token records hold the sessions unless `options.store` is set). */
  store: Partial<GatehouseStore>;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Where `revokeAll` leaves its per-actor "not before"; needed for `revokeAll` and logout to
   * reach sessions in a host's own session store, and for a login racing `revokeAll` to be
   * refused. Default none.
   */
  revocations?: Revocations | null;
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1, as
   * `gatehouse()`'s `storeTimeout` does. Default `5000`. A store `gatehouse()` already guards
   * keeps that instance's timeout.
   * @example new CookieSessions({ options, store, storeTimeout: 2000 })
   */
  storeTimeout?: number;
}

/** The fields of {@link CookieSessionsDependencies}; a compile error when they disagree. */
const SESSIONS_DEPENDENCY_NAMES: OptionNames<CookieSessionsDependencies> = { options: true, store: true, now: true, revocations: true, storeTimeout: true };

/**
 * Loads, establishes and ends browser sessions (express-session, run only when asked).
 * `gatehouse()` builds one from its `cookie` option; an app with its own passport setup
 * builds one for {@link CookieStrategy} and calls `establish` from its login route.
 *
 * @example
 * ```ts
 * const options = resolveCookieOptions({ secret: process.env.SESSION_SECRET! });
 * if (!options) throw new Error('cookie sessions need a secret');
 * const sessions = new CookieSessions({ options, store });
 * passport.use(new CookieStrategy({ sessions, store }));
 * app.post('/login', checkPassword, async (req, res) => res.json({ csrf: await sessions.establish(req, res, req.user!.id) }));
 * ```
 */
export class CookieSessions {
  /** The cookie options these sessions were built with. */
  readonly options: ResolvedCookieOptions;
  private readonly middleware: RequestHandler;
  private readonly now: () => number;
  /** Per-actor "not before" (`revokeAll`) and, with a host's session store, ended sessions. */
  private readonly revocations: Revocations | null;
  /** The Gatehouse store's sessions; `null` when they live in a host's own express-session store. */
  private readonly tokenSessions: TokenSessionStore | null;
  private readonly store: GuardedStore;
  /** Session ids out of signed cookies, each distinct cookie's signature checked once. */
  private readonly sessionIds: SignedSessionIds;

  /** @param dependencies - see {@link CookieSessionsDependencies}. */
  constructor(dependencies: CookieSessionsDependencies) {
    if (dependencies && typeof dependencies === 'object') knownOptions(dependencies, SESSIONS_DEPENDENCY_NAMES, '', { where: 'CookieSessions' });
    const { options } = dependencies;
    this.options = options;
    this.sessionIds = new SignedSessionIds(options.secrets);
    this.now = dependencies.now ?? Date.now;
    this.store = guardStore(dependencies.store, dependencies.storeTimeout);
    this.revocations = dependencies.revocations?.available ? dependencies.revocations : null;
    this.tokenSessions = options.store ? null : new TokenSessionStore(this.store, options.absoluteTimeout);
    this.middleware = session({
      name: options.name,
      secret: options.secrets,
      store: (options.store as session.Store | null) ?? this.tokenSessions!,
      resave: false,
      // No cookie and no store write until login: a request with a stale cookie creates nothing.
      saveUninitialized: false,
      // Gatehouse ends sessions itself (session.destroy at logout and expiry). 'destroy' would
      // also delete a session express-session failed to load — during a store outage, every
      // session that was tried, the deletes landing when the store comes back.
      unset: 'keep',
      cookie: { httpOnly: true, secure: options.secure, sameSite: options.sameSite, path: '/', maxAge: options.absoluteTimeout },
    });
  }

  /** Runs express-session for this request (once). */
  load(req: Request, res: Response): Promise<void> {
    if (req.session) return Promise.resolve();
    return new Promise((resolve, reject) => this.middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  }

  /**
   * Starts a logged-in session with a new id (no fixation) and resolves to its CSRF token.
   * `provenAt` is when the password was checked (default: now); a `tokens.revokeAll` for
   * the actor at or after it refuses the session (401.2) instead of letting it start. `amr`
   * says how the actor proved itself (RFC 8176; default `['pwd']`), for `auth.require({ acr })`.
   */
  async establish(
    req: Request,
    res: Response,
    actorId: string,
    provenAt: number = this.now(),
    login?: { loginId: string; endsAt: number | null },
    amr: readonly string[] = DEFAULT_AMR,
    signIn?: SignInOrigin,
  ): Promise<string> {
    await this.load(req, res);
    // The browser's previous session (another user's, or an earlier login's) ends here, by
    // regeneration; one login is one session, so the token that login handed out with it ends too.
    await this.endLoginOf(req.session?.gatehouse);
    await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve())));
    const now = this.now();
    const state: CookieSessionState = { actorId, createdAt: now, lastSeenAt: now, provenAt, amr: [...amr], csrfToken: randomBytes(32).toString('base64url') };
    if (login) {
      if (!this.tokenSessions) fail('store', 'a session shared with a token needs the sessions in the Gatehouse store (no cookie.store).', { where: 'CookieSessions.establish', code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
      state.loginId = login.loginId;
      if (login.endsAt !== null) state.endsAt = login.endsAt;
    }
    if (signIn) state.signIn = signIn;
    req.session.gatehouse = state;
    this.tokenSessions?.expectNew(req.sessionID);
    await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    await this.revocations?.confirmProof(actorId, provenAt, () => this.end(req, res));
    return state.csrfToken;
  }

  /**
   * Re-authentication of the request's session (`POST {sessions}/reauthenticate`): its proof
   * is now the one made at `provenAt` with `amr`, saved with the session. Rejects with 401.2,
   * and ends the session, when `revokeAll` ran for its actor since its earlier proof (a later
   * proof never brings back a revoked session), or when it is no longer logged in.
   */
  async raiseProof(req: Request, res: Response, actorId: string, provenAt: number, amr: readonly string[]): Promise<void> {
    await this.load(req, res);
    const state = req.session?.gatehouse;
    if (!state || state.actorId !== actorId) throw new GatehouseError('401.2');
    const earlier = state.provenAt ?? state.createdAt;
    state.provenAt = provenAt;
    state.amr = [...amr];
    // A session deleted meanwhile (logout, revokeAll) is not re-created: the Gatehouse store
    // only updates a record that still exists, and the check below ends a host-stored one.
    await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    if (this.revocations && (await this.revocations.isProofRevoked(actorId, Math.min(earlier, provenAt)))) {
      await this.end(req, res);
      throw new GatehouseError('401.2');
    }
  }

  /**
   * Keeps the request's session past a "not before" written for its actor (`revokeAll`'s rule,
   * "sign out everywhere else", a password change): its proof time becomes `provenAt`, a moment
   * after the "not before", saved before the caller answers so the next request on any
   * instance sees it. Resolves to `false` when the request has no logged-in session.
   */
  async reprove(req: Request, res: Response, provenAt: number): Promise<boolean> {
    await this.load(req, res);
    const state = req.session?.gatehouse;
    if (!state) return false;
    state.provenAt = provenAt;
    await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    return true;
  }

  /** Destroys the session and clears the cookie; the token its login handed out with it ends too. */
  async end(req: Request, res: Response): Promise<void> {
    await this.load(req, res);
    const sessionKey = hashSecret(req.sessionID);
    const state = req.session.gatehouse;
    await new Promise<void>((resolve, reject) => req.session.destroy((error) => (error ? reject(error) : resolve())));
    await this.endLoginOf(state);
    // A host's session store takes express-session's write-back of a request still in flight
    // as a new session; the revocation entry keeps that copy refused.
    if (!this.tokenSessions && this.revocations) await this.revocations.revokeSession(sessionKey, this.now() + this.options.absoluteTimeout);
    res.clearCookie(this.options.name, { path: '/', httpOnly: true, secure: this.options.secure, sameSite: this.options.sameSite });
  }

  /** Ends what the session's login handed out with it (`login.credentials: 'token+cookie'`): its token and itself. */
  private async endLoginOf(state: CookieSessionState | undefined): Promise<void> {
    if (state?.loginId && this.store.deleteTokenFamily) await this.store.deleteTokenFamily(state.loginId);
  }

  /** The session's Gatehouse state if it is logged in and within its lifetimes; ends it when it is not. */
  async current(req: Request, res: Response): Promise<CookieSessionState> {
    const read = this.tokenSessions && !req.session ? await this.readWithoutLoading(req, res, this.tokenSessions) : null;
    if (read) return read;
    await this.load(req, res);
    const state = req.session?.gatehouse;
    if (!state) throw new GatehouseError('401.2');
    const now = this.now();
    if (lifetimeOver(state, now, this.options)) {
      await this.end(req, res);
      throw new GatehouseError('401.4');
    }
    // Sessions in the Gatehouse store are deleted by logout and revokeAll, and their write-backs
    // cannot re-create them; a host's session store needs the revocation entries checked.
    if (!this.tokenSessions && this.revocations && (await this.revocations.isSessionRevoked(hashSecret(req.sessionID), state.actorId, state.provenAt ?? state.createdAt))) {
      throw new GatehouseError('401.2');
    }
    // Written back (by express-session, at the end of the response) at most every tenth of the idle timeout.
    if (now - state.lastSeenAt >= lastSeenInterval(this.options)) state.lastSeenAt = now;
    return state;
  }

  /**
   * The read path of a request whose session is in the Gatehouse store and that changes
   * nothing in it (most of them): the cookie checked as express-session checks it, the
   * session read with one store lookup, and express-session run only if the host reads
   * `req.session` (then from what was read here, without a second lookup). express-session
   * run on every such request hashed the session three times (four with a store `touch`) and
   * wrapped the response to decide that nothing needed writing (the cookie rows of
   * `bench/RESULTS.md`).
   *
   * Resolves to `null` — the caller then loads express-session as before — when the request
   * must write or end the session (idle time to record, a lifetime over), when a session is
   * already loaded, or when cookie-parser has run (express-session then reads its results).
   * Every refusal is the one the express-session path gives.
   */
  private async readWithoutLoading(req: Request, res: Response, sessions: TokenSessionStore): Promise<CookieSessionState | null> {
    const withParser = req as Request & { signedCookies?: unknown; cookies?: unknown };
    if (withParser.signedCookies !== undefined || withParser.cookies !== undefined) return null;
    const sid = this.sessionIdOf(req.headers.cookie);
    if (sid === undefined) throw new GatehouseError('401.2');
    const record = await this.store.findToken!(hashSecret(sid));
    const data = record && record.kind === 'cookie' ? (record.data as session.SessionData | null) : null;
    const state = data?.gatehouse;
    if (!data || !state) throw new GatehouseError('401.2');
    const now = this.now();
    if (lifetimeOver(state, now, this.options) || now - state.lastSeenAt >= lastSeenInterval(this.options)) return null;
    deferSession(req, res, sid, data, sessions, this.middleware);
    return state;
  }

  /** The session id in a Cookie header, as express-session reads it: the `s:`-prefixed value signed by one of the secrets. */
  private sessionIdOf(cookieHeader: string | undefined): string | undefined {
    if (typeof cookieHeader !== 'string') return undefined;
    const raw = parseCookieHeader(cookieHeader)[this.options.name];
    return typeof raw === 'string' ? this.sessionIds.sessionIdOf(raw) : undefined;
  }
}

/** Where a deferred session waits on `req` until `req.session` is first read or set. */
const DEFERRED_SESSION = Symbol('gatehouse.deferredSession');

/** What running express-session later needs: the request, and the session read for it already. */
class DeferredSession {
  constructor(
    readonly req: Request,
    readonly res: Response,
    readonly sid: string,
    readonly data: session.SessionData,
    readonly sessions: TokenSessionStore,
    readonly middleware: RequestHandler,
  ) {}
}

type DeferringRequest = Request & { [DEFERRED_SESSION]?: DeferredSession };

/** `req.session` as a plain property again, holding `value`. */
function settleSession(req: Request, value: unknown): void {
  delete (req as DeferringRequest)[DEFERRED_SESSION];
  Object.defineProperty(req, 'session', { value, writable: true, configurable: true, enumerable: true });
}

/**
 * The accessor of a deferred `req.session`, one for every request: the getter and setter are
 * shared functions that find the request's state under {@link DEFERRED_SESSION}. (Closures
 * made per request as the accessor cost a cookie request a sixth of its allocation and more
 * garbage collection: the cookie rows of `bench/RESULTS.md`, round 8.)
 */
const DEFERRED_SESSION_ACCESSOR: PropertyDescriptor = Object.freeze({
  configurable: true,
  enumerable: true,
  get(this: DeferringRequest): unknown {
    const deferred = this[DEFERRED_SESSION];
    if (!deferred) return undefined;
    const { req, res, sid, data, sessions, middleware } = deferred;
    delete (req as DeferringRequest)[DEFERRED_SESSION];
    delete (req as { session?: unknown }).session;
    let failure: unknown;
    sessions.answeringGetsWith(sid, data, () =>
      middleware(req, res, (error?: unknown) => {
        failure = error;
      }),
    );
    if (failure !== undefined) throw failure;
    return req.session;
  },
  set(this: DeferringRequest, value: unknown): void {
    settleSession(this[DEFERRED_SESSION]?.req ?? this, value);
  },
});

/**
 * `req.session` as a getter that runs express-session on first read, answered at once from
 * the session read already (`answeringGetsWith`), and then is the plain property
 * express-session sets; `req.sessionID` is set now, as express-session would.
 */
function deferSession(req: Request, res: Response, sid: string, data: session.SessionData, sessions: TokenSessionStore, middleware: RequestHandler): void {
  req.sessionID = sid;
  (req as DeferringRequest)[DEFERRED_SESSION] = new DeferredSession(req, res, sid, data, sessions, middleware);
  Object.defineProperty(req, 'session', DEFERRED_SESSION_ACCESSOR);
}

/** True when the session's absolute or idle lifetime, or the login's own end, is reached. */
function lifetimeOver(state: CookieSessionState, now: number, options: ResolvedCookieOptions): boolean {
  return now - state.createdAt >= options.absoluteTimeout || now - state.lastSeenAt >= options.idleTimeout || (state.endsAt !== undefined && now >= state.endsAt);
}

/** Milliseconds since `lastSeenAt` after which a request writes it again: a tenth of the idle timeout, at most a minute. */
function lastSeenInterval(options: ResolvedCookieOptions): number {
  return Math.min(options.idleTimeout / 10, 60_000);
}

/** Options of {@link CookieStrategy}. */
export interface CookieStrategyOptions {
  /**
   * The `cookie` options as `gatehouse()` takes them (validated here, with the same checks);
   * the strategy builds its {@link CookieSessions} from them, as `strategy.sessions`. Give
   * this or `sessions`.
   * @example new CookieStrategy({ cookie: { secret: process.env.SESSION_SECRET }, store })
   */
  cookie?: CookieOptions;
  /** Sessions built elsewhere (`new CookieSessions({ options, store })`). Give this or `cookie`. */
  sessions?: CookieSessions;
  /**
   * For `findActor`; with `cookie`, also where the sessions are kept (as token records,
   * unless `cookie.store` is set) and, when it has `saveRevocation`/`findRevocations`, where
   * a Gatehouse instance sharing it leaves `tokens.revokeAll`'s "not before", which then
   * refuses these sessions too.
   */
  store: Partial<GatehouseStore>;
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1, as
   * `gatehouse()`'s `storeTimeout` does. Default `5000`. A store `gatehouse()` already guards
   * keeps that instance's timeout.
   * @example new CookieStrategy({ cookie: { secret: process.env.SESSION_SECRET }, store, storeTimeout: 2000 })
   */
  storeTimeout?: number;
  /** Milliseconds clock for the sessions' lifetimes. Default `Date.now`. Only with `cookie`. */
  now?: () => number;
}

/** The options of {@link CookieStrategy}; a compile error when it and {@link CookieStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<CookieStrategyOptions> = { cookie: true, sessions: true, store: true, now: true, storeTimeout: true };

/**
 * Passport strategy for Gatehouse browser sessions. HTTPS only (401.3) unless
 * `cookie.secure: false`; unsafe methods pass the cross-origin check or answer 403.4.
 *
 * @example
 * ```ts
 * const cookie = new CookieStrategy({ cookie: { secret: process.env.SESSION_SECRET }, store });
 * passport.use(cookie);
 * // in the host's login route, after its own password check:
 * const csrf = await cookie.sessions.establish(req, res, actor.id);
 * // and in its logout route:
 * await cookie.sessions.end(req, res);
 * ```
 */
export class CookieStrategy extends StrategyBase {
  override name = 'cookie';
  /** The sessions this strategy reads: the host's login route calls `establish`, its logout route `end`. */
  readonly sessions: CookieSessions;
  private readonly store: GuardedStore;

  constructor(options: CookieStrategyOptions) {
    super();
    const where = 'CookieStrategy';
    if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where });
    if (!options?.store || (!options.sessions && options.cookie === undefined)) {
      fail(options?.store ? 'cookie' : 'store', 'pass { cookie: { secret } (the cookie options of gatehouse()), store }, or { sessions, store }.', { where, code: 'GATEHOUSE_MISSING_OPTION' });
    }
    if (options.sessions && (options.cookie !== undefined || options.now !== undefined)) {
      fail('sessions', 'pass either { sessions } or { cookie, now }, not both: given sessions already have their options.', { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
    }
    this.store = guardStore(options.store, options.storeTimeout);
    this.sessions = options.sessions ?? sessionsFor(options.cookie!, this.store, options.now);
  }

  override authenticate(req: Request): void {
    const { options } = this.sessions;
    if (options.secure && !isSecureRequest(req)) return this.fail(new GatehouseError('401.3'), 401);
    this.resolve(req).then(
      ({ actor, state }) =>
        this.success(actor, authInfoFor({ scheme: 'cookie', expiresAt: new Date(state.createdAt + options.absoluteTimeout), ...sessionProof(state) }, { type: 'cookie' })),
      (error: unknown) => reportRejection(this, error),
    );
  }

  private async resolve(req: Request) {
    const state = await this.sessions.current(req, req.res!);
    const allowed = isCrossOriginAllowed(crossOriginRequestOf(req.method, req.headers), {
      trustedOrigins: this.sessions.options.trustedOrigins, sessionCsrfToken: state.csrfToken,
    });
    if (!allowed) throw new GatehouseError('403.4');
    const actor = await this.store.findActor?.(state.actorId);
    if (!actor) throw new GatehouseError('401.2');
    return { actor, state };
  }
}

/** `req.authInfo`'s proof fields of a session: its login's (or re-authentication's) `provenAt` and `amr`. */
function sessionProof(state: CookieSessionState) {
  if (state.provenAt === undefined) return {};
  return proofInfo(state.provenAt, state.amr === undefined ? [...DEFAULT_AMR] : storedMethods(state.amr));
}

/** The sessions `gatehouse()` builds from its `cookie` option, with revocations when the store keeps them. */
function sessionsFor(cookie: CookieOptions, store: GuardedStore, now: () => number = Date.now): CookieSessions {
  const options = resolveCookieOptions(cookie);
  if (!options) fail('cookie', 'cookie must be the cookie options of gatehouse(), such as { secret }.', { where: 'CookieStrategy' });
  // CookieSessions confirms proofs and reads and writes session entries, none of which uses
  // the retention a Revocations keeps per-actor "not before" entries for.
  return new CookieSessions({ options, store, now, revocations: new Revocations(store, 0, now) });
}
