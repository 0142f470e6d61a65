/**
 * The sign-in transaction's cookie (`oidc/transaction.ts` seals what it holds): set by the
 * start endpoint, read once and cleared by the callback. HttpOnly, `SameSite=Lax` (the
 * provider sends the browser back with a top-level GET), Secure and `__Host-` prefixed unless
 * the request is plain HTTP on an instance whose cookies are not Secure.
 */
import type { Request, Response } from 'express';
import { parse as parseCookieHeader, serialize } from 'cookie';
import { isSecureRequest } from '../request-secure';
import { transactionCookieName } from '../oidc/transaction';
import type { EndpointContext } from './endpoint';

/** Whether the transaction cookie is Secure: as the session cookie is, or as the request is without one. */
function secureCookie(context: EndpointContext, req: Request): boolean {
  return context.cookieSessions ? context.cookieSessions.options.secure : isSecureRequest(req);
}

/** Sets the sealed transaction for `ttl` ms. */
export function setTransactionCookie(context: EndpointContext, req: Request, res: Response, sealed: string, ttl: number): void {
  const secure = secureCookie(context, req);
  res.append('Set-Cookie', serialize(transactionCookieName(secure), sealed, { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: Math.floor(ttl / 1000) }));
}

/** The sealed transaction the browser sent, and clears it: a transaction is read once. */
export function takeTransactionCookie(context: EndpointContext, req: Request, res: Response): string | undefined {
  const secure = secureCookie(context, req);
  const name = transactionCookieName(secure);
  const value = parseCookieHeader(req.headers.cookie ?? '')[name];
  if (value !== undefined) res.append('Set-Cookie', serialize(name, '', { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: 0 }));
  return value;
}
