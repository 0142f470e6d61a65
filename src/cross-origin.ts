/**
 * Cross-origin protection for cookie-authenticated unsafe requests, after Go 1.25's
 * net/http CrossOriginProtection: browsers say where a request comes from
 * (`Sec-Fetch-Site`, or at least `Origin`), so a forged cross-site form post can be told
 * apart without a token; the session's CSRF token is accepted as well, for clients that
 * send neither header. Pure: no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What the decision reads from a request. */
export interface CrossOriginRequest {
  /** The HTTP method; safe methods (GET, HEAD, OPTIONS) are never refused. */
  method: string;
  /** `Sec-Fetch-Site` as sent (`'same-origin'`, `'cross-site'`, …). */
  secFetchSite: string | undefined;
  /** `Origin` as sent. */
  origin: string | undefined;
  /** `Host` as sent, compared with the origin's host when `Sec-Fetch-Site` is absent. */
  host: string | undefined;
  /** `X-CSRF-Token` as sent. */
  csrfToken: string | undefined;
}

/** What the decision compares against. */
export interface CrossOriginPolicy {
  /** Origins (`scheme://host[:port]`) always allowed. */
  trustedOrigins: ReadonlySet<string>;
  /** The session's CSRF token. */
  sessionCsrfToken: string | undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads what the decision needs from a request's method and headers. */
export function crossOriginRequestOf(method: string, headers: IncomingHttpHeaders): CrossOriginRequest {
  return {
    method,
    secFetchSite: single(headers['sec-fetch-site']),
    origin: single(headers.origin),
    host: single(headers.host),
    csrfToken: single(headers['x-csrf-token']),
  };
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Equal-length digests, so the comparison takes the same time whatever the inputs. */
function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** True when the request may go on; false answers 403.4. */
export function isCrossOriginAllowed(request: CrossOriginRequest, policy: CrossOriginPolicy): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return true;
  if (request.csrfToken && policy.sessionCsrfToken && sameSecret(request.csrfToken, policy.sessionCsrfToken)) return true;
  if (request.origin && policy.trustedOrigins.has(request.origin)) return true;
  // An empty header is no statement from the browser: treated as absent, as Go does.
  if (request.secFetchSite !== undefined && request.secFetchSite !== '') {
    // 'none' is a user action (typed URL, bookmark); 'same-site' is another origin of the same site: refused.
    return request.secFetchSite === 'same-origin' || request.secFetchSite === 'none';
  }
  // Without Sec-Fetch-Site and without Origin the request is not from a browser form or fetch.
  if (request.origin === undefined) return true;
  return request.host !== undefined && hostOf(request.origin) === request.host.toLowerCase();
}
