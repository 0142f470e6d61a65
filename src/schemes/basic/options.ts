/**
 * Options of the `basic` scheme (HTTPS-only Basic) and their validation, shared by
 * `gatehouse({ basic })` and `new HttpsBasicStrategy(…)`, so both check `challenge` and
 * `realm` alike and default the realm alike.
 */
import { fail, knownOptions, objectOrFalse, type OptionNames } from '../../config-error';
import {
  resolveVerificationCacheOptions,
  type ResolvedVerificationCacheOptions,
  type VerificationCacheOptions,
} from '../../passwords/verification-cache';

/**
 * The default of the top-level `realm`, and so of `basic.realm` (and of a standalone
 * `HttpsBasicStrategy`'s `realm`).
 */
export const DEFAULT_REALM = 'api';

/** Options of the `basic` scheme (HTTPS-only Basic authentication). */
export interface BasicOptions {
  /**
   * Send `WWW-Authenticate: Basic …` on 401 answers. Default `false`: browsers answer the
   * challenge with a login dialog, which API clients never want; turn it on for clients
   * (Excel, Power BI) that send credentials only when challenged.
   * @example { challenge: true }
   */
  challenge?: boolean;
  /** The realm of the Basic challenge. Default: the top-level `realm`. */
  realm?: string;
  /**
   * Remember successful checks so a client that sends its password on every request pays
   * bcrypt once per `ttl`. Keyed by an HMAC (per-process key) of login and password and
   * bound to the stored hash, so a password change is noticed on the next request;
   * failures are never cached. Default `{ ttl: 60000, maxEntries: 10000 }`; `false` turns it off.
   * @example { cache: { ttl: 30_000 } }
   */
  cache?: VerificationCacheOptions | false;
}

/** The options of `basic`; a compile error when it and {@link BasicOptions} disagree. */
const OPTION_NAMES: OptionNames<BasicOptions> = { challenge: true, realm: true, cache: true };

/** The `basic` options after defaults and validation. */
export interface ResolvedBasicOptions {
  challenge: boolean;
  realm: string;
  cache: ResolvedVerificationCacheOptions | false;
}

/** `basic.challenge`: `true` or `false`, default `false`. */
export function basicChallenge(value: unknown, where = 'gatehouse()'): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail('basic.challenge', 'basic.challenge must be true or false; default false.', { where });
  return value;
}

/**
 * `basic.realm`: a non-empty string without control characters (CR/LF or other controls in
 * a header value would let the realm split the response; quotes and backslashes are escaped
 * in the challenge). Default `fallback`: the top-level `realm`, `'api'` unless set.
 */
export function basicRealm(value: unknown, fallback: string = DEFAULT_REALM, where = 'gatehouse()'): string {
  const realm = value ?? fallback;
  if (typeof realm !== 'string' || realm === '' || /[\u0000-\u001f\u007f]/.test(realm)) {
    fail('basic.realm', 'basic.realm must be a non-empty string without control characters (default: the top-level realm).', { where });
  }
  return realm;
}

/**
 * Validates the `basic` option and fills in defaults. `false` turns Basic off; absent, it
 * is on when the store can look logins up (`hasCredentials`). `realm` is the top-level realm.
 * Also returns whether Basic was asked for (`basic` given and not `false`), which decides the
 * store methods it needs. Throws a `GatehouseConfigError` naming the option.
 */
export function resolveBasicOptions(
  value: BasicOptions | boolean | undefined,
  { realm, hasCredentials }: { realm: string; hasCredentials: boolean },
): { basic: ResolvedBasicOptions | false; input: BasicOptions | false | undefined } {
  const input = objectOrFalse<BasicOptions>(value, 'basic');
  if (input) knownOptions(input, OPTION_NAMES, 'basic');
  const challenge = basicChallenge(input ? input.challenge : undefined);
  const basicRealmValue = basicRealm(input ? input.realm : undefined, realm);
  if (input === false || !hasCredentials) return { basic: false, input };
  return { basic: { challenge, realm: basicRealmValue, cache: resolveVerificationCacheOptions(input?.cache) }, input };
}
