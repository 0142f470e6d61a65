/**
 * A JSON value sealed with AES-256-GCM under a key derived from the `oidc` secret and a
 * purpose (`'transaction'`, `'app code'`): no one can read or alter it, and a value sealed
 * for one purpose never opens as another. Pure apart from the random IV.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The AES key for `secret` and `purpose`. */
function keyOf(secret: string, purpose: string): Buffer {
  return createHash('sha256').update(`gatehouse oidc ${purpose}\0`).update(secret).digest();
}

/** Seals `value` (JSON) as `iv.ciphertext.tag`, base64url. */
export function sealValue(value: unknown, secret: string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, purpose), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [iv, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

/** The value sealed in `sealed`, or `null` when it is malformed, altered, longer than `maxLength`, or sealed with another key or purpose. */
export function openSealedValue(sealed: unknown, secret: string, purpose: string, maxLength: number): unknown {
  if (typeof sealed !== 'string' || sealed.length > maxLength) return null;
  const parts = sealed.split('.');
  if (parts.length !== 3) return null;
  try {
    const [iv, ciphertext, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret, purpose), iv);
    decipher.setAuthTag(tag);
    return JSON.parse(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
