/**
 * The `rateLimits` option of `gatehouse()` and the `limits` of a key (a configured entry, or
 * `tokens.issue({ limits })`): checked once, at construction or issue, with coded errors.
 */
import type { Request } from 'express';
import { fail, knownOptions, type OptionNames } from '../config-error';
import type { LimitSpec } from './policy';

/** One limit as a host writes it. */
export interface LimitInput {
  /**
   * The policy name shown in the `RateLimit` header fields and the 429 body: letters, digits,
   * `_`, `-`, `.` and `:`, at most 64 characters, unique within a list.
   * @example 'burst'
   */
  name: string;
  /**
   * Units of cost accepted per window: a positive whole number.
   * @example 100
   */
  limit: number;
  /**
   * The window: milliseconds, a duration such as `'10s'`, `'15m'`, `'1h'`, `'1d'` (windows are
   * aligned to the Unix epoch, so `'1d'` runs from UTC midnight to UTC midnight), or `'month'`
   * (the UTC calendar month).
   * @example '10s'
   */
  window: number | string;
  /**
   * A usage quota rather than a rate limit: exceeding it answers 429.2 ("quota exhausted")
   * instead of 429.1. Counting is the same. Default `false`.
   * @example { name: 'monthly', limit: 100_000, window: 'month', quota: true }
   */
  quota?: boolean;
}

/**
 * A key's limits: a list of its own, or the name of a class of `rateLimits.classes`.
 * @example [{ name: 'burst', limit: 100, window: '10s' }]
 * @example 'pro'
 */
export type KeyLimitsInput = LimitInput[] | string;

/**
 * Per-key rate limits and usage quotas of API keys (README, "Rate limits and quotas"). Every
 * API key check counts the request's `cost` in the key's limits and its actor's shared
 * limits; over a limit the request is answered 429 (`429.1`, or `429.2` for a quota) with
 * `Retry-After` and the `RateLimit-Policy` / `RateLimit` header fields, which accepted
 * requests carry too (unless `headers: 'refused'`).
 *
 * @example
 * ```ts
 * gatehouse({
 *   store,
 *   rateLimits: {
 *     limits: [{ name: 'burst', limit: 100, window: '10s' }, { name: 'daily', limit: 10_000, window: '1d', quota: true }],
 *     classes: { pro: [{ name: 'burst', limit: 1000, window: '10s' }] },
 *     cost: (req) => (req.method === 'POST' ? 5 : 1),
 *   },
 * });
 * ```
 */
export interface RateLimitOptions {
  /**
   * The limits of every API key that names none of its own. Default: none (keys are not limited).
   * @example [{ name: 'burst', limit: 100, window: '10s' }]
   */
  limits?: LimitInput[];
  /**
   * Named classes of limits, for a key to take by name (`limits: 'pro'` on a configured entry
   * or in `tokens.issue`). A store-issued key keeps the limits its class had when it was
   * issued. Default: none.
   * @example { free: [{ name: 'daily', limit: 1000, window: '1d', quota: true }], pro: [{ name: 'burst', limit: 1000, window: '10s' }] }
   */
  classes?: Record<string, LimitInput[]>;
  /**
   * Limits shared by all keys of one actor (counted once per request, whichever of the
   * actor's keys made it), in addition to each key's own. Default: none.
   * @example [{ name: 'account-daily', limit: 50_000, window: '1d', quota: true }]
   */
  perActor?: LimitInput[];
  /**
   * What a request costs: a whole number ≥ 0, or a function of the request returning one
   * (decided at authentication, before the route runs, so that the lookup and the count are
   * one store round trip). Default `1`.
   * @example (req) => (req.path.startsWith('/reports') ? 5 : 1)
   */
  cost?: number | ((req: Request) => number);
  /**
   * When the counter cannot be reached (a store failure or timeout), let the request through
   * uncounted instead of answering 503.1. A store-issued key is still looked up (a second
   * round trip, without counting): it cannot be let in unchecked. Default `false` (fail closed).
   * @example { failOpen: true }
   */
  failOpen?: boolean;
  /**
   * Which answers carry the `RateLimit-Policy` / `RateLimit` header fields. `'always'`: every
   * counted request, accepted or refused, so a client can slow down before it is refused.
   * `'refused'`: only the 429 answers (with `Retry-After`), for an API that does not show each
   * caller its limits on every response, or wants the bytes two header fields add to every
   * accepted answer (their time is within the bench's noise, bench/RESULTS.md). Counting is
   * the same. Default `'always'`.
   * @example { headers: 'refused' }
   */
  headers?: RateLimitHeaders;
}

/** The answers that carry the `RateLimit-Policy` / `RateLimit` header fields (`rateLimits.headers`). */
export type RateLimitHeaders = 'always' | 'refused';

/** The `rateLimits` option after validation. */
export interface ResolvedRateLimits {
  /** `limits`, checked (windows in ms or `'month'`); `[]` when not given. */
  limits: LimitSpec[];
  /** `classes`, each checked, by name. */
  classes: ReadonlyMap<string, LimitSpec[]>;
  /** `perActor`, checked; `[]` when not given. */
  perActor: LimitSpec[];
  /** `cost`: a whole number ≥ 0 or the host's function. */
  cost: number | ((req: Request) => number);
  /** `failOpen`. */
  failOpen: boolean;
  /** `headers`: `'always'` when not given. */
  headers: RateLimitHeaders;
}

const OPTION_NAMES: OptionNames<RateLimitOptions> = { limits: true, classes: true, perActor: true, cost: true, failOpen: true, headers: true };
const LIMIT_NAMES: OptionNames<LimitInput> = { name: true, limit: true, window: true, quota: true };
const LIMIT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** A window in ms, or `'month'`; `null` when `value` is neither. */
function parseWindow(value: unknown): number | 'month' | null {
  if (value === 'month') return 'month';
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = DURATION.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]];
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

/**
 * Validates a list of limits written at `option` (`'rateLimits.limits'`, `'apiKeys.*.limits'`,
 * `'limits'` of `tokens.issue`); throws a `GatehouseConfigError` naming the field.
 */
export function limitListOption(value: unknown, option: string, where: string): LimitSpec[] {
  if (!Array.isArray(value)) fail(option, `${option} must be an array such as [{ name: 'burst', limit: 100, window: '10s' }].`, { where });
  const names = new Set<string>();
  return value.map((input: unknown, index) => {
    const at = `${option}[${index}]`;
    if (!input || typeof input !== 'object' || Array.isArray(input)) fail(option, `${at} must be an object such as { name: 'burst', limit: 100, window: '10s' }.`, { where });
    knownOptions(input as LimitInput, LIMIT_NAMES, at, { where });
    const { name, limit, window, quota } = input as LimitInput;
    if (typeof name !== 'string' || !LIMIT_NAME.test(name)) fail(`${option}.name`, `${at}.name must be 1 to 64 letters, digits, '_', '-', '.' or ':'.`, { where });
    if (names.has(name)) fail(`${option}.name`, `${at}.name: the name '${name}' is used twice in one list.`, { where });
    names.add(name);
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit <= 0) fail(`${option}.limit`, `${at}.limit must be a positive whole number.`, { where });
    const parsed = parseWindow(window);
    if (parsed === null) fail(`${option}.window`, `${at}.window must be milliseconds, a duration such as '10s', '15m', '1h', '1d', or 'month'.`, { where });
    if (quota !== undefined && typeof quota !== 'boolean') fail(`${option}.quota`, `${at}.quota must be true or false (default false).`, { where });
    return { name, limit, window: parsed, quota: quota === true };
  });
}

/** A key's `limits` (own list or class name), resolved against the classes; `undefined` when absent. */
export function keyLimitsOption(value: unknown, classes: ReadonlyMap<string, LimitSpec[]>, option: string, where: string): LimitSpec[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const found = classes.get(value);
    if (!found) fail(option, `${option}: no class '${value}' in rateLimits.classes.`, { where });
    return found.map((limit) => ({ ...limit }));
  }
  return limitListOption(value, option, where);
}

/** Validates `rateLimits`; `null` when absent or `false`. */
export function resolveRateLimits(input: unknown): ResolvedRateLimits | null {
  if (input === undefined || input === false) return null;
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail('rateLimits', "rateLimits must be an object such as { limits: [{ name: 'burst', limit: 100, window: '10s' }] }, or false.");
  knownOptions(input as RateLimitOptions, OPTION_NAMES, 'rateLimits');
  const { limits, classes, perActor, cost = 1, failOpen = false, headers = 'always' } = input as RateLimitOptions;
  const where = 'gatehouse()';
  const resolvedClasses = new Map<string, LimitSpec[]>();
  if (classes !== undefined) {
    if (!classes || typeof classes !== 'object' || Array.isArray(classes)) fail('rateLimits.classes', "rateLimits.classes must be an object such as { pro: [{ name: 'burst', limit: 1000, window: '10s' }] }.");
    for (const [name, list] of Object.entries(classes)) resolvedClasses.set(name, limitListOption(list, `rateLimits.classes.${name}`, where));
  }
  if (!(typeof cost === 'function' || (typeof cost === 'number' && Number.isSafeInteger(cost) && cost >= 0))) {
    fail('rateLimits.cost', 'rateLimits.cost must be a whole number ≥ 0 or a function (req) => number (default 1).');
  }
  if (typeof failOpen !== 'boolean') fail('rateLimits.failOpen', 'rateLimits.failOpen must be true or false (default false).');
  if (headers !== 'always' && headers !== 'refused') fail('rateLimits.headers', "rateLimits.headers must be 'always' or 'refused' (default 'always').");
  return {
    limits: limits === undefined ? [] : limitListOption(limits, 'rateLimits.limits', where),
    classes: resolvedClasses,
    perActor: perActor === undefined ? [] : limitListOption(perActor, 'rateLimits.perActor', where),
    cost,
    failOpen,
    headers,
  };
}
