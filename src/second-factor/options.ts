/**
 * The `secondFactor` option of `gatehouse()` (README, "Second factor"): the keys TOTP secrets
 * are sealed with at rest, and the lifetimes of the challenge and of a "recent" sign-in.
 */
import { fail, knownOptions, durationOption, type OptionNames } from '../config-error';

/**
 * The `secondFactor` option: turns on TOTP (RFC 6238) second factors with recovery codes, the
 * 401.5 challenge at login and the endpoints under `{secondFactor}` (`paths.secondFactor`).
 *
 * @example
 * ```ts
 * gatehouse({ store, secondFactor: { encryptionKeys: [process.env.TOTP_KEY_2027!, process.env.TOTP_KEY_2026!], issuer: 'Example API' } });
 * ```
 */
export interface SecondFactorOptions {
  /**
   * AES-256-GCM keys that seal each TOTP secret at rest, each 32 bytes: a `Buffer`/`Uint8Array`,
   * 64 hex digits, or base64/base64url of 32 bytes (`npx gatehouse keygen` prints one; so does
   * `openssl rand -base64 32`). The first seals new secrets; every key opens the secrets sealed
   * with it, so rotating is: put the new key first, keep the old ones until every secret has
   * been re-enrolled or the old key retired. The first key also signs challenge tickets.
   * Required; at least one.
   * @example { encryptionKeys: [process.env.TOTP_KEY!] }
   */
  encryptionKeys: Array<string | Uint8Array>;
  /**
   * The issuer shown by authenticator apps (`issuer` of the `otpauth://` URI). Default `'Gatehouse'`.
   * @example { issuer: 'Example API' }
   */
  issuer?: string;
  /**
   * Milliseconds a 401.5 `challengeTicket` can be answered in. Default `300_000` (5 minutes).
   * @example { ticketTtl: 2 * 60_000 }
   */
  ticketTtl?: number;
  /**
   * Milliseconds after a sign-in during which its credential may change the second factor
   * (enrol, disable, new recovery codes) without the password, when the credential says when
   * its actor signed in (`req.authInfo.authTime`). Otherwise those requests carry the login and
   * current password. Default `300_000` (5 minutes).
   * @example { recentSignIn: 10 * 60_000 }
   */
  recentSignIn?: number;
}

/** {@link SecondFactorOptions} after validation. */
export interface ResolvedSecondFactorOptions {
  /** The keys, 32 bytes each, the sealing one first. */
  keys: readonly Buffer[];
  /** The `issuer` of the `otpauth://` URIs. */
  issuer: string;
  /** Lifetime of a challenge ticket, in ms. */
  ticketTtl: number;
  /** How recent a recorded sign-in lets a credential change the second factor without the password, in ms. */
  recentSignIn: number;
}

/** The names of {@link SecondFactorOptions}; a compile error when they disagree. */
const OPTION_NAMES: OptionNames<SecondFactorOptions> = { encryptionKeys: true, issuer: true, ticketTtl: true, recentSignIn: true };

/** 32 bytes from a key as given, or `null` when it is not one. */
function keyBytes(value: unknown): Buffer | null {
  if (value instanceof Uint8Array) return value.length === 32 ? Buffer.from(value) : null;
  if (typeof value !== 'string') return null;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.length === 32 ? bytes : null;
}

/** Validates `secondFactor`; `false` when it is not given. */
export function resolveSecondFactorOptions(value: unknown): ResolvedSecondFactorOptions | false {
  if (value === undefined || value === false) return false;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    fail('secondFactor', 'secondFactor must be an object such as { encryptionKeys: [process.env.TOTP_KEY] }, or false.');
  }
  knownOptions(value, OPTION_NAMES, 'secondFactor');
  const { encryptionKeys, issuer = 'Gatehouse', ticketTtl, recentSignIn } = value as SecondFactorOptions;
  if (encryptionKeys === undefined) {
    fail('secondFactor.encryptionKeys', 'secondFactor.encryptionKeys is required: one or more 32-byte keys (64 hex digits or base64), the sealing one first.', { code: 'GATEHOUSE_MISSING_OPTION' });
  }
  if (!Array.isArray(encryptionKeys) || encryptionKeys.length === 0) {
    fail('secondFactor.encryptionKeys', 'secondFactor.encryptionKeys must be a non-empty array of 32-byte keys (64 hex digits or base64), the sealing one first.');
  }
  const keys = encryptionKeys.map((key, index) => {
    const bytes = keyBytes(key);
    // The message never repeats the key: configuration errors end up in logs.
    if (!bytes) fail(`secondFactor.encryptionKeys[${index}]`, `secondFactor.encryptionKeys[${index}] must be 32 bytes: a Buffer, 64 hex digits, or base64 of 32 bytes (openssl rand -base64 32).`);
    return bytes;
  });
  if (new Set(keys.map((key) => key.toString('hex'))).size !== keys.length) {
    fail('secondFactor.encryptionKeys', 'secondFactor.encryptionKeys lists one key twice.', { code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  }
  if (typeof issuer !== 'string' || issuer === '' || issuer.length > 100 || /[\x00-\x1f\x7f:]/.test(issuer)) {
    fail('secondFactor.issuer', "secondFactor.issuer must be a non-empty name without ':' or control characters, at most 100 characters (default 'Gatehouse').");
  }
  return {
    keys,
    issuer,
    ticketTtl: durationOption(ticketTtl, 'secondFactor.ticketTtl', 5 * 60 * 1000),
    recentSignIn: durationOption(recentSignIn, 'secondFactor.recentSignIn', 5 * 60 * 1000),
  };
}
