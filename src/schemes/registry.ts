/**
 * Every scheme, listed once. `gatehouse()` builds the schemes that are on from this list;
 * detection, `auth.require({ schemes })` and the README's scheme table derive from the ids
 * it is keyed by (`ids.ts`). A scheme left out here does not compile;
 * `test/schemes.registry.test.ts` fails when one is left out anywhere else.
 */
import { API_KEY_SCHEME } from './api-key';
import { APP_USER_URL_SCHEME } from './app-user-url';
import { BASIC_SCHEME } from './basic';
import { COOKIE_SCHEME } from './cookie';
import { detectionTable, type DetectionTable } from '../detect';
import type { ResolvedOptions } from '../options';
import type { StoreFeature } from '../store/methods';
import type { ApiKeyMap } from './api-key/options';
import type { BasicOptions } from './basic/options';
import type { CookieOptions } from './cookie/options';
import type { BuiltScheme, SchemeContext, SchemeDefinition, SharedSettings } from './definition';
import type { JwtOptions } from './jwt/options';
import type { SessionTokenOptions } from './session-token/options';
import { SCHEME_IDS, type SchemeId } from './ids';
import { JWT_SCHEME } from './jwt';
import { SESSION_TOKEN_SCHEME } from './session-token';

/** The definition of every scheme, by id. */
export const SCHEMES = {
  appUserUrl: APP_USER_URL_SCHEME,
  sessionToken: SESSION_TOKEN_SCHEME,
  jwt: JWT_SCHEME,
  apiKey: API_KEY_SCHEME,
  basic: BASIC_SCHEME,
  cookie: COOKIE_SCHEME,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition's own settings type
} as const satisfies { readonly [Id in SchemeId]: SchemeDefinition<Id, any, BuiltScheme> };

/** The definitions in `SCHEME_IDS` order (the README's). */
export const SCHEME_DEFINITIONS: ReadonlyArray<(typeof SCHEMES)[SchemeId]> = SCHEME_IDS.map((id) => SCHEMES[id]);

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

/** Each scheme's resolved settings, by id; `false` when off. */
export type SchemeSettings = { [Id in SchemeId]: SettingsOf<(typeof SCHEMES)[Id]> | false };

/** The settings type of a definition. */
type SettingsOf<D> = D extends SchemeDefinition<SchemeId, infer S, BuiltScheme> ? S : never;

/**
 * Resolves every scheme's option in registry order, and collects the store features the
 * schemes need (`STORE_NEEDS`), so a missing method is named at start-up.
 */
export function resolveSchemes(options: SchemeOptions, shared: SharedSettings): { schemes: SchemeSettings; storeFeatures: StoreFeature[] } {
  const schemes: Record<string, unknown> = {};
  const storeFeatures: StoreFeature[] = [];
  for (const definition of SCHEME_DEFINITIONS) {
    const { resolve, storeFeatures: needs } = definition as AnyDefinition;
    const input = options[definition.option];
    const settings = resolve(input, shared);
    schemes[definition.id] = settings;
    storeFeatures.push(...needs(settings, input, shared));
  }
  return { schemes: schemes as SchemeSettings, storeFeatures };
}

/** What building a scheme gives, by id. */
export type BuiltSchemes = { [Id in SchemeId]?: ReturnType<(typeof SCHEMES)[Id]['build']> };

/** The registered schemes' detection, arranged once for every instance. */
export const DETECTION_TABLE: DetectionTable = detectionTable(SCHEME_DEFINITIONS);

/** Builds every scheme the options turn on, in `SCHEME_IDS` order. */
export function buildSchemes(config: ResolvedOptions, context: SchemeContext): BuiltSchemes {
  const built: Record<string, BuiltScheme> = {};
  for (const definition of SCHEME_DEFINITIONS) {
    const settings = config.schemes[definition.id];
    if (settings !== false) built[definition.id] = (definition as AnyDefinition).build(settings, context);
  }
  return built as BuiltSchemes;
}

/** How long each scheme that is on needs the per-actor "not before" kept (see `SchemeDefinition.revocationHorizon`). */
export function revocationHorizons(config: ResolvedOptions): number[] {
  return SCHEME_DEFINITIONS.map((definition) => {
    const { revocationHorizon } = definition as AnyDefinition;
    const resolved = config.schemes[definition.id];
    return resolved === false || !revocationHorizon ? 0 : revocationHorizon(resolved);
  });
}

/** A definition with its settings type forgotten, for loops over all of them. */
type AnyDefinition = SchemeDefinition<SchemeId, unknown, BuiltScheme>;
