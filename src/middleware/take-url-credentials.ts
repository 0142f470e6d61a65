/**
 * Applies `takeCredentialsFromUrl` to a request, once: whichever Gatehouse layer sees the
 * request first (the routes router or the authenticate middleware) takes the credentials
 * off, and later layers read what it recorded.
 */
import type { Request, Response } from 'express';
import type { UrlCredentials } from '../url-credentials';
import {
  isBracketedApiKeyParam,
  protohostOf,
  recordedUrlCredentials,
  takeCredentialsFromUrl,
  URL_CREDENTIALS,
  urlMayCarryCredentials,
  type UrlCredentialConfig,
} from '../url-credentials';

const NOTHING_TAKEN: UrlCredentials = Object.freeze({ urlKey: null, urlKeyNearMiss: false, queryApiKeys: Object.freeze([]) as readonly string[] });

/** The URL-borne credentials of this request, taking them off its URL the first time (recorded only when there were some). */
export function takeUrlCredentials(req: Request, res: Response, config: UrlCredentialConfig): UrlCredentials {
  const recorded = recordedUrlCredentials(req);
  if (recorded) return recorded;

  const originalPath = req.url;
  if (!urlMayCarryCredentials(originalPath, config)) return NOTHING_TAKEN;
  const taken = takeCredentialsFromUrl(originalPath, config);
  const found = taken.urlKey !== null || taken.urlKeyNearMiss || taken.queryApiKeys.length > 0;
  // Nothing taken: nothing recorded. Express gives each request its own object shape, so
  // every new property costs microseconds; a later layer simply scans the URL again.
  if (!found) return NOTHING_TAKEN;
  const credentials: UrlCredentials = { urlKey: taken.urlKey, urlKeyNearMiss: taken.urlKeyNearMiss, queryApiKeys: taken.queryApiKeys };
  (req as unknown as Record<symbol, UrlCredentials>)[URL_CREDENTIALS] = credentials;

  req.url = taken.url;
  // originalUrl is what request loggers (morgan) and finalhandler's 404 page print. It holds
  // the mount path that req.url lacks, between an absolute-form target's `http://host` and the rest.
  const original = req.originalUrl;
  const protohost = protohostOf(originalPath);
  const tail = originalPath.slice(protohost.length);
  req.originalUrl = original.endsWith(tail)
    ? original.slice(0, original.length - tail.length) + taken.redactedUrl.slice(protohost.length)
    : taken.redactedUrl;
  scrubQueryObject(req);
  // Never cache a response to a URL that carried a credential, nor leak it as a Referer.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  return credentials;
}

/**
 * Express 4 parses `req.query` once into an own property; Express 5 computes it from
 * `req.url` on each read, so rewriting the URL is enough there. qs files `apikey[]=` under
 * `apikey`; a host's simple parser keeps the name `apikey[]` as it is: both go.
 */
function scrubQueryObject(req: Request): void {
  if (!Object.prototype.hasOwnProperty.call(req, 'query')) return;
  const query = (req as { query?: unknown }).query;
  if (query && typeof query === 'object') {
    for (const name of Object.keys(query)) {
      if (name === 'apikey' || name === 'apiKey' || isBracketedApiKeyParam(name)) delete (query as Record<string, unknown>)[name];
    }
  }
}
