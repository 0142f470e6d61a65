/**
 * Options of the `cookie` scheme (browser sessions on express-session) and their validation.
 */
import { fail, knownOptions, type OptionNames } from '../../config-error';

/**
 * An express-session store (connect-redis, connect-pg-simple, `express-session`'s own
 * `Store` subclasses): the part of its interface Gatehouse relies on, written out so the
 * published types do not need `@types/express-session`.
 */
export interface SessionStore {
  /** Reads a session, or `null` when there is none. */
  get(sid: string, callback: (error: unknown, session?: unknown) => void): void;
  /** Writes a session. */
  set(sid: string, session: unknown, callback?: (error?: unknown) => void): void;
  /** Removes a session. */
  destroy(sid: string, callback?: (error?: unknown) => void): void;
}

/**
 * Options of the `cookie` scheme. On when `secret` is given.
 *
 * @example
 * ```ts
 * cookie: { secret: process.env.SESSION_SECRET, trustedOrigins: ['https://admin.example.org'] }
 * ```
 */
export interface CookieOptions {
  /** Signs the session cookie; at least 32 characters. Several (newest first) rotate secrets. Required. */
  secret: string | string[];
  /** Cookie name. Default `'__Host-gatehouse'` when secure, `'gatehouse'` otherwise. */
  name?: string;
  /**
   * HTTPS only: the cookie is `Secure` and plain-HTTP requests answer 401.3. Default `true`.
   * `false` is for local development over http://localhost only.
   */
  secure?: boolean;
  /** `'lax'` (default) or `'strict'`; `'none'` only with `allowSameSiteNone: true` and `secure`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Allow `sameSite: 'none'` (cross-site embedding). Default `false`; think twice. */
  allowSameSiteNone?: boolean;
  /** End a session unused for this many ms. Default `1800000` (30 min). */
  idleTimeout?: number;
  /** End a session this many ms after login, however active. Default `43200000` (12 h). */
  absoluteTimeout?: number;
  /** Origins (`https://host[:port]`) whose unsafe requests are accepted with the cookie. Default `[]`. */
  trustedOrigins?: string[];
  /**
   * An express-session store (connect-redis, connect-pg-simple). Default: the Gatehouse
   * store (sessions are token records, so `tokens.revokeAll` ends them).
   */
  store?: SessionStore;
}

/** The cookie options after validation (what {@link resolveCookieOptions} returns). */
export interface ResolvedCookieOptions {
  /** {@link CookieOptions.secret} as a list, newest first: the first signs, all verify. */
  secrets: string[];
  /** {@link CookieOptions.name}, default filled in. */
  name: string;
  /** {@link CookieOptions.secure}, default filled in. */
  secure: boolean;
  /** {@link CookieOptions.sameSite}, default filled in. */
  sameSite: 'lax' | 'strict' | 'none';
  /** {@link CookieOptions.idleTimeout}, default filled in (ms). */
  idleTimeout: number;
  /** {@link CookieOptions.absoluteTimeout}, default filled in (ms). */
  absoluteTimeout: number;
  /** {@link CookieOptions.trustedOrigins}, as a set. */
  trustedOrigins: Set<string>;
  /** {@link CookieOptions.store}, or `null` for the Gatehouse store. */
  store: SessionStore | null;
}

/** The options of `cookie`, in the order messages list them; a compile error when it and {@link CookieOptions} disagree. */
const OPTION_NAMES: OptionNames<CookieOptions> = {
  secret: true,
  name: true,
  secure: true,
  sameSite: true,
  allowSameSiteNone: true,
  idleTimeout: true,
  absoluteTimeout: true,
  trustedOrigins: true,
  store: true,
};

function durationMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1000) fail(`cookie.${name}`, `cookie.${name} must be whole milliseconds, at least 1000 (default ${fallback}).`);
  return value;
}

/**
 * Validates the `cookie` option and fills in defaults; absent or `false` turns the scheme
 * off. Throws a `GatehouseConfigError` (a `TypeError`) naming the option and the fix.
 *
 * @example
 * ```ts
 * const options = resolveCookieOptions({ secret: process.env.SESSION_SECRET!, sameSite: 'strict' });
 * if (options) new CookieSessions({ options, store });
 * ```
 */
export function resolveCookieOptions(input: CookieOptions | false | undefined): ResolvedCookieOptions | false {
  if (input === undefined || input === false) return false;
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail('cookie', 'cookie must be an object such as { secret }, or false.');
  knownOptions(input, OPTION_NAMES, 'cookie');
  const secrets = ([] as unknown[]).concat(input.secret);
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length >= 32)) {
    fail('cookie.secret', "cookie.secret must be a string of at least 32 characters (or an array of them); generate one with crypto.randomBytes(32).toString('base64').");
  }
  const secure = input.secure ?? true;
  if (typeof secure !== 'boolean') fail('cookie.secure', 'cookie.secure must be true or false (default true).');
  const sameSite = input.sameSite ?? 'lax';
  if (sameSite === ('none' as string)) {
    if (input.allowSameSiteNone !== true) fail('cookie.sameSite', "cookie.sameSite 'none' sends the cookie on cross-site requests; set allowSameSiteNone: true if you really mean it.", {
        code: 'GATEHOUSE_CONFLICTING_OPTIONS',
      });
    if (!secure) fail('cookie.sameSite', "cookie.sameSite 'none' needs secure: true.", { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  } else if (sameSite !== 'lax' && sameSite !== 'strict') {
    fail('cookie.sameSite', "cookie.sameSite must be 'lax' (default) or 'strict'.");
  }
  const name = input.name ?? (secure ? '__Host-gatehouse' : 'gatehouse');
  if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) fail('cookie.name', 'cookie.name must be a cookie name (a token: letters, digits and !#$%&\'*+-.^_`|~).');
  if ((name.startsWith('__Host-') || name.startsWith('__Secure-')) && !secure) fail('cookie.name', `cookie.name '${name}' needs secure: true (browsers refuse the prefix otherwise).`, { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  const trusted = input.trustedOrigins ?? [];
  if (!Array.isArray(trusted)) fail('cookie.trustedOrigins', 'cookie.trustedOrigins must be an array of origins such as https://admin.example.org.');
  const trustedOrigins = new Set<string>();
  for (const origin of trusted) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(String(origin));
    } catch {
      parsed = null;
    }
    if (!parsed || parsed.origin !== origin) fail('cookie.trustedOrigins', `cookie.trustedOrigins: ${JSON.stringify(origin)} is not an origin (scheme://host[:port], no path).`);
    trustedOrigins.add(origin);
  }
  const store = input.store ?? null;
  if (store !== null && (typeof store !== 'object' || typeof (store as { get?: unknown }).get !== 'function')) fail('cookie.store', 'cookie.store must be an express-session Store.');
  const idleTimeout = durationMs(input.idleTimeout, 'idleTimeout', 30 * 60 * 1000);
  const absoluteTimeout = durationMs(input.absoluteTimeout, 'absoluteTimeout', 12 * 60 * 60 * 1000);
  if (idleTimeout > absoluteTimeout) fail('cookie.idleTimeout', 'cookie.idleTimeout must not be longer than absoluteTimeout.', { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  return { secrets: secrets as string[], name, secure, sameSite, idleTimeout, absoluteTimeout, trustedOrigins, store };
}
