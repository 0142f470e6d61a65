/**
 * Options of the `apiKey` scheme: the Apostrophe-shaped `apiKeys` map, checked and hashed
 * once at start-up.
 */
import { createHash } from 'node:crypto';
import { fail, knownOptions, type OptionNames } from '../../config-error';
import { hashSecret, parseTokenKind } from '../../tokens/format';
import { apiKeyShape } from '../../tokens/api-key-format';
import { scopeListOption } from '../../scopes';
import { limitListOption, type KeyLimitsInput } from '../../rate-limits/options';
import type { LimitSpec } from '../../rate-limits/policy';

/** One entry of the `apiKeys` map (ApostropheCMS shape, extended). */
export interface ApiKeyEntry {
  /** A single role (Apostrophe's field). */
  role?: string;
  /** Several roles. Combined with `role` when both are given. */
  roles?: string[];
  /** A name for the key; also the actor id of a role-only key. Default: `apikey:` + a hash prefix. */
  label?: string;
  /** Authenticate as this store actor (with the key's roles, when given) instead of a role-only actor. */
  actorId?: string;
  /**
   * The scopes the key holds, for `auth.require({ scopes })`: printable ASCII without spaces,
   * quotes or backslashes. Default: none given, so the key is not scoped (only `roles` limit it).
   * @example { role: 'reader', scopes: ['reports:read'] }
   */
  scopes?: string[];
  /**
   * The key's own rate limits and quotas, or the name of a class of `rateLimits.classes`
   * (README, "Rate limits and quotas"). Needs `rateLimits`. Default: `rateLimits.limits`.
   * @example { role: 'reader', limits: [{ name: 'burst', limit: 10, window: '1s' }] }
   * @example { role: 'reader', limits: 'pro' }
   */
  limits?: KeyLimitsInput;
}

/**
 * API keys by key: plaintext (at least 16 characters) or `'sha256:<64 hex>'` so no
 * plaintext sits in configuration. A key starting `sha256:` in any case must be such a digest
 * line (64 hex digits, either case, after a lower-case `sha256:`); anything else starting so is
 * refused at start-up rather than taken as a plaintext key.
 *
 * @example
 * ```ts
 * { 'myapikey1029384756': { role: 'admin' },
 *   'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08': { roles: ['reader'], label: 'reporting' } }
 * ```
 */
export type ApiKeyMap = Record<string, ApiKeyEntry>;

/** A configured key after start-up: the actor it becomes, looked up by the key's hash. */
export interface ResolvedApiKey {
  /** The entry's `label`, or `apikey:` and the first 12 hex digits of the key's hash. */
  label: string;
  /** `role` and `roles` combined. */
  roles: string[];
  /** The store actor the key authenticates as, or `null` for a role-only actor. */
  actorId: string | null;
  /** The entry's `scopes`; absent when the key is not scoped. */
  scopes?: string[];
  /** The entry's own limits (checked), or the name of a class of `rateLimits.classes` (checked when the strategy is built); absent: the defaults. */
  limits?: LimitSpec[] | string;
}

/** The fields of an entry; a compile error when it and {@link ApiKeyEntry} disagree. */
const ENTRY_OPTION_NAMES: OptionNames<ApiKeyEntry> = { role: true, roles: true, label: true, actorId: true, scopes: true, limits: true };
const SHA256_ENTRY = /^sha256:([0-9a-fA-F]{64})$/;
/**
 * What starts like a digest line in any case. A key beginning `SHA256:` or `sha256:` that is not
 * a well-formed digest line is far more likely a digest cut short or mistyped than a real key:
 * taken as plaintext, the real key would get 401 and the line itself would work as a key.
 */
const DIGEST_PREFIX = /^sha256:/i;
const MIN_PLAINTEXT_KEY_LENGTH = 16;

/**
 * Hashes every configured key once, at start-up, so requests look keys up by hash
 * (no early-exit string compare on a secret). Throws a `GatehouseConfigError` naming a bad
 * entry by its position, never by the key itself (its `option` is `'apiKeys.*'` or
 * `'apiKeys.*.<field>'`). `where` starts the message: `'gatehouse()'` when `gatehouse()` calls it.
 */
export function resolveApiKeys(map: ApiKeyMap, where = 'resolveApiKeys()'): Map<string, ResolvedApiKey> {
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    fail('apiKeys', 'apiKeys must be an object mapping each key to { role } (or false to turn API keys off).', { where });
  }
  const resolved = new Map<string, ResolvedApiKey>();
  Object.entries(map).forEach(([key, entry], index) => {
    const entryName = `apiKeys entry #${index + 1}${entry && typeof entry.label === 'string' ? ` ("${entry.label}")` : ''}`;
    const invalid = (field: string, message: string): never => fail(field ? `apiKeys.*.${field}` : 'apiKeys.*', `${entryName}: ${message}`, { where });
    const sha = SHA256_ENTRY.exec(key);
    if (!sha && DIGEST_PREFIX.test(key)) {
      invalid('', "a digest line is 'sha256:' followed by the 64 hex digits of the key's SHA-256 (as apiKeyDigest(key) and npx express-gatehouse keygen print it); this one is not, and a key may not start with sha256: in any case.");
    }
    if (!sha && key.length < MIN_PLAINTEXT_KEY_LENGTH) invalid('', `a plaintext key must be at least ${MIN_PLAINTEXT_KEY_LENGTH} characters; prefer 'sha256:<hex>'.`);
    if (!sha && !/^[\x21-\x7e]+$/.test(key)) invalid('', 'a key may hold only printable ASCII without spaces.');
    // Requests refuse such a key by its checksum before looking it up: better said here, once.
    if (!sha && parseTokenKind(key) === null && apiKeyShape(key) === 'mistyped') {
      invalid('', "the key has the shape of a Gatehouse API key (a prefix ending in '_' and 49 letters and digits) but its checksum does not match: it was mistyped or cut short. Print a new one with npx express-gatehouse keygen.");
    }
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) invalid('', "the value must be an object such as { role: 'admin' }.");
    // A misspelt field (`rolez`) would give the key no roles at all, or the wrong actor.
    knownOptions(entry, ENTRY_OPTION_NAMES, 'apiKeys.*', { where, describe: entryName });
    if (entry.role !== undefined && typeof entry.role !== 'string') invalid('role', 'role must be a string.');
    if (entry.roles !== undefined && !(Array.isArray(entry.roles) && entry.roles.every((r) => typeof r === 'string'))) {
      invalid('roles', 'roles must be an array of strings.');
    }
    if (entry.label !== undefined && typeof entry.label !== 'string') invalid('label', 'label must be a string.');
    if (entry.actorId !== undefined && (typeof entry.actorId !== 'string' || entry.actorId === '')) {
      invalid('actorId', 'actorId must be a non-empty string.');
    }
    const scopes = scopeListOption(entry.scopes, 'apiKeys.*.scopes', where, { describe: entryName });
    const limits = entry.limits === undefined || typeof entry.limits === 'string' ? entry.limits : limitListOption(entry.limits, 'apiKeys.*.limits', where);
    const hash = sha ? sha[1].toLowerCase() : hashSecret(key);
    if (resolved.has(hash)) fail('apiKeys.*', `${entryName}: the same key is listed twice.`, { where });
    const roles = [...new Set([...(entry.role ? [entry.role] : []), ...(entry.roles ?? [])])];
    resolved.set(hash, { label: entry.label ?? `apikey:${hash.slice(0, 12)}`, roles, actorId: entry.actorId ?? null, ...(scopes ? { scopes } : {}), ...(limits !== undefined ? { limits } : {}) });
  });
  return resolved;
}

/**
 * Validates the `apiKeys` option of `gatehouse()`: `false` turns API keys off (configured and
 * store-issued); absent, no keys are configured.
 */
export function resolveApiKeyOptions(input: ApiKeyMap | false | undefined): Map<string, ResolvedApiKey> | false {
  return input === false ? false : resolveApiKeys(input ?? {}, 'gatehouse()');
}

/** The `sha256:<hex>` form of a key, for putting in configuration instead of the key. */
export function apiKeyDigest(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
