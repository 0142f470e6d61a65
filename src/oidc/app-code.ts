/**
 * The single-use code a native app's sign-in ends with (`oidc.appRedirects`, RFC 8252): the
 * callback seals what it proved (AES-256-GCM under the `oidc` secret, as the transaction is)
 * and sends the app to its redirect URI with it; the app trades it, with the PKCE verifier
 * behind its challenge, at `POST {oidc}/token` within {@link APP_CODE_TTL}. The store holds
 * nothing but its single use. Pure apart from the random values.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../sha256';
import type { IdentityProviderSession } from '../tokens/provider-sessions';
import { openSealedValue, sealValue } from './sealed-value';

/** How long an app code may be traded, in ms: 60 seconds. */
export const APP_CODE_TTL = 60_000;

/**
 * How far in this instance's future a code's `issuedAt` may lie (ms): the code may be traded on
 * another instance than the one whose callback made it, and their clocks differ a little.
 */
export const APP_CODE_CLOCK_SKEW = 5_000;

/** The purpose the code is sealed for (never opens as a transaction, nor a transaction as a code). */
const PURPOSE = 'app code';

/** What an app code holds. */
export interface AppCode {
  /** Random id: the key of its single-use entry. */
  id: string;
  /** The provider's name in `oidc.providers`. */
  provider: string;
  /** The actor the identity signs in as. */
  actorId: string;
  /** When the actor proved itself at the provider (ms). */
  provenAt: number;
  /** How it proved itself (the ID token's `amr`, or `['ext']`). */
  amr: string[];
  /** The provider's session, kept on the credential issued. */
  identityProvider: IdentityProviderSession;
  /** The provider's subject (`sub`): a back-channel logout that names only the subject ends the code too. */
  subject: string;
  /** What the trade hands out. */
  credentials: 'token' | 'jwt';
  /** The app's PKCE S256 challenge. */
  codeChallenge: string;
  /** When the callback made it (ms). */
  issuedAt: number;
}

/** A PKCE S256 challenge: base64url of a SHA-256, 43 characters (RFC 7636 §4.2). */
export const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** A PKCE verifier (RFC 7636 §4.1). */
export const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** The longest code taken (a sealed code is far shorter). */
export const MAX_APP_CODE_LENGTH = 4096;

/** A fresh code id. */
export function appCodeId(): string {
  return randomBytes(16).toString('base64url');
}

/** Seals an app code. */
export function sealAppCode(code: AppCode, secret: string): string {
  return sealValue(code, secret, PURPOSE);
}

/** The code in `value`, or `null` when it is malformed, altered, sealed with another key or for another purpose, or older than {@link APP_CODE_TTL}. */
export function openAppCode(value: string, secret: string, now: number): AppCode | null {
  const code = openSealedValue(value, secret, PURPOSE, MAX_APP_CODE_LENGTH) as Partial<AppCode> | null;
  if (!code || typeof code !== 'object' || typeof code.issuedAt !== 'number' || code.issuedAt > now + APP_CODE_CLOCK_SKEW || now - code.issuedAt >= APP_CODE_TTL) return null;
  if (typeof code.id !== 'string' || typeof code.actorId !== 'string' || typeof code.codeChallenge !== 'string' || typeof code.provider !== 'string' || typeof code.subject !== 'string') return null;
  return code as AppCode;
}

/** Whether `verifier` is the one behind `challenge`: S256, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(sha256(verifier, 'base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
