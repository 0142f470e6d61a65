/**
 * What `auth.tokens.list` shows of a store-issued API key's rate limits (README, "API keys for
 * a public API"): the limits that apply to it, where each comes from, and its usage — the cost
 * counted in each limit's current window and when that window resets — read from the store's
 * counters with `readLimits`, which counts nothing. The counters are the ones a request with
 * the key counts in (`countersOfRecord`), so what is listed is what the next request meets.
 */
import type { ResolvedRateLimits } from '../rate-limits/options';
import { counterWindowsAt, countersOfRecord, limitsOfData, monthWindow, type CounterState, type LimitCounter, type MonthWindow } from '../rate-limits/policy';
import type { TokenRecord } from '../store/types';

/**
 * Where a limit of a key comes from:
 * - `'key'`: the key's own limits, given to `tokens.create`, `tokens.issue` or `tokens.update`
 *   (a class of `rateLimits.classes` is stored as its limits were when it was given), and
 *   copied by `tokens.rotate`;
 * - `'default'`: `rateLimits.limits`, for a key without limits of its own;
 * - `'perActor'`: `rateLimits.perActor`, shared by every key of the key's actor (its `used` is
 *   the actor's, whichever key spent it).
 */
export type KeyLimitSource = 'key' | 'default' | 'perActor';

/** One limit of an API key as `auth.tokens.list` shows it, with its usage in the current window. */
export interface KeyLimitUsage {
  /** The limit's name, as the `RateLimit` header fields and a 429 name it. */
  name: string;
  /** Units of cost accepted per window. */
  limit: number;
  /** The window in milliseconds (aligned to the Unix epoch), or `'month'` (the UTC calendar month). */
  window: number | 'month';
  /** A quota (refused with 429.2) rather than a rate limit (429.1). */
  quota: boolean;
  /** Where the limit comes from: see {@link KeyLimitSource}. */
  source: KeyLimitSource;
  /**
   * The cost counted in the current window (accepted requests only), or `null` when the store
   * cannot read counters (no `readLimits`), or when reading them failed after `create`, `rotate`
   * or `update` had made their change.
   */
  used: number | null;
  /** What is left in the current window (`limit - used`, never below 0), or `null` with `used`. */
  remaining: number | null;
  /** When the current window ends and the count starts again from 0. */
  resetsAt: Date;
}

/** Reads counters without counting: a store's `readLimits`. */
type ReadLimits = (counters: readonly LimitCounter[], now: number, month: MonthWindow) => Promise<CounterState[]>;

/** The counters a record's key counts in, each with where its limit comes from; `undefined` for a record that is not an API key. */
function countersOfKey(config: ResolvedRateLimits, record: TokenRecord, month: MonthWindow): Array<{ counter: LimitCounter; source: KeyLimitSource }> | undefined {
  if (record.kind !== 'apiKey' || record.actorId === null) return undefined;
  const own = limitsOfData(record.data);
  const plan = { kind: 'apiKey', cost: 0, defaults: config.limits, perActor: config.perActor, month };
  const ownCount = (own ?? config.limits).length;
  return countersOfRecord(plan, record.hash, record.actorId, own).map((counter, index) => ({
    counter,
    source: index >= ownCount ? 'perActor' : own ? 'key' : 'default',
  }));
}

/**
 * The limits and usage of each record that is an API key (`undefined` for the others), in the
 * order given: one `read` for all of them (a counter shared by several keys, their actor's, is
 * read once), or none when no limit applies. Without `read`, `used` is `null`.
 */
export async function keyLimitUsages(config: ResolvedRateLimits, records: readonly TokenRecord[], now: number, read: ReadLimits | null): Promise<Array<KeyLimitUsage[] | undefined>> {
  const month = monthWindow(now);
  const perRecord = records.map((record) => countersOfKey(config, record, month));
  const applied = perRecord.flatMap((entries) => entries ?? []);
  const windows = counterWindowsAt(
    applied.map(({ counter }) => counter),
    now,
    month,
  );
  // Each distinct counter once: its position in what `read` is asked for.
  const distinct = new Map<string, number>();
  const unique: LimitCounter[] = [];
  for (const window of windows) {
    if (distinct.has(window.key)) continue;
    distinct.set(window.key, unique.length);
    unique.push(window.counter);
  }
  const states = read && unique.length > 0 ? await read(unique, now, month) : null;
  let next = 0;
  return perRecord.map((entries) =>
    entries?.map(({ counter, source }) => {
      const window = windows[next++];
      const used = states?.[distinct.get(window.key)!]?.used ?? null;
      return {
        name: counter.name,
        limit: counter.limit,
        window: counter.window,
        quota: counter.quota,
        source,
        used,
        remaining: used === null ? null : Math.max(0, counter.limit - used),
        resetsAt: new Date(window.resetsAt),
      };
    }),
  );
}
