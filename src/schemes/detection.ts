/**
 * How a scheme's credential is found on a request: the part of a scheme definition that
 * detection (`detect.ts`) reads. Pure data and pure functions — no store, no I/O — so
 * deciding "which one credential is tried" costs a header parse and nothing more.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { UrlCredentials } from '../url-credentials';

/** What a reader sees: the headers, the credentials already taken off the URL, the session cookie's name. */
export interface DetectionInput {
  headers: IncomingHttpHeaders;
  urlCredentials: UrlCredentials;
  /** The session cookie's name, when the cookie scheme is on. */
  cookieName: string | null;
  /** The connection (a `TLSSocket` over HTTPS), for schemes that authenticate it (client certificates). */
  socket: Socket | undefined;
}

/**
 * What a reader found: the credential (a string, handed to the strategy), `true` (presented;
 * the strategy reads it itself, as the cookie scheme does), `false` (presented but
 * malformed: refused with 401.2 when chosen) or `null` (not presented).
 */
type ReadResult = string | boolean | null;

/** Where a scheme's credential travels. */
export interface SchemeDetection {
  /**
   * `Authorization: <keyword> <value>`: the keyword, lower case, and the values this scheme
   * takes. Schemes sharing a keyword (`jwt` and `sessionToken` under `bearer`) are asked in
   * `rank` order (default 0, lower first) and the first that accepts the value takes it, so a
   * scheme whose values are a subset of another's (every JWS is an RFC 6750 b64token) ranks
   * first. A value none of them accepts is a malformed credential of their group.
   */
  authorization?: { keyword: string; accepts(value: string): boolean; rank?: number };
  /** Any other place: the URL, a cookie, the connection. */
  read?(input: DetectionInput): ReadResult;
  /**
   * True when `read` looks at something present on every request (the TLS connection, say),
   * so detection may not skip a request that carries no header, URL credential or cookie.
   * Decided per `gatehouse()` instance, over the schemes that are on: a scheme that is off
   * costs nothing. Default `false`.
   */
  readsEveryRequest?: boolean;
}

/**
 * Reads the one credential a strategy takes from the Authorization header when it is used
 * alone (the Gatehouse middleware hands it over instead): the value when the header is of
 * this scheme and well formed, `false` when a header is there but is not, `null` without one.
 *
 * @example
 * readOwnAuthorization('ApiKey abc', API_KEY_DETECTION) // → 'abc'
 */
export function readOwnAuthorization(header: string | undefined, detection: SchemeDetection): string | false | null {
  if (header === undefined || header === '') return null;
  const own = detection.authorization;
  const split = splitAuthorization(header);
  if (!own || !split || split.keyword.toLowerCase() !== own.keyword) return false;
  return own.accepts(split.value) ? split.value : false;
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
export const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Three base64url segments joined by dots (a JWS in compact form; the signature may be empty). */
export const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
