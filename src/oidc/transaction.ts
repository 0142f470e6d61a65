/**
 * One sign-in through a provider, between the start endpoint and the callback: the `state`,
 * `nonce` and PKCE verifier, sealed (AES-256-GCM: no one can read or alter it) into a
 * short-lived cookie of the browser that started it, so the callback accepts only the
 * browser's own sign-in (login CSRF and code injection defence). Pure apart from the random
 * values; single use is the callback's (a revocation entry in the store).
 */
import { randomBytes } from 'node:crypto';
import { openSealedValue, sealValue } from './sealed-value';

/** Where a native app's sign-in ends (`oidc.appRedirects`, RFC 8252): the app's redirect URI, its PKCE challenge and its own `state`. */
export interface AppReturn {
  /** The app's redirect URI as the app gave it (one of `oidc.appRedirects`; a loopback one with the app's port). */
  redirect: string;
  /** The app's PKCE S256 challenge for the app code (base64url, 43 characters). */
  codeChallenge: string;
  /** The app's own `state`, passed back unchanged, or `null`. */
  state: string | null;
}

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
  /** A native app's sign-in: the callback hands the app a single-use code instead of the credential. Absent or `null` otherwise. */
  app?: AppReturn | null;
}

/** A random value for `state`, `nonce` or a PKCE verifier: 256 bits, base64url. */
export function randomValue(): string {
  return randomBytes(32).toString('base64url');
}

/** Seals a transaction for its cookie. */
export function sealTransaction(transaction: OidcTransaction, secret: string): string {
  return sealValue(transaction, secret, 'transaction');
}

/** The transaction in a cookie value, or `null` when it is malformed, altered, sealed with another key, or older than `ttl`. */
export function openTransaction(value: string | undefined, secret: string, now: number, ttl: number): OidcTransaction | null {
  const transaction = openSealedValue(value, secret, 'transaction', 4096) as OidcTransaction | null;
  if (!transaction || typeof transaction !== 'object' || typeof transaction.startedAt !== 'number' || transaction.startedAt > now || now - transaction.startedAt >= ttl) return null;
  return transaction;
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
