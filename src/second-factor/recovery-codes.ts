/**
 * Recovery codes (README, "Second factor"): ten single-use codes, each 120 random bits written
 * as 24 lower-case base32 characters in six groups (`k7qx-m2pa-w9d4-…`), shown once and stored
 * as SHA-256 hashes. At 112 bits and more a fast hash is enough (OWASP ASVS 5.0 V6.5.2): a
 * stolen table of hashes cannot be searched, and online guessing meets the lockout.
 */
import { randomBytes } from 'node:crypto';
import { sha256 } from '../sha256';

/** How many codes a set has. */
const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // 32 characters: no l, o, 0, 1

/** A new set of codes (to show) and their hashes (to store). */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    // 32 divides 256: each byte's low five bits are a uniform character.
    const chars = [...randomBytes(24)].map((byte) => ALPHABET[byte & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
  return { codes, hashes: codes.map(recoveryCodeHash) };
}

/** The form a code is compared in: lower case, without spaces and dashes; `null` when it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-km-np-z2-9]{24}$/.test(compact) ? compact : null;
}

/** The stored hash of a code (typed with or without dashes, any case). */
export function recoveryCodeHash(code: string): string {
  return sha256(`gatehouse recovery code\n${normalizeRecoveryCode(code) ?? ''}`, 'hex');
}
