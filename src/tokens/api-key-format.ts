/**
 * The format of API keys Gatehouse issues (`auth.tokens.create`, `tokens.issue({ kind: 'apiKey' })`,
 * `npx express-gatehouse keygen`): a prefix, 43 random base62 characters (256 bits from the
 * CSPRNG) and 6 base62 characters of CRC32 over the two.
 *
 * ```
 * sk_live_ 3XbZ0q…(43 characters)…Kp 0fT4aZ
 * prefix   random part                checksum
 * ```
 *
 * The prefix makes a leaked key recognisable (GitHub secret scanning, gitleaks: the pattern is
 * {@link apiKeyPattern}); the checksum lets a mistyped or truncated key be refused before any
 * store access. Neither is a secret: the 256 random bits are. Base62 has no `-` or `_`, so the
 * random part and checksum select as one word and the key's last `_` ends its prefix.
 * Pure: no I/O, no clock.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { TokenKind } from '../actor';
import { fail } from '../config-error';
import { parseTokenKind } from './format';

/** The prefix when `apiKeyPolicy.prefix` is not given. */
export const DEFAULT_API_KEY_PREFIX = 'gthkey_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^43 > 2^256: 43 base62 characters hold 256 random bits. */
const RANDOM_LENGTH = 43;
/** 62^6 > 2^32: 6 base62 characters hold a CRC32. */
const CHECKSUM_LENGTH = 6;
/** How many characters after the prefix `start` shows. */
const START_LENGTH = 4;

/**
 * What a prefix may be: lower-case letters and digits in up to four parts, each ending in `_`
 * (`sk_`, `sk_live_`, `acme_test_`), at most 32 characters. The final `_` is what lets the key's
 * last underscore mark where the random part begins.
 */
const API_KEY_PREFIX_SHAPE = /^[a-z][a-z0-9]{0,15}_(?:[a-z0-9]{1,16}_){0,3}$/;
const MAX_PREFIX_LENGTH = 32;
const PREFIX_RULE = "the prefix must be lower-case letters and digits in up to four parts, each ending in '_' (such as 'sk_live_'), at most 32 characters.";

/** Any key of this format, whatever its prefix: prefix, then 49 base62 characters. */
const KEY_SHAPE = /^([a-z][a-z0-9]{0,15}_(?:[a-z0-9]{1,16}_){0,3})([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** Whether `prefix` is one {@link generateApiKey} takes. */
export function isApiKeyPrefix(prefix: unknown): prefix is string {
  return typeof prefix === 'string' && prefix.length <= MAX_PREFIX_LENGTH && API_KEY_PREFIX_SHAPE.test(prefix);
}

function base62Checksum(prefixAndRandom: string): string {
  let value = crc32(prefixAndRandom);
  let encoded = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    encoded = BASE62[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}

/** 43 uniformly random base62 characters: bytes of 248 and above are drawn again, so `% 62` has no bias. */
function randomBase62(): string {
  let out = '';
  while (out.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && out.length < RANDOM_LENGTH) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * A new API key with this prefix (lower-case letters and digits in up to four parts, each ending in `_`; a `GatehouseConfigError` otherwise).
 *
 * @example
 * ```ts
 * generateApiKey('sk_live_'); // 'sk_live_' + 43 random + 6 checksum characters
 * ```
 */
export function generateApiKey(prefix: string = DEFAULT_API_KEY_PREFIX): string {
  if (!isApiKeyPrefix(prefix)) fail('prefix', PREFIX_RULE, { where: 'generateApiKey()' });
  const prefixAndRandom = prefix + randomBase62();
  return prefixAndRandom + base62Checksum(prefixAndRandom);
}

/**
 * What a presented string is, as far as this format goes:
 * - `'wellFormed'`: the shape of a key and a checksum that matches;
 * - `'mistyped'`: the shape of a key, but the checksum does not match (a typo, a truncated
 *   paste): refuse it without asking the store;
 * - `'other'`: not this format at all (a configured key of another shape, a `gth…` token).
 */
export type ApiKeyShape = 'wellFormed' | 'mistyped' | 'other';

/** See {@link ApiKeyShape}. The checksum is public (computed from the key), so a plain compare leaks nothing. */
export function apiKeyShape(key: string): ApiKeyShape {
  const match = KEY_SHAPE.exec(key);
  if (!match) return 'other';
  return base62Checksum(match[1] + match[2]) === match[3] ? 'wellFormed' : 'mistyped';
}

/**
 * The first characters of a key, safe to keep and show so people tell keys apart
 * (`sk_live_3XbZ`): the prefix and 4 random characters, 24 of the 256 bits.
 */
export function apiKeyStart(key: string): string {
  const match = KEY_SHAPE.exec(key);
  return match ? match[1] + match[2].slice(0, START_LENGTH) : '';
}

/**
 * The regular expression a leaked key of this prefix matches, for secret scanners (GitHub
 * secret scanning custom patterns, gitleaks rules): the prefix, then 49 base62 characters,
 * not inside a longer word.
 *
 * @example
 * ```ts
 * apiKeyPattern('sk_live_').source; // '(?<![0-9A-Za-z_])sk_live_[0-9A-Za-z]{49}(?![0-9A-Za-z])'
 * ```
 */
export function apiKeyPattern(prefix: string = DEFAULT_API_KEY_PREFIX): RegExp {
  if (!isApiKeyPrefix(prefix)) fail('prefix', PREFIX_RULE, { where: 'apiKeyPattern()' });
  return new RegExp(`(?<![0-9A-Za-z_])${prefix}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}(?![0-9A-Za-z])`);
}

/**
 * The kind a presented token claims, before any store access: a `gth…` token's kind letter, or
 * `'apiKey'` for a well-formed key of this format; `null` for anything else (refuse it).
 */
export function claimedTokenKind(token: string): TokenKind | null {
  return parseTokenKind(token) ?? (apiKeyShape(token) === 'wellFormed' ? 'apiKey' : null);
}
