/**
 * Which credentials a request presents, in precedence order (README, "Precedence: exactly one credential is tried").
 *
 * Pure and synchronous: it reads only what it is handed (headers and the URL-borne
 * credentials already taken off the URL) and never touches a store, so the decision
 * "which one credential is tried" costs a header parse and nothing more.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The groups `options.precedence` orders; `bearer` covers both `jwt` and `sessionToken`. */
export type SchemeGroup = 'appUserUrl' | 'bearer' | 'apiKey' | 'basic' | 'cookie';

/** Every group, in the default order. */
export const DEFAULT_PRECEDENCE: readonly SchemeGroup[] = ['appUserUrl', 'bearer', 'apiKey', 'basic', 'cookie'];

/** One credential the request presents. `malformed` ones fail with 401.2 when chosen. */
export type PresentedCredential =
  | { scheme: 'appUserUrl'; token: string }
  | { scheme: 'sessionToken'; token: string }
  | { scheme: 'jwt'; token: string }
  | { scheme: 'apiKey'; key: string; source: 'header' | 'query' }
  | { scheme: 'basic'; encoded: string }
  | { scheme: 'cookie' }
  | { scheme: 'malformed'; group: SchemeGroup };

/** The credentials that travelled in the URL, as taken off it (see `url-credentials.ts`). */
export interface UrlCredentials {
  /** The decoded `/key/{token}` segment; `''` when it was present but empty or badly escaped. */
  urlKey: string | null;
  /** A path that reads as `/key/{token}/…` only when normalised (`/KEY/…`, `//key/…`): refused with 400.1. */
  urlKeyNearMiss: boolean;
  /** Every `apikey` / `apiKey` query value, decoded. */
  queryApiKeys: readonly string[];
}

/** What detection needs to know about the configuration. */
export interface DetectionConfig {
  /** Enabled groups in precedence order (disabled ones left out). */
  precedence: readonly SchemeGroup[];
  /** The same groups as a set, built once. */
  enabled: ReadonlySet<SchemeGroup>;
  /** Session cookie name, when the cookie scheme is on. */
  cookieName: string | null;
}

/** RFC 7230 tchar, by char code (ASCII only). */
const TOKEN_CHAR = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHAR[char.charCodeAt(0)] = 1;

const isSpaceOrTab = (code: number) => code === 0x20 || code === 0x09;

/**
 * Splits an Authorization header into its RFC 7235 auth-scheme (a token) and what follows
 * it, without spaces or tabs around that; `null` when the header is not of that form (no
 * scheme, a character that is no tchar in it, or a line break anywhere). One pass over the
 * header: JWTs make this the longest header most APIs parse.
 *
 * @example
 * splitAuthorization('Bearer abc ') // → { keyword: 'Bearer', value: 'abc' }
 */
export function splitAuthorization(header: string): { keyword: string; value: string } | null {
  const { length } = header;
  let keywordEnd = 0;
  while (keywordEnd < length) {
    const code = header.charCodeAt(keywordEnd);
    if (code >= 128 || TOKEN_CHAR[code] === 0) break;
    keywordEnd += 1;
  }
  if (keywordEnd === 0) return null;
  let valueStart = keywordEnd;
  while (valueStart < length && isSpaceOrTab(header.charCodeAt(valueStart))) valueStart += 1;
  // The scheme must end at a space, a tab or the end of the header.
  if (valueStart === keywordEnd && keywordEnd < length) return null;
  let valueEnd = length;
  while (valueEnd > valueStart && isSpaceOrTab(header.charCodeAt(valueEnd - 1))) valueEnd -= 1;
  const value = header.slice(valueStart, valueEnd);
  if (value.includes('\n') || value.includes('\r') || value.includes('\u2028') || value.includes('\u2029')) return null;
  return { keyword: header.slice(0, keywordEnd), value };
}

/** RFC 6750 b64token. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Three base64url segments joined by dots (a JWS in compact form; the signature may be empty). */
const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** API keys: printable ASCII without spaces, a sane length. */
const API_KEY_SHAPE = /^[\x21-\x7e]{1,512}$/;

/** Reads the Authorization header into the credential it presents, or `null` when absent. */
export function credentialFromAuthorization(
  header: string | undefined,
  enabled: ReadonlySet<SchemeGroup>,
): PresentedCredential | null {
  if (header === undefined || header === '') return null;
  const split = splitAuthorization(header);
  const keyword = split ? split.keyword.toLowerCase() : '';
  const value = split ? split.value : '';
  if (keyword === 'bearer' && enabled.has('bearer')) {
    if (!TOKEN68.test(value)) return { scheme: 'malformed', group: 'bearer' };
    return JWS_SHAPE.test(value) ? { scheme: 'jwt', token: value } : { scheme: 'sessionToken', token: value };
  }
  if (keyword === 'apikey' && enabled.has('apiKey')) {
    return API_KEY_SHAPE.test(value) ? { scheme: 'apiKey', key: value, source: 'header' } : { scheme: 'malformed', group: 'apiKey' };
  }
  if (keyword === 'basic' && enabled.has('basic')) {
    return { scheme: 'basic', encoded: value };
  }
  // Any other scheme (Digest, Token, garbage, or one turned off) is presented and fails:
  // silently ignoring it would let a request the client meant to authenticate run anonymous.
  return { scheme: 'malformed', group: firstHeaderGroup(enabled) };
}

function firstHeaderGroup(enabled: ReadonlySet<SchemeGroup>): SchemeGroup {
  for (const group of DEFAULT_PRECEDENCE) {
    if (group !== 'appUserUrl' && group !== 'cookie' && enabled.has(group)) return group;
  }
  return 'bearer';
}

/**
 * True when the request carried more than one Authorization header. Node keeps the first
 * in `req.headers` and drops the rest, so which one the client (or a proxy that added one)
 * meant cannot be known; reading only the first would let a valid header vouch for a bad one.
 * Callers ask only when `req.headers.authorization` is set: without one there is nothing to count.
 */
export function hasRepeatedAuthorization(rawHeaders: readonly string[] | undefined): boolean {
  if (!rawHeaders) return false;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    // 13 = 'authorization'.length: most names are ruled out without lower-casing.
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) return true;
  }
  return false;
}

/** True when the Cookie header carries a cookie with exactly this name (other cookies do not count). */
export function hasCookie(cookieHeader: string | undefined, name: string): boolean {
  if (!cookieHeader) return false;
  let start = 0;
  while (start < cookieHeader.length) {
    let end = cookieHeader.indexOf(';', start);
    if (end === -1) end = cookieHeader.length;
    const equals = cookieHeader.indexOf('=', start);
    if (equals !== -1 && equals < end && cookieHeader.slice(start, equals).trim() === name) return true;
    start = end + 1;
  }
  return false;
}

/**
 * Every credential presented, in precedence order. The middleware tries only the first
 * (or refuses them all with 400.2 in `'reject'` mode when there is more than one).
 */
export function detectCredentials(
  headers: IncomingHttpHeaders,
  urlCredentials: UrlCredentials,
  config: DetectionConfig,
): PresentedCredential[] {
  // Most anonymous requests carry none of these: nothing to allocate or order.
  if (headers.authorization === undefined && urlCredentials.urlKey === null && urlCredentials.queryApiKeys.length === 0 && (config.cookieName === null || headers.cookie === undefined)) {
    return [];
  }
  const { enabled } = config;
  const byGroup = new Map<SchemeGroup, PresentedCredential[]>();
  const add = (group: SchemeGroup, credential: PresentedCredential) => {
    const list = byGroup.get(group);
    if (list) list.push(credential);
    else byGroup.set(group, [credential]);
  };

  if (urlCredentials.urlKey !== null && enabled.has('appUserUrl')) {
    add(
      'appUserUrl',
      urlCredentials.urlKey === '' ? { scheme: 'malformed', group: 'appUserUrl' } : { scheme: 'appUserUrl', token: urlCredentials.urlKey },
    );
  }
  const fromHeader = credentialFromAuthorization(headers.authorization, enabled);
  if (fromHeader) add(groupOf(fromHeader), fromHeader);
  if (urlCredentials.queryApiKeys.length > 0 && enabled.has('apiKey')) {
    const [key] = urlCredentials.queryApiKeys;
    // Two query keys are ambiguous; refuse rather than guess which one the client meant.
    add(
      'apiKey',
      urlCredentials.queryApiKeys.length === 1 && API_KEY_SHAPE.test(key)
        ? { scheme: 'apiKey', key, source: 'query' }
        : { scheme: 'malformed', group: 'apiKey' },
    );
  }
  if (config.cookieName !== null && enabled.has('cookie') && hasCookie(headers.cookie, config.cookieName)) {
    add('cookie', { scheme: 'cookie' });
  }

  const ordered: PresentedCredential[] = [];
  for (const group of config.precedence) {
    const list = byGroup.get(group);
    if (list) ordered.push(...list);
  }
  return ordered;
}

/** The precedence group a credential belongs to. */
export function groupOf(credential: PresentedCredential): SchemeGroup {
  switch (credential.scheme) {
    case 'jwt':
    case 'sessionToken':
      return 'bearer';
    case 'malformed':
      return credential.group;
    default:
      return credential.scheme;
  }
}
