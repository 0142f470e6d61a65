/**
 * `sessionToken`: an opaque token in `Authorization: Bearer` (sessions from login,
 * personal tokens, and app-user tokens for clients that can send a header).
 *
 * Built on passport-http-bearer's strategy so hosts can `passport.use()` it. Unlike that
 * strategy it reads the header only: RFC 6750 also allows `access_token` in the query,
 * which puts the token in access logs, so it is not accepted here.
 */
import type { Request } from 'express';
import { BearerStrategyBase, type PassportStrategy } from './passport-base';
import { credentialFromAuthorization } from '../detect';
import { GatehouseError } from '../errors';
import type { StoredTokenKind } from '../store/types';
import type { TokenService } from '../tokens/token-service';
import { authInfoFor, reportRejection } from './outcome';

/** Options of {@link SessionTokenStrategy}. */
export interface SessionTokenStrategyOptions {
  /** The token service, i.e. `auth.tokens`. */
  tokens: TokenService;
  /**
   * Token kinds accepted as a bearer token. Default `['session', 'personal', 'appUser']`.
   * @example new SessionTokenStrategy({ tokens: auth.tokens, kinds: ['personal'] })
   */
  kinds?: StoredTokenKind[];
}

const BEARER_ONLY = new Set(['bearer'] as const);

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

  constructor(options: SessionTokenStrategyOptions) {
    if (!options?.tokens) throw new TypeError('SessionTokenStrategy: pass { tokens: auth.tokens }.');
    // passport-http-bearer insists on a verify function; ours runs in authenticate().
    super(() => undefined);
    this.name = 'sessionToken';
    this.tokens = options.tokens;
    this.kinds = options.kinds ?? ['session', 'personal', 'appUser'];
  }

  override authenticate(req: Request, options?: { credential?: string }): void {
    // passport calls this on a per-request copy augmented with success/fail/error/pass,
    // which @types/passport-http-bearer does not declare.
    const outcome = this as unknown as PassportStrategy;
    let token = options?.credential;
    if (token === undefined) {
      const presented = credentialFromAuthorization(req.headers.authorization, BEARER_ONLY);
      if (presented === null) return outcome.pass();
      if (presented.scheme !== 'sessionToken') return outcome.fail(new GatehouseError('401.2'), 401);
      token = presented.token;
    }
    this.tokens.authenticate(token, this.kinds).then(
      (verified) =>
        outcome.success(
          verified.actor,
          authInfoFor(
            { scheme: 'sessionToken', tokenKind: verified.kind as never, expiresAt: verified.expiresAt ?? undefined },
            { type: 'token', hash: verified.hash, kind: verified.kind },
          ),
        ),
      (error: unknown) => reportRejection(outcome, error),
    );
  }
}
