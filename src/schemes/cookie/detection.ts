/** `cookie`: the session cookie, by its exact name; the strategy (express-session) reads it. */
import type { SchemeDetection } from '../detection';

export const COOKIE_DETECTION: SchemeDetection = {
  read: ({ headers, cookieName }) => (cookieName !== null && hasCookie(headers.cookie, cookieName) ? true : null),
};

/**
 * True when the Cookie header carries a cookie with exactly this name (other cookies do not count).
 * One pass over the header, however it is shaped: each search resumes where the last one
 * stopped, so a header of many `;` without `=` (which would make a search for `=` from every
 * `;` quadratic) costs no more than any other of its length.
 */
export function hasCookie(cookieHeader: string | undefined, name: string): boolean {
  if (!cookieHeader) return false;
  const { length } = cookieHeader;
  let start = 0;
  let equals = -1;
  while (start < length) {
    let end = cookieHeader.indexOf(';', start);
    if (end === -1) end = length;
    // The next '=' at or after this pair's start: found again only once this pair has passed the last one.
    if (equals < start) equals = cookieHeader.indexOf('=', start);
    // No '=' in the rest of the header: no pair, and so no cookie, follows.
    if (equals === -1) return false;
    if (equals < end && cookieHeader.slice(start, equals).trim() === name) return true;
    start = end + 1;
  }
  return false;
}
