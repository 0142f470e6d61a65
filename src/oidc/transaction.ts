/**
 * One sign-in through a provider, between the start endpoint and the callback: the `state`,
 * `nonce` and PKCE verifier, sealed (AES-256-GCM: no one can read or alter it) into a
 * short-lived cookie of the browser that started it, so the callback accepts only the
 * browser's own sign-in (login CSRF and code injection defence). Pure apart from the random
 * values; single use is the callback's (a revocation entry in the store).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** What a transaction remembers. */
export interface OidcTransaction {
  /** Random id: the key of its single-use entry. */
  id: string;
  /** The provider's name. */
  provider: string;
  /** The `state` sent to the provider. */
  state: string;
  /** The `nonce` sent to the provider, which the ID token must carry. */
  nonce: string;
  /** The PKCE code verifier (S256); the provider saw only its hash. */
  codeVerifier: string;
  /** Where the browser goes after a cookie sign-in: a same-origin path. */
  returnTo: string;
  /** What the sign-in hands out: `'cookie'`, `'token'`, `'token+cookie'` or `'jwt'`. */
  credentials: 'cookie' | 'token' | 'token+cookie' | 'jwt';
  /** Set when a signed-in actor links this identity to itself. */
  linkActorId: string | null;
  /** When the sign-in started (ms). */
  startedAt: number;
}

/** A random value for `state`, `nonce` or a PKCE verifier: 256 bits, base64url. */
export function randomValue(): string {
  return randomBytes(32).toString('base64url');
}

/** The AES key for `secret`. */
function keyOf(secret: string): Buffer {
  return createHash('sha256').update('gatehouse oidc transaction\0').update(secret).digest();
}

/** Seals a transaction for its cookie. */
export function sealTransaction(transaction: OidcTransaction, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(transaction), 'utf8'), cipher.final()]);
  return [iv, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

/** The transaction in a cookie value, or `null` when it is malformed, altered, sealed with another key, or older than `ttl`. */
export function openTransaction(value: string | undefined, secret: string, now: number, ttl: number): OidcTransaction | null {
  if (typeof value !== 'string' || value.length > 4096) return null;
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  try {
    const [iv, sealed, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), iv);
    decipher.setAuthTag(tag);
    const transaction = JSON.parse(Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8')) as OidcTransaction;
    if (typeof transaction.startedAt !== 'number' || transaction.startedAt > now || now - transaction.startedAt >= ttl) return null;
    return transaction;
  } catch {
    return null;
  }
}

/**
 * `returnTo` when it is a path on this origin (`/…`, not `//…` or `/\…`, which browsers
 * read as another host, and without control characters); otherwise `null` (no open redirect).
 */
export function sameOriginPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (/[\x00-\x20\x7f\\]/.test(value)) return null;
  // What a browser would make of it, resolved against a placeholder origin, must stay there.
  try {
    const resolved = new URL(value, 'https://gatehouse.invalid');
    return resolved.origin === 'https://gatehouse.invalid' ? value : null;
  } catch {
    return null;
  }
}

/** The transaction cookie's name: `__Host-` prefixed when it is Secure. */
export function transactionCookieName(secure: boolean): string {
  return secure ? '__Host-gatehouse-oidc' : 'gatehouse-oidc';
}
