/**
 * The session id in a signed session cookie, checked as express-session checks it: the value
 * is `s:` + id + `.` + the id's HMAC-SHA256 under one of the cookie secrets (cookie-signature).
 */
import { unsign } from 'cookie-signature';
import { sha256 } from '../../sha256';

/** Signed values remembered at most; the oldest goes first (about 1 MB when full). */
const MAX_REMEMBERED = 10_000;

/**
 * Reads session ids out of signed cookie values, checking each distinct value's signature once.
 *
 * A browser sends the same cookie on every request, and its signature check (an HMAC object,
 * a digest and a comparison) was the largest part of a cookie request Gatehouse does itself
 * (the cookie rows of `bench/RESULTS.md`, round 8). A value whose signature was found right is remembered by its
 * SHA-256, so the next request with exactly that value costs one digest and a set lookup. What
 * is kept is the digest only: never the value or the session id, which is a bearer secret.
 * The secrets never change for one reader, so a value right once stays right; whether its
 * session still exists is the store's answer on every request, as before. Wrong signatures
 * are never remembered.
 *
 * @example
 * ```ts
 * const ids = new SignedSessionIds(['a-cookie-secret-of-at-least-32-characters']);
 * ids.sessionIdOf('s:abc.<signature>'); // 'abc', or undefined when the signature is wrong
 * ```
 */
export class SignedSessionIds {
  /** SHA-256 (base64) of signed values checked right; a Set iterates in insertion order, so the first is the oldest. */
  private readonly checked = new Set<string>();

  /** @param secrets - the cookie secrets, newest first; a value signed by any of them is accepted. */
  constructor(private readonly secrets: readonly string[]) {}

  /** The session id in a cookie value (`s:`-prefixed and signed), or `undefined` when it is not one or its signature is wrong. */
  sessionIdOf(value: string): string | undefined {
    if (!value.startsWith('s:')) return undefined;
    const signed = value.slice(2);
    const digest = sha256(signed, 'base64');
    if (this.checked.has(digest)) return signed.slice(0, signed.lastIndexOf('.'));
    for (const secret of this.secrets) {
      const sid = unsign(signed, secret);
      if (sid === false) continue;
      if (this.checked.size >= MAX_REMEMBERED) this.checked.delete(this.checked.values().next().value as string);
      this.checked.add(digest);
      return sid;
    }
    return undefined;
  }
}
