/**
 * The opaque token format: `gth` + a kind letter + `_` + 43 base64url characters
 * (32 bytes from the CSPRNG, 256 bits) + a 6-character checksum.
 *
 * The prefix names the kind so a token pasted in the wrong place is refused without a
 * store round trip; the checksum catches truncated or mistyped tokens the same way.
 * Neither is a secret: the 256 random bits are. Only the SHA-256 of a token is stored.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sha256 } from '../sha256';
import type { TokenKind } from '../actor';

const KIND_LETTER: Readonly<Record<TokenKind, string>> = {
  session: 's',
  appUser: 'a',
  personal: 'p',
  apiKey: 'k',
  refresh: 'r',
};
const KIND_BY_LETTER: ReadonlyMap<string, TokenKind> = new Map(
  Object.entries(KIND_LETTER).map(([kind, letter]) => [letter, kind as TokenKind]),
);

const RANDOM_BYTES = 32;
const BODY_LENGTH = 43; // base64url of 32 bytes, unpadded
const CHECKSUM_LENGTH = 6;
/** Exact shape of a well-formed token; anything else is refused before the store. */
const TOKEN_SHAPE = /^gth([a-z])_([A-Za-z0-9_-]{43})([A-Za-z0-9_-]{6})$/;

/** Every token kind, in a stable order. */
export const TOKEN_KINDS: readonly TokenKind[] = Object.keys(KIND_LETTER) as TokenKind[];

function checksum(prefixAndBody: string): string {
  return sha256(prefixAndBody, 'base64url').slice(0, CHECKSUM_LENGTH);
}

/** A new random token of the given kind. */
export function generateToken(kind: TokenKind): string {
  const prefixAndBody = `gth${KIND_LETTER[kind]}_${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return prefixAndBody + checksum(prefixAndBody);
}

/**
 * A token of the given kind whose 256 bits are HMAC-SHA-256(`key`, `from`): the same input
 * gives the same token on every instance that holds the key, and nobody without the key
 * can compute it. Refresh-token rotation uses it so a retried rotation yields the same
 * successor.
 */
export function deriveToken(kind: TokenKind, key: Buffer, from: string): string {
  const prefixAndBody = `gth${KIND_LETTER[kind]}_${createHmac('sha256', key).update(from, 'utf8').digest('base64url')}`;
  return prefixAndBody + checksum(prefixAndBody);
}

/**
 * The kind a token claims, or `null` when it is not a well-formed Gatehouse token
 * (wrong shape, unknown kind letter, or a checksum that does not match).
 */
export function parseTokenKind(token: string): TokenKind | null {
  if (token.length !== 5 + BODY_LENGTH + CHECKSUM_LENGTH) return null;
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return null;
  const kind = KIND_BY_LETTER.get(match[1]);
  if (!kind) return null;
  const prefixAndBody = token.slice(0, token.length - CHECKSUM_LENGTH);
  // The checksum is public (derived from the token itself), so a plain compare leaks nothing.
  return checksum(prefixAndBody) === match[3] ? kind : null;
}

/** The store key of a secret: lower-case hex SHA-256. Lookups by hash need no constant-time compare. */
export function hashSecret(secret: string): string {
  return sha256(secret, 'hex');
}
