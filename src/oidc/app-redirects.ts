/**
 * The redirect URIs of native apps (`oidc.appRedirects`, RFC 8252): which a host may list, and
 * whether the one an app names at the start endpoint is on the list. Pure.
 *
 * - A private-use URI scheme (§7.1) in reverse-domain form, `com.example.app:/oauth2redirect`:
 *   matched exactly.
 * - A claimed `https:` URL (§7.2): matched exactly.
 * - A loopback `http://127.0.0.1/…` or `http://[::1]/…` (§7.3), listed without a port: any port
 *   is accepted at request time, everything else matched exactly. `localhost` is refused (§8.3:
 *   it may resolve elsewhere, or to an interface the app does not listen on).
 */
import { fail } from '../config-error';

/** One entry of `oidc.appRedirects` after validation. */
export interface AppRedirect {
  /** The URI as listed. */
  uri: string;
  /** A loopback URI: its host (`127.0.0.1` or `[::1]`) and path, any port; `null` for any other. */
  loopback: { host: string; path: string } | null;
}

/** A URI scheme (RFC 3986 §3.1) with a dot: reverse-domain form (RFC 8252 §7.1). */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]*[a-z0-9]$/;
/** Schemes that are not an app's, whatever their form. */
const NOT_AN_APP = new Set(['http', 'https', 'javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'ws', 'wss', 'ftp']);
/** The loopback hosts an app may listen on. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);
/** The longest app redirect URI taken. */
const MAX_LENGTH = 1024;

function parsed(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Validates one entry; `option` names it in the error. */
function resolveAppRedirect(value: unknown, option: string): AppRedirect {
  const example = "'com.example.app:/oauth2redirect' or 'http://127.0.0.1/callback'";
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) fail(option, `${option} must be a redirect URI of a native app, e.g. ${example}.`);
  const url = parsed(value);
  if (!url || url.hash !== '' || value.includes('#') || url.search !== '' || url.username !== '' || url.password !== '' || url.href !== value) {
    fail(option, `${option} must be an absolute URI without a query, fragment or credentials, written in canonical form (lower-case scheme and host), e.g. ${example}.`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'http') {
    if (url.hostname === 'localhost') fail(option, `${option}: use 'http://127.0.0.1/…' or 'http://[::1]/…', not localhost (RFC 8252 §8.3).`);
    if (!LOOPBACK_HOSTS.has(url.hostname)) fail(option, `${option}: an http: app redirect must be on the loopback address 127.0.0.1 or [::1] (RFC 8252 §7.3).`);
    if (url.port !== '') fail(option, `${option}: leave out the port of a loopback redirect; the app's port is accepted at request time (RFC 8252 §7.3).`);
    return { uri: value, loopback: { host: url.hostname, path: url.pathname } };
  }
  if (scheme === 'https') return { uri: value, loopback: null };
  if (!PRIVATE_USE_SCHEME.test(scheme) || NOT_AN_APP.has(scheme)) {
    fail(option, `${option}: a private-use URI scheme must be in reverse-domain form, such as 'com.example.app:/oauth2redirect' (RFC 8252 §7.1).`);
  }
  return { uri: value, loopback: null };
}

/** Validates `oidc.appRedirects` (default `[]`). */
export function resolveAppRedirects(value: unknown): readonly AppRedirect[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail('oidc.appRedirects', "oidc.appRedirects must be an array of redirect URIs, e.g. ['com.example.app:/oauth2redirect'] (default []).");
  return value.map((entry, index) => resolveAppRedirect(entry, `oidc.appRedirects[${index}]`));
}

/**
 * `requested` when it is on the list: equal to an entry, or to a loopback entry but for a port;
 * otherwise `null`. A loopback URI must be written as the parser writes it (no `:80`, no `..`).
 */
export function allowedAppRedirect(requested: string, list: readonly AppRedirect[]): string | null {
  if (requested.length > MAX_LENGTH + 6) return null;
  if (list.some((entry) => entry.loopback === null && entry.uri === requested)) return requested;
  const url = requested.startsWith('http://') ? parsed(requested) : null;
  if (!url || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || requested.includes('#') || !/^[1-9][0-9]{0,4}$/.test(url.port)) return null;
  if (requested !== `http://${url.host}${url.pathname}`) return null;
  const found = list.some((entry) => entry.loopback !== null && entry.loopback.host === url.hostname && entry.loopback.path === url.pathname);
  return found ? requested : null;
}
