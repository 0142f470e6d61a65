/**
 * `appUserUrl`: an app-user token in the URL prefix `/key/{token}/…`, for field devices
 * (ODK Collect) that cannot send headers. Only tokens of kind `appUser` are accepted
 * here: a web session token pasted into a URL is refused, so a leaked URL can never
 * carry more than an app user's rights.
 */
import type { Request } from 'express';
import { StrategyBase } from '../passport-base';
import { GatehouseError } from '../../errors';
import type { TokenService } from '../../tokens/token-service';
import { recordedUrlCredentials, takeCredentialsFromUrl } from '../../url-credentials';
import { authInfoFor, credentialAbsent, reportRejection, type StandaloneAuthenticateOptions } from '../outcome';
import { fail, knownOptions, type OptionNames } from '../../config-error';

/** Options of {@link AppUserUrlStrategy}. */
export interface AppUserUrlStrategyOptions {
  /**
   * The token service, i.e. `auth.tokens`: app-user tokens are issued by a `gatehouse()`
   * instance (`auth.tokens.issue({ kind: 'appUser' })`) and verified with its settings
   * (`lastUsedInterval`, revocations), so the strategy uses that instance's service.
   */
  tokens: TokenService;
  /**
   * Let a request that presents no credential of this kind through anonymously (`pass()`), for
   * routes that serve both. Default `false`: used alone, the strategy answers such a request
   * with 401, so `passport.authenticate('appUserUrl')` never runs a handler without `req.user`.
   * Also accepted per route: `passport.authenticate('appUserUrl', { session: false, optional: true })`.
   * @example new AppUserUrlStrategy({ tokens: auth.tokens, optional: true })
   */
  optional?: boolean;
}

/** The options of {@link AppUserUrlStrategy}; a compile error when it and {@link AppUserUrlStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<AppUserUrlStrategyOptions> = { tokens: true, optional: true };

/**
 * Passport strategy for app-user URL keys. Inside Gatehouse the key has already been
 * taken off `req.url`; used alone it reads `req.url` without rewriting it.
 *
 * @example
 * ```ts
 * passport.use(new AppUserUrlStrategy({ tokens: auth.tokens }));
 * ```
 */
export class AppUserUrlStrategy extends StrategyBase {
  override name = 'appUserUrl';
  private readonly tokens: TokenService;
  private readonly optional: boolean;

  constructor(options: AppUserUrlStrategyOptions) {
    super();
    if (options && typeof options === 'object') knownOptions(options, OPTION_NAMES, '', { where: 'AppUserUrlStrategy' });
    if (!options?.tokens) fail('tokens', 'pass { tokens: auth.tokens }.', { where: 'AppUserUrlStrategy', code: 'GATEHOUSE_MISSING_OPTION' });
    this.tokens = options.tokens;
    this.optional = options.optional === true;
  }

  override authenticate(req: Request, options?: StandaloneAuthenticateOptions): void {
    const token = options?.credential ?? urlKeyOf(req);
    if (token === null) return credentialAbsent(this, options?.optional ?? this.optional);
    if (token === '') return this.fail(new GatehouseError('401.2'), 401);
    this.tokens.authenticate(token, ['appUser']).then(
      (verified) =>
        this.success(
          verified.actor,
          authInfoFor(
            { scheme: 'appUserUrl', tokenKind: 'appUser', expiresAt: verified.expiresAt ?? undefined },
            { type: 'token', hash: verified.hash, kind: verified.kind },
            verified.scopes,
          ),
        ),
      (error: unknown) => reportRejection(this, error),
    );
  }
}

function urlKeyOf(req: Request): string | null {
  const recorded = recordedUrlCredentials(req);
  if (recorded) return recorded.urlKey;
  return takeCredentialsFromUrl(req.url, { appUserUrl: true, apiKeyQuery: false }).urlKey;
}
