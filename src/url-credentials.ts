/**
 * Credentials that travel in URLs: the `/key/{token}` prefix of app-user URLs and the
 * `apikey` / `apiKey` query parameters. Pure string work; the middleware applies it.
 *
 * They are taken off the URL the app sees, and the URL written to logs keeps only a
 * placeholder, because URLs end up in access logs, proxies and browser histories.
 */
import type { UrlCredentials } from './detect';

/** What stands in a redacted URL where a credential was. */
export const REDACTED = 'REDACTED';

const API_KEY_PARAMS: ReadonlySet<string> = new Set(['apikey', 'apiKey']);

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
 * False when `url` cannot carry a URL-borne credential under `config`: no `/key/` prefix
 * (with app-user URLs on) and no query string (with query API keys on). Most requests
 * answer false here, and then nothing needs to be split, decoded or allocated.
 *
 * @example
 * urlMayCarryCredentials('/v1/projects', { appUserUrl: true, apiKeyQuery: true }) // → false
 */
export function urlMayCarryCredentials(url: string, config: UrlCredentialConfig): boolean {
  return (config.appUserUrl && url.startsWith('/key/')) || (config.apiKeyQuery && url.includes('?'));
}

/**
 * Takes `/key/{token}` off the front of the path and `apikey`/`apiKey` out of the query.
 * A present but empty or badly escaped key is reported as `''` so it fails as presented.
 *
 * @example
 * takeCredentialsFromUrl('/key/abc/projects?x=1', { appUserUrl: true, apiKeyQuery: true })
 * // → { urlKey: 'abc', queryApiKeys: [], url: '/projects?x=1', redactedUrl: '/key/REDACTED/projects?x=1' }
 */
export function takeCredentialsFromUrl(url: string, config: UrlCredentialConfig): UrlWithoutCredentials {
  const queryStart = url.indexOf('?');
  let path = queryStart === -1 ? url : url.slice(0, queryStart);
  let redactedPath = path;
  const query = queryStart === -1 ? null : url.slice(queryStart + 1);

  let urlKey: string | null = null;
  if (config.appUserUrl && path.startsWith('/key/')) {
    const tokenEnd = path.indexOf('/', 5);
    const rawToken = tokenEnd === -1 ? path.slice(5) : path.slice(5, tokenEnd);
    const rest = tokenEnd === -1 ? '/' : path.slice(tokenEnd);
    urlKey = decodeComponent(rawToken) ?? '';
    path = rest;
    redactedPath = `/key/${REDACTED}${tokenEnd === -1 ? '' : rest}`;
  }

  const queryApiKeys: string[] = [];
  let keptQuery = query;
  let redactedQuery = query;
  if (config.apiKeyQuery && query !== null && query !== '') {
    const kept: string[] = [];
    const redacted: string[] = [];
    for (const part of query.split('&')) {
      const equals = part.indexOf('=');
      const name = decodeQueryComponent(equals === -1 ? part : part.slice(0, equals));
      if (name !== null && API_KEY_PARAMS.has(name)) {
        queryApiKeys.push(equals === -1 ? '' : (decodeQueryComponent(part.slice(equals + 1)) ?? ''));
        redacted.push(`${part.slice(0, equals === -1 ? part.length : equals)}=${REDACTED}`);
      } else {
        kept.push(part);
        redacted.push(part);
      }
    }
    if (queryApiKeys.length > 0) {
      keptQuery = kept.join('&');
      redactedQuery = redacted.join('&');
    }
  }

  const withQuery = (base: string, q: string | null) => (q === null || (q === '' && queryApiKeys.length > 0) ? base : `${base}?${q}`);
  return {
    urlKey,
    queryApiKeys,
    url: withQuery(path, keptQuery),
    redactedUrl: withQuery(redactedPath, redactedQuery),
  };
}

/** Where the first Gatehouse layer records what it took; shared by every copy of Gatehouse in the process. */
export const URL_CREDENTIALS = Symbol.for('gatehouse.urlCredentials');

/** What a Gatehouse layer already took off this request's URL, if any layer has. */
export function recordedUrlCredentials(req: object): UrlCredentials | undefined {
  return (req as Record<symbol, UrlCredentials | undefined>)[URL_CREDENTIALS];
}
