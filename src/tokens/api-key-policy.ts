/**
 * The `apiKeyPolicy` option (prefix, expiry bounds, retention), durations written as `'24h'`,
 * and the state of a store-issued API key. Pure: no I/O; the clock is an argument.
 */
import { fail, knownOptions, type OptionNames } from '../config-error';
import type { ApiKeyDetails } from '../store/types';
import { DEFAULT_API_KEY_PREFIX, isApiKeyPrefix } from './api-key-format';

/**
 * A length of time: whole milliseconds, or a whole number followed by `ms`, `s`, `m`, `h` or
 * `d` (`'90s'`, `'24h'`, `'30d'`).
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,12})(ms|s|m|h|d)$/;

/** Milliseconds of a {@link Duration}; `allowZero` lets `0` through (a rotation with no grace). */
export function parseDuration(value: unknown, option: string, where: string, allowZero = false): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && DURATION.test(value) ? Number(DURATION.exec(value)![1]) * UNIT_MS[DURATION.exec(value)![2]] : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0 || (ms === 0 && !allowZero)) {
    fail(option, `${option} must be a ${allowZero ? 'whole' : 'positive whole'} number of milliseconds or a string such as '90s', '24h' or '30d'.`, { where });
  }
  return ms;
}

/** Bounds on the lifetime of store-issued API keys. */
export interface ApiKeyExpiryOptions {
  /**
   * Lifetime of a key created without `expiresAt`/`expiresIn`; `null` for keys that last until revoked.
   * Default `null`, or `max` when `max` is set.
   * @example { default: '90d' }
   */
  default?: Duration | null;
  /**
   * The shortest lifetime a key may be created with. Default: none.
   * @example { min: '1h' }
   */
  min?: Duration;
  /**
   * The longest lifetime a key may be created with; a key that never expires is then refused.
   * Default `null` (no bound).
   * @example { max: '365d' }
   */
  max?: Duration | null;
}

/**
 * Options of store-issued API keys (`auth.tokens.create`, `tokens.issue({ kind: 'apiKey' })`).
 *
 * @example
 * ```ts
 * gatehouse({ store, apiKeyPolicy: { prefix: 'sk_live_', expiry: { default: '90d', max: '365d' }, retention: '30d' } });
 * ```
 */
export interface ApiKeyPolicyOptions {
  /**
   * What every new key starts with: lower-case letters and digits in up to four parts, each
   * ending in `_` (`sk_live_`), at most 32 characters. Keys issued with an earlier prefix keep
   * working. Default `'gthkey_'`.
   * @example { prefix: 'sk_live_' }
   */
  prefix?: string;
  /**
   * Lifetime bounds: `auth.tokens.create` refuses an expiry outside them with a
   * `GatehouseConfigError` whose `option` is `'expiresAt'`. Default: no bounds, no expiry.
   * @example { expiry: { default: '90d', min: '1h', max: '365d' } }
   */
  expiry?: ApiKeyExpiryOptions;
  /**
   * How long an expired key (or the old key of a rotation, once its grace ends) stays listed,
   * with state `'expired'`, before the store may forget it. Checking a key never deletes it.
   * Default `'30d'`.
   * @example { retention: '7d' }
   */
  retention?: Duration;
}

/** The policy after defaults and validation. */
export interface ResolvedApiKeyPolicy {
  /** What every new key starts with. */
  prefix: string;
  /** Lifetime of a key created without one, in ms; `null` for none. */
  defaultTtl: number | null;
  /** Shortest allowed lifetime in ms (0: none). */
  minTtl: number;
  /** Longest allowed lifetime in ms; `null` for none. */
  maxTtl: number | null;
  /** How long an ended key stays listed, in ms. */
  retention: number;
}

const POLICY_OPTION_NAMES: OptionNames<ApiKeyPolicyOptions> = { prefix: true, expiry: true, retention: true };
const EXPIRY_OPTION_NAMES: OptionNames<ApiKeyExpiryOptions> = { default: true, min: true, max: true };
const DEFAULT_RETENTION = 30 * 86_400_000;

/** Validates `apiKeyPolicy`; throws a `GatehouseConfigError` naming the option. */
export function resolveApiKeyPolicy(input: ApiKeyPolicyOptions | undefined, where = 'gatehouse()'): ResolvedApiKeyPolicy {
  if (input === undefined) return { prefix: DEFAULT_API_KEY_PREFIX, defaultTtl: null, minTtl: 0, maxTtl: null, retention: DEFAULT_RETENTION };
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail('apiKeyPolicy', "apiKeyPolicy must be an object such as { prefix: 'sk_live_' }.", { where });
  knownOptions(input, POLICY_OPTION_NAMES, 'apiKeyPolicy', { where });
  const prefix = input.prefix ?? DEFAULT_API_KEY_PREFIX;
  if (!isApiKeyPrefix(prefix)) {
    fail('apiKeyPolicy.prefix', "apiKeyPolicy.prefix must be lower-case letters and digits in up to four parts, each ending in '_' (such as 'sk_live_'), at most 32 characters.", { where });
  }
  const expiry = input.expiry ?? {};
  if (!expiry || typeof expiry !== 'object' || Array.isArray(expiry)) fail('apiKeyPolicy.expiry', "apiKeyPolicy.expiry must be an object such as { max: '365d' }.", { where });
  knownOptions(expiry, EXPIRY_OPTION_NAMES, 'apiKeyPolicy.expiry', { where });
  const minTtl = expiry.min === undefined ? 0 : parseDuration(expiry.min, 'apiKeyPolicy.expiry.min', where);
  const maxTtl = expiry.max === undefined || expiry.max === null ? null : parseDuration(expiry.max, 'apiKeyPolicy.expiry.max', where);
  const defaultTtl = expiry.default === undefined ? maxTtl : expiry.default === null ? null : parseDuration(expiry.default, 'apiKeyPolicy.expiry.default', where);
  const conflict = { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' } as const;
  if (maxTtl !== null && maxTtl < minTtl) fail('apiKeyPolicy.expiry.max', 'apiKeyPolicy.expiry.max must not be shorter than expiry.min.', conflict);
  if (defaultTtl === null && maxTtl !== null) fail('apiKeyPolicy.expiry.default', 'apiKeyPolicy.expiry.default cannot be null (no expiry) while expiry.max is set.', conflict);
  if (defaultTtl !== null && (defaultTtl < minTtl || (maxTtl !== null && defaultTtl > maxTtl))) {
    fail('apiKeyPolicy.expiry.default', 'apiKeyPolicy.expiry.default must lie between expiry.min and expiry.max.', conflict);
  }
  const retention = input.retention === undefined ? DEFAULT_RETENTION : parseDuration(input.retention, 'apiKeyPolicy.retention', where, true);
  return { prefix, defaultTtl, minTtl, maxTtl, retention };
}

/**
 * When a key created now should stop working, within the policy: from `expiresAt` (a moment) or
 * `expiresIn` (a length), else the policy's default. Throws a `GatehouseConfigError`
 * (`option: 'expiresAt'`) outside the bounds.
 */
export function keyExpiry(
  policy: ResolvedApiKeyPolicy,
  input: { expiresAt?: Date | number | null; expiresIn?: Duration | null },
  now: number,
  where: string,
): number | null {
  if (input.expiresAt !== undefined && input.expiresIn !== undefined) fail('expiresAt', 'give expiresAt or expiresIn, not both.', { where, code: 'GATEHOUSE_CONFLICTING_OPTIONS' });
  let expiresAt: number | null;
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt instanceof Date ? input.expiresAt.getTime() : input.expiresAt;
    if (at !== null && !(typeof at === 'number' && Number.isSafeInteger(at))) fail('expiresAt', 'expiresAt must be a Date, milliseconds since the epoch, or null for no expiry.', { where });
    expiresAt = at;
  } else if (input.expiresIn !== undefined) {
    expiresAt = input.expiresIn === null ? null : now + parseDuration(input.expiresIn, 'expiresIn', where);
  } else {
    expiresAt = policy.defaultTtl === null ? null : now + policy.defaultTtl;
  }
  const bounds = describeBounds(policy);
  if (expiresAt === null) {
    if (policy.maxTtl !== null) fail('expiresAt', `a key must expire: ${bounds}.`, { where });
    return null;
  }
  const ttl = expiresAt - now;
  if (ttl <= 0 || ttl < policy.minTtl || (policy.maxTtl !== null && ttl > policy.maxTtl)) fail('expiresAt', `the key's lifetime is outside the policy: ${bounds}.`, { where });
  return expiresAt;
}

function describeBounds(policy: ResolvedApiKeyPolicy): string {
  const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 100) / 100} h`;
  return `at least ${policy.minTtl > 0 ? hours(policy.minTtl) : 'a moment'} and ${policy.maxTtl === null ? 'no longest' : `at most ${hours(policy.maxTtl)}`} (apiKeyPolicy.expiry)`;
}

/**
 * Where a store-issued API key stands:
 * - `'active'`: it works;
 * - `'rotating'`: it works until its grace ends, then a successor (`replacedBy`) takes over;
 * - `'disabled'`: turned off with `auth.tokens.disable`; `enable` turns it back on;
 * - `'expired'`: past its expiry (or its rotation's grace); listed until the retention ends.
 * A revoked key is gone: revocation deletes it.
 */
export type ApiKeyState = 'active' | 'rotating' | 'disabled' | 'expired';

/** The {@link ApiKeyState} of a key at `now`. */
export function apiKeyState(details: ApiKeyDetails, now: number): ApiKeyState {
  if (details.expiresAt !== null && details.expiresAt <= now) return 'expired';
  if (details.disabledAt !== null) return 'disabled';
  return details.replacedBy !== null ? 'rotating' : 'active';
}

/** The store-level `expiresAt` of a key's record: when the key stops working plus the retention. */
export function retainedUntil(keyExpiresAt: number | null, policy: ResolvedApiKeyPolicy): number | null {
  return keyExpiresAt === null ? null : keyExpiresAt + policy.retention;
}
