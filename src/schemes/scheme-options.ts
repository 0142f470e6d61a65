/**
 * Each scheme's option of `gatehouse()`, as a host writes it (`SchemeOptions`) and as it is
 * resolved (`SchemeSettings`). Declared here, below the registry, so that the resolved
 * options, the context the schemes are built from and the definitions can all name them
 * without importing the registry that lists the definitions; `registry.ts` checks each
 * definition against {@link SettingsOfScheme}, so the two cannot drift.
 */
import type { ApiKeyMap, ResolvedApiKey } from './api-key/options';
import type { BasicOptions, ResolvedBasicOptions } from './basic/options';
import type { CookieOptions, ResolvedCookieOptions } from './cookie/options';
import type { SchemeId } from './ids';
import type { JwtOptions, ResolvedJwtOptions } from './jwt/options';
import type { ResolvedSessionTokenOptions, SessionTokenOptions } from './session-token/options';

/**
 * The option of `gatehouse()` that configures each scheme. Each option's type, defaults and
 * checks live beside the scheme (`schemes/<id>/options.ts`); `GatehouseOptions` extends this.
 */
export interface SchemeOptions {
  /**
   * App-user URLs (`/key/{token}/…`). Default `true`.
   * @example { appUserUrl: false } // /key/… paths reach the app untouched
   */
  appUserUrl?: boolean;
  /** Opaque bearer tokens (sessions, personal tokens). Default `{}` (on); `false` turns them off. */
  sessionToken?: SessionTokenOptions | false;
  /**
   * JWT access tokens (passport-jwt), with `/jwt/authenticate`, `/jwt/refresh` and `/jwt/verify`.
   * On when `secret`, `privateKey`/`publicKey` or `issuers` is given. Default: off.
   * @example { jwt: { secret: process.env.JWT_SECRET, issuer: 'https://api.example.org', audience: 'api' } }
   */
  jwt?: JwtOptions | false;
  /**
   * Configured API keys (ApostropheCMS shape). Store-issued API keys work whenever this
   * is not `false`. Default `{}`.
   * @example { 'myapikey1029384756': { role: 'admin' } }
   */
  apiKeys?: ApiKeyMap | false;
  /**
   * HTTPS-only Basic. On by default when the store has `findCredentials`; `false` turns it off.
   * @example { basic: { challenge: true } }
   */
  basic?: BasicOptions | false;
  /**
   * Browser cookie sessions (express-session): `POST /sessions` with `session: true` sets
   * the cookie. On when `secret` is given. Default: off.
   * @example { cookie: { secret: process.env.SESSION_SECRET, trustedOrigins: ['https://admin.example.org'] } }
   */
  cookie?: CookieOptions | false;
}

/** What each scheme's option resolves to when the scheme is on. */
export interface SettingsOfScheme {
  appUserUrl: true;
  sessionToken: ResolvedSessionTokenOptions;
  jwt: ResolvedJwtOptions;
  apiKey: Map<string, ResolvedApiKey>;
  basic: ResolvedBasicOptions;
  cookie: ResolvedCookieOptions;
}

/** Each scheme's resolved settings, by id; `false` when off. */
export type SchemeSettings = { [Id in SchemeId]: SettingsOfScheme[Id] | false };
