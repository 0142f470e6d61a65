/**
 * TOTP (RFC 6238) through the `otpauth` package: SHA-1, 6 digits, 30-second steps — what
 * every authenticator app reads from an `otpauth://` URI. A code is accepted for its own step
 * and one step either side (clock drift, RFC 6238 §5.2), and the step it matched is returned
 * so the caller can refuse that step a second time.
 */
import type { TOTP } from 'otpauth';
import { onFirstUse } from '../on-first-use';

/** otpauth, loaded when a second factor is first used: an instance whose users never enrol one never loads it. */
const otpauth = onFirstUse(() => require('otpauth') as typeof import('otpauth'));

/** Seconds per step. */
const TOTP_PERIOD = 30;
/** Steps accepted either side of now. */
const TOTP_WINDOW = 1;
const DIGITS = 6;

/** A new random 160-bit secret, base32 (RFC 4226 §4 asks for at least 128 bits; 160 is SHA-1's size). */
export function newTotpSecret(): string {
  return new (otpauth().Secret)({ size: 20 }).base32;
}

function totp(secret: string, issuer: string, label: string): TOTP {
  const { Secret, TOTP } = otpauth();
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: DIGITS, period: TOTP_PERIOD, secret: Secret.fromBase32(secret) });
}

/** The `otpauth://totp/…` URI an authenticator app takes (usually as a QR code). */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totp(secret, issuer, label).toString();
}

/** The step (counter) `code` matches at `now` (ms), or `null`. Only six ASCII digits are compared. */
export function matchTotpStep(secret: string, code: string, now: number): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = totp(secret, '', 'x').validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}

/** Until when (ms) a code of step `step` could still be accepted: the end of the window after it. */
export function totpStepAcceptedUntil(step: number): number {
  return (step + TOTP_WINDOW + 1) * TOTP_PERIOD * 1000;
}

/** The code of `secret` at `now` (ms); for tests and examples that play the authenticator app. */
export function totpCode(secret: string, now: number): string {
  return totp(secret, '', 'x').generate({ timestamp: now });
}
