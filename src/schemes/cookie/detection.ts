/** `cookie`: the session cookie, by its exact name; the strategy (express-session) reads it. */
import type { SchemeDetection } from '../detection';

export const COOKIE_DETECTION: SchemeDetection = {
  read: ({ headers, cookieName }) => (cookieName !== null && hasCookie(headers.cookie, cookieName) ? true : null),
};

/** True when the Cookie header carries a cookie with exactly this name (other cookies do not count). */
function hasCookie(cookieHeader: string | undefined, name: string): boolean {
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
