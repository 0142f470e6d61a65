/**
 * Recovery codes (README, "Second factor"): ten single-use codes, each 60 random bits written
 * as 12 lower-case base32 characters in three groups (`k7qx-m2pa-w9d4`), shown once and
 * stored as SHA-256 hashes. Their entropy makes a slow hash unnecessary: a stolen table of
 * hashes cannot be searched, and online guessing meets the lockout.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../sha256';

/** How many codes a set has. */
const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // 32 characters: no l, o, 0, 1

/** A new set of codes (to show) and their hashes (to store). */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(12);
    const chars = [...bytes].map((byte) => ALPHABET[byte & 31]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

/** The form a code is compared in: lower case, without spaces and dashes; `null` when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-9]{12}$/.test(compact) ? compact : null;
}

/** The stored hash of a code (typed with or without dashes, any case). */
export function recoveryCodeHash(code: string): string {
  return sha256(`gatehouse recovery code\n${normalizeRecoveryCode(code) ?? ''}`, 'hex');
}
