/**
 * SHA-256 of a string, as the hot paths need it (token checksums, store keys, cache keys).
 * `crypto.hash` (Node ≥ 20.12) computes it in one call, about twice as fast for short input
 * as `createHash().update().digest()`, which older Node 20 releases fall back to.
 */
import * as crypto from 'node:crypto';

type Encoding = 'hex' | 'base64' | 'base64url';

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: Encoding) => string }).hash;

/** The SHA-256 of `text` (UTF-8) in the given encoding. */
export const sha256: (text: string, encoding: Encoding) => string = oneShot
  ? (text, encoding) => oneShot('sha256', text, encoding)
  : (text, encoding) => crypto.createHash('sha256').update(text, 'utf8').digest(encoding);
