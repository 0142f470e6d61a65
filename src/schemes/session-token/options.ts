/**
 * Options of the `sessionToken` scheme (opaque bearer tokens) and their validation.
 */
import { durationOption, fail, knownOptions, objectOrFalse, type OptionNames } from '../../config-error';

const HOUR = 60 * 60 * 1000;

/** Options of the `sessionToken` scheme. */
export interface SessionTokenOptions {
  /**
   * Lifetime of login sessions in milliseconds, fixed from creation. Default `86_400_000` (24 h).
   * @example { ttl: 8 * 60 * 60 * 1000 } // a working day
   */
  ttl?: number;
  /**
   * End a session unused for this many milliseconds. Default `null` (no idle timeout).
   * @example { idleTimeout: 30 * 60 * 1000 }
   */
  idleTimeout?: number | null;
  /**
   * The stored token kinds accepted as `Authorization: Bearer`. Default
   * `['session', 'personal', 'appUser']`; leave `'appUser'` out to accept app users only
   * through `/key/{token}/…` URLs (ODK Central).
   * @example { kinds: ['session', 'personal'] }
   */
  kinds?: BearerTokenKind[];
}

/** A stored token kind that can be sent as a Bearer token. */
export type BearerTokenKind = 'session' | 'personal' | 'appUser';
const BEARER_TOKEN_KINDS: readonly BearerTokenKind[] = ['session', 'personal', 'appUser'];
/** The options of `sessionToken`; a compile error when it and {@link SessionTokenOptions} disagree. */
const OPTION_NAMES: OptionNames<SessionTokenOptions> = { ttl: true, idleTimeout: true, kinds: true };

/** The `sessionToken` options after defaults and validation. */
export interface ResolvedSessionTokenOptions {
  ttl: number;
  idleTimeout: number | null;
  kinds: BearerTokenKind[];
}

function resolveBearerKinds(value: unknown): BearerTokenKind[] {
  if (value === undefined) return [...BEARER_TOKEN_KINDS];
  const known = BEARER_TOKEN_KINDS.map((k) => `'${k}'`).join(', ');
  if (!Array.isArray(value) || value.length === 0) fail('sessionToken.kinds', `sessionToken.kinds must be a non-empty array of ${known}.`);
  for (const kind of value) {
    if (!BEARER_TOKEN_KINDS.includes(kind as BearerTokenKind)) {
      fail('sessionToken.kinds', `sessionToken.kinds: unknown kind ${JSON.stringify(kind)}; use ${known}.`, { code: 'GATEHOUSE_UNKNOWN_OPTION' });
    }
  }
  return [...new Set(value as BearerTokenKind[])];
}

/**
 * Validates the `sessionToken` option and fills in defaults; `false` turns the scheme off
 * (absent or `true`: on, with the defaults). Throws a `GatehouseConfigError` naming the option.
 */
export function resolveSessionTokenOptions(value: SessionTokenOptions | boolean | undefined): ResolvedSessionTokenOptions | false {
  const input = objectOrFalse<SessionTokenOptions>(value, 'sessionToken');
  if (input === false) return false;
  if (input) knownOptions(input, OPTION_NAMES, 'sessionToken');
  return {
    ttl: durationOption(input?.ttl, 'sessionToken.ttl', 24 * HOUR),
    idleTimeout: input?.idleTimeout == null ? null : durationOption(input.idleTimeout, 'sessionToken.idleTimeout', 1),
    kinds: resolveBearerKinds(input?.kinds),
  };
}
