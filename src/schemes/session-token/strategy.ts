/**
 * `sessionToken`: an opaque token in `Authorization: Bearer` (sessions from login,
 * personal tokens, and app-user tokens for clients that can send a header).
 *
 * Built on passport-http-bearer's strategy so hosts can `passport.use()` it. Unlike that
 * strategy it reads the header only: RFC 6750 also allows `access_token` in the query,
 * which puts the token in access logs, so it is not accepted here.
 */
import type { Request } from 'express';
import { BearerStrategyBase, type PassportStrategy } from '../passport-base';
import { SESSION_TOKEN_DETECTION } from './detection';
import type { StoredTokenKind } from '../../store/types';
import type { TokenService } from '../../tokens/token-service';
import { authInfoFor, bearerChallenge, ownAuthorizationCredential, reportRejection, type StandaloneAuthenticateOptions } from '../outcome';
import { fail, knownOptions, type OptionNames } from '../../config-error';
import { proofInfo } from '../../authentication-proof';

/** Options of {@link SessionTokenStrategy}. */
export interface SessionTokenStrategyOptions {
  /**
   * The token service, i.e. `auth.tokens`. Not built from a store here: the tokens this
   * verifies are issued by a `gatehouse()` instance (its login route, `auth.tokens.issue`),
   * and verified with that instance's settings (`sessionToken.ttl` and `idleTimeout`,
   * `lastUsedInterval`, linked logins, revocations), which a second service built from the
   * store alone would not know, e.g. letting a session outlive its idle timeout.
   */
  tokens: TokenService;
  /**
   * Token kinds accepted as a bearer token. Default `['session', 'personal', 'appUser']`.
   * @example new SessionTokenStrategy({ tokens: auth.tokens, kinds: ['personal'] })
   */
  kinds?: StoredTokenKind[];
  /**
   * Let a request that presents no credential of this kind through anonymously (`pass()`), for
   * routes that serve both. Default `false`: used alone, the strategy answers such a request
   * with 401, so `passport.authenticate('sessionToken')` never runs a handler without `req.user`.
   * Also accepted per route: `passport.authenticate('sessionToken', { session: false, optional: true })`.
   * @example new SessionTokenStrategy({ tokens: auth.tokens, optional: true })
   */
  optional?: boolean;
  /**
   * The realm of the `WWW-Authenticate: Bearer` challenge sent, when the strategy is used alone,
   * to a request without a bearer token. Default `'api'`.
   * @example new SessionTokenStrategy({ tokens: auth.tokens, realm: 'reports' })
   */
  realm?: string;
}

/** The options of {@link SessionTokenStrategy}; a compile error when it and {@link SessionTokenStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<SessionTokenStrategyOptions> = { tokens: true, kinds: true, optional: true, realm: true };

/**
 * Passport strategy for opaque bearer tokens.
 *
 * @example
 * ```ts
 * passport.use(new SessionTokenStrategy({ tokens: auth.tokens }));
 * app.get('/me', passport.authenticate('sessionToken', { session: false }), handler);
 * ```
 */
export class SessionTokenStrategy extends BearerStrategyBase {
  private readonly tokens: TokenService;
  private readonly kinds: readonly StoredTokenKind[];
  private readonly optional: boolean;
  private readonly challenge: string;

  constructor(options: SessionTokenStrategyOptions) {
    if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where: 'SessionTokenStrategy' });
    if (!options?.tokens) fail('tokens', 'pass { tokens: auth.tokens }.', { where: 'SessionTokenStrategy', code: 'GATEHOUSE_MISSING_OPTION' });
    // passport-http-bearer insists on a verify function; ours runs in authenticate().
    super(() => undefined);
    this.name = 'sessionToken';
    this.tokens = options.tokens;
    this.kinds = options.kinds ?? ['session', 'personal', 'appUser'];
    this.optional = options.optional === true;
    this.challenge = bearerChallenge(options.realm ?? 'api');
  }

  override authenticate(req: Request, options?: StandaloneAuthenticateOptions): void {
    // passport calls this on a per-request copy augmented with success/fail/error/pass,
    // which @types/passport-http-bearer does not declare.
    const outcome = this as unknown as PassportStrategy;
    const token = ownAuthorizationCredential(outcome, req, options, { detection: SESSION_TOKEN_DETECTION, optional: this.optional, challenge: this.challenge });
    if (token === null) return;
    this.tokens.authenticate(token, this.kinds).then(
      (verified) =>
        outcome.success(
          verified.actor,
          authInfoFor(
            { scheme: 'sessionToken', tokenKind: verified.kind as never, expiresAt: verified.expiresAt ?? undefined, ...proofInfo(verified.provenAt, verified.amr) },
            { type: 'token', hash: verified.hash, kind: verified.kind },
            verified.scopes,
          ),
        ),
      (error: unknown) => reportRejection(outcome, error),
    );
  }
}
