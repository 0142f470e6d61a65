/**
 * Credentials that travel in URLs: the `/key/{token}` prefix of app-user URLs and the
 * `apikey` / `apiKey` query parameters. Pure string work; the middleware applies it.
 *
 * They are taken off the URL the app sees, and the URL written to logs keeps only a
 * placeholder, because URLs end up in access logs, proxies and browser histories.
 */
/** The credentials that travelled in the URL, as taken off it (see {@link takeCredentialsFromUrl}). */
export interface UrlCredentials {
  /** The decoded `/key/{token}` segment; `''` when it was present but empty or badly escaped. */
  urlKey: string | null;
  /** A path that reads as `/key/{token}/…` only when normalised (`/KEY/…`, `//key/…`): refused with 400.1. */
  urlKeyNearMiss: boolean;
  /** Every `apikey` / `apiKey` query value, decoded. */
  queryApiKeys: readonly string[];
}

/** What stands in a redacted URL where a credential was. */
const REDACTED = 'REDACTED';

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const EQUALS = 0x3d;

const API_KEY_PARAMS: ReadonlySet<string> = new Set(['apikey', 'apiKey']);
const SHORTEST_API_KEY_PARAM = 'apikey'.length;

/**
 * `apikey[…]` / `apiKey[…]`: the names a bracket-reading query parser (Express 4's default,
 * qs) turns into `req.query.apikey`, as a list or an object. The key is then in the query
 * the app and its logger see, so such a name is a presented key, taken off like
 * `apikey=`, and malformed (a list or object is no key): refused, never tried.
 */
export function isBracketedApiKeyParam(name: string): boolean {
  return name.length > SHORTEST_API_KEY_PARAM && name.charCodeAt(SHORTEST_API_KEY_PARAM) === 0x5b && API_KEY_PARAMS.has(name.slice(0, SHORTEST_API_KEY_PARAM));
}

/** The result of taking credentials off one URL. */
export interface UrlWithoutCredentials extends UrlCredentials {
  /** The URL with the credentials removed: what the app's routes see. */
  url: string;
  /** The URL with each credential replaced by {@link REDACTED}: what loggers see. */
  redactedUrl: string;
}

/** Which URL-borne credentials are in use. */
export interface UrlCredentialConfig {
  appUserUrl: boolean;
  apiKeyQuery: boolean;
}

function decodeComponent(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null; // a malformed escape such as %zz or a lone surrogate
  }
}

function decodeQueryComponent(raw: string): string | null {
  return decodeComponent(raw.replace(/\+/g, ' '));
}

/**
 * `scheme://authority` at the front of an absolute-form request target (`GET http://host/v1/…`,
 * RFC 9112 §3.2.2), found the way Express's router finds it; `''` for the usual origin form.
 */
export function protohostOf(target: string): string {
  if (target.length === 0 || target.charCodeAt(0) === SLASH) return '';
  const queryStart = target.indexOf('?');
  const beforeQuery = queryStart === -1 ? target : target.slice(0, queryStart);
  const schemeEnd = beforeQuery.indexOf('://');
  if (schemeEnd === -1) return '';
  const pathStart = beforeQuery.indexOf('/', schemeEnd + 3);
  return pathStart === -1 ? '' : beforeQuery.slice(0, pathStart);
}

/**
 * The second character of a path that some client, proxy or decoder could turn into
 * `/key/…` without a dot segment, escape or backslash further on: an empty segment (`//`),
 * a backslash, a dot segment, a percent-escape, or the letter k in either case.
 */
const MAY_START_KEY = new Uint8Array(128);
for (const char of '/\\.%kK') MAY_START_KEY[char.charCodeAt(0)] = 1;
/** Levels of percent-encoding undone when looking for a near miss (`%256B` is a double-encoded `k`). */
const DECODING_ROUNDS = 3;

/** The value of a hex digit's char code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * `text` with every escape of an ASCII character (`%00`–`%7F`, either case) decoded and
 * every other character as it is. One pass, built by concatenation: no array of pieces,
 * whose cost grows faster than the text on a path made of nothing but escapes.
 */
function decodeAsciiEscapes(text: string): string {
  let decoded = '';
  let copiedTo = 0;
  let at = text.indexOf('%');
  while (at !== -1 && at + 2 < text.length) {
    const high = hexValue(text.charCodeAt(at + 1));
    const low = hexValue(text.charCodeAt(at + 2));
    if (high >= 0 && high <= 7 && low >= 0) {
      decoded += text.slice(copiedTo, at) + String.fromCharCode(high * 16 + low);
      copiedTo = at + 3;
      at = text.indexOf('%', copiedTo);
    } else {
      at = text.indexOf('%', at + 1);
    }
  }
  return copiedTo === 0 ? text : decoded + text.slice(copiedTo);
}

/** False when no normalisation of `path` can start with `/key/`: the cheap test both scans share. */
function mayNormaliseToKey(path: string): boolean {
  const second = path.charCodeAt(1);
  if (path.charCodeAt(0) !== SLASH) return true;
  if (second < 128 && MAY_START_KEY[second] === 1) return true;
  // A dot-dot segment further on (`/x/../key/…`), or one hidden in an escape or a backslash.
  return path.includes('/.') || path.includes('%') || path.includes('\\');
}

/**
 * True when a path under the mount point is not `/key/{token}…` as written but becomes
 * that for a lenient reader: empty, `.` or `..` segments, `key` in another case or
 * percent-encoded (up to three times), or `/` and `\` sent as `%2F` and `%5C`.
 * Such URLs are refused (README, "Credentials in URLs"): each reader of a URL normalises
 * differently, so no form of them is safe to route, and none of them may reach a log.
 */
export function isNearMissKeyPath(path: string): boolean {
  if (path.charCodeAt(0) !== SLASH || !mayNormaliseToKey(path)) return false;
  let normal = path;
  for (let round = 0; round < DECODING_ROUNDS && normal.includes('%'); round += 1) {
    const decoded = decodeAsciiEscapes(normal);
    if (decoded === normal) break;
    normal = decoded;
  }
  // RFC 3986 §5.2.4 dot-segment removal, with empty segments merged as proxies do: a near
  // miss is any path some prefix of which reads as /key/{token}. Only how deep the walk is
  // and whether the segment on top is `key` matter, so segments are read in place (no
  // array of them: its cost grows faster than the path on a path of a thousand `/.`), and a
  // stack of one byte per kept segment, sized once, remembers which were `key` for when `..`
  // climbs back.
  const keyBelow = new Uint8Array((normal.length >> 1) + 2);
  let depth = 0;
  // A `..` above the mount point (`/v1/../v1/key/…`) leaves it: the mount path may come back.
  let leftMount = false;
  const { length } = normal;
  let start = 0;
  while (start <= length) {
    let end = start;
    while (end < length && normal.charCodeAt(end) !== SLASH && normal.charCodeAt(end) !== BACKSLASH) end += 1;
    const size = end - start;
    const dot = size > 0 && normal.charCodeAt(start) === DOT;
    if (size === 0 || (size === 1 && dot)) {
      // an empty or `.` segment: nothing kept
    } else if (size === 2 && dot && normal.charCodeAt(start + 1) === DOT) {
      if (depth === 0) leftMount = true;
      else depth -= 1;
    } else {
      if ((depth === 1 || leftMount) && depth > 0 && keyBelow[depth - 1] === 1) return true;
      keyBelow[depth] = size === 3 && normal.slice(start, end).toLowerCase() === 'key' ? 1 : 0;
      depth += 1;
    }
    start = end + 1;
  }
  return false;
}

/**
 * False when `url` cannot carry a URL-borne credential under `config`: nothing that is or
 * could become a `/key/` prefix (with app-user URLs on) and no query string (with query API
 * keys on). Most requests answer false here, and then nothing needs to be split, decoded
 * or allocated: two characters are read and the URL is searched for `?`, `%`, `/.` and `\`.
 *
 * @example
 * urlMayCarryCredentials('/v1/projects', { appUserUrl: true, apiKeyQuery: true }) // → false
 */
export function urlMayCarryCredentials(url: string, config: UrlCredentialConfig): boolean {
  if (config.apiKeyQuery && url.includes('?')) return true;
  // Absolute-form targets (`http://host/…`) and anything else not starting with '/' take the full scan.
  return config.appUserUrl && mayNormaliseToKey(url);
}

/**
 * Takes `/key/{token}` off the front of the path and `apikey`/`apiKey` (and their bracketed
 * forms, {@link isBracketedApiKeyParam}) out of the query. A present but empty or badly
 * escaped key, or one under a bracketed name, is reported as `''` so it fails as presented.
 *
 * @example
 * takeCredentialsFromUrl('/key/abc/projects?x=1', { appUserUrl: true, apiKeyQuery: true })
 * // → { urlKey: 'abc', urlKeyNearMiss: false, queryApiKeys: [], url: '/projects?x=1', redactedUrl: '/key/REDACTED/projects?x=1' }
 */
export function takeCredentialsFromUrl(url: string, config: UrlCredentialConfig): UrlWithoutCredentials {
  const queryStart = url.indexOf('?');
  const target = queryStart === -1 ? url : url.slice(0, queryStart);
  // Express's router keeps an absolute-form target's `http://host` in front of the mounted path.
  const protohost = config.appUserUrl ? protohostOf(target) : '';
  let path = protohost === '' ? target : target.slice(protohost.length);
  let redactedPath = path;
  const query = queryStart === -1 ? null : url.slice(queryStart + 1);

  let urlKey: string | null = null;
  let urlKeyNearMiss = false;
  if (config.appUserUrl && path.startsWith('/key/')) {
    const tokenEnd = path.indexOf('/', 5);
    const rawToken = tokenEnd === -1 ? path.slice(5) : path.slice(5, tokenEnd);
    const rest = tokenEnd === -1 ? '/' : path.slice(tokenEnd);
    urlKey = decodeComponent(rawToken) ?? '';
    path = rest;
    redactedPath = `/key/${REDACTED}${tokenEnd === -1 ? '' : rest}`;
  } else if (config.appUserUrl && isNearMissKeyPath(path)) {
    // Where the key ends depends on how the path is read; the whole path goes, and the request is refused.
    urlKeyNearMiss = true;
    path = redactedPath = `/key/${REDACTED}`;
  }

  const queryApiKeys: string[] = [];
  let keptQuery = query;
  let redactedQuery = query;
  if (config.apiKeyQuery && query !== null && query !== '') {
    // One pass over the query, building the two strings as it goes: no array of its parts,
    // whose cost grows faster than the query on one made of thousands of `&`.
    let kept = '';
    let keptParts = 0;
    let redacted = '';
    const { length } = query;
    for (let start = 0; start <= length; ) {
      let end = query.indexOf('&', start);
      if (end === -1) end = length;
      let equals = start;
      while (equals < end && query.charCodeAt(equals) !== EQUALS) equals += 1;
      const part = query.slice(start, end);
      const rawName = query.slice(start, equals);
      // Decoding never lengthens a name: a shorter one cannot be `apikey`, and is not decoded.
      const name = rawName.length >= SHORTEST_API_KEY_PARAM ? decodeQueryComponent(rawName) : null;
      if (name !== null && (API_KEY_PARAMS.has(name) || isBracketedApiKeyParam(name))) {
        // '' is a presented, malformed key: an empty value, a bad escape or a bracketed name.
        queryApiKeys.push(equals === end || name.length !== SHORTEST_API_KEY_PARAM ? '' : (decodeQueryComponent(query.slice(equals + 1, end)) ?? ''));
        redacted += `${start === 0 ? '' : '&'}${rawName}=${REDACTED}`;
      } else {
        kept += keptParts === 0 ? part : `&${part}`;
        keptParts += 1;
        redacted += start === 0 ? part : `&${part}`;
      }
      start = end + 1;
    }
    if (queryApiKeys.length > 0) {
      keptQuery = kept;
      redactedQuery = redacted;
    }
  }

  const withQuery = (base: string, q: string | null) => (q === null || (q === '' && queryApiKeys.length > 0) ? base : `${base}?${q}`);
  return {
    urlKey,
    urlKeyNearMiss,
    queryApiKeys,
    url: withQuery(protohost + path, keptQuery),
    redactedUrl: withQuery(protohost + redactedPath, redactedQuery),
  };
}

/**
 * `url` with every path segment that decodes to `decoded` replaced by {@link REDACTED}: a
 * secret taken from a path parameter (`DELETE /sessions/:token`), which Express decodes,
 * leaves the URL a logger prints whatever the client's encoding of it (one character
 * escaped, all of them, either case of hex, or escaped twice). Segments are compared after
 * decoding, as Express compares them, and replaced as they were sent. One pass over the URL;
 * a segment shorter than `decoded` is not decoded (decoding never lengthens a segment).
 *
 * @example
 * redactPathSegment('/v1/sessions/%67ths_abc?x=1', 'gths_abc') // → '/v1/sessions/REDACTED?x=1'
 */
export function redactPathSegment(url: string, decoded: string): string {
  if (decoded === '') return url;
  const queryStart = url.indexOf('?');
  const pathEnd = queryStart === -1 ? url.length : queryStart;
  let redacted = '';
  let copiedTo = 0;
  for (let start = 0; start <= pathEnd; ) {
    let end = url.indexOf('/', start);
    if (end === -1 || end > pathEnd) end = pathEnd;
    if (end - start >= decoded.length) {
      const segment = url.slice(start, end);
      if (segment === decoded || decodeComponent(segment) === decoded) {
        redacted += url.slice(copiedTo, start) + REDACTED;
        copiedTo = end;
      }
    }
    start = end + 1;
  }
  return copiedTo === 0 ? url : redacted + url.slice(copiedTo);
}

/** Where the first Gatehouse layer records what it took; shared by every copy of Gatehouse in the process. */
export const URL_CREDENTIALS = Symbol.for('gatehouse.urlCredentials');

/** What a Gatehouse layer already took off this request's URL, if any layer has. */
export function recordedUrlCredentials(req: object): UrlCredentials | undefined {
  return (req as Record<symbol, UrlCredentials | undefined>)[URL_CREDENTIALS];
}
