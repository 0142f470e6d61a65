/**
 * Rate limits and quotas of API keys: the pure part (README, "Rate limits and quotas").
 *
 * The algorithm is a **fixed window**, said plainly: a limit of `limit` per `window` counts
 * the cost of accepted requests in windows aligned to the Unix epoch (a `'1d'` window runs
 * from one UTC midnight to the next) or, for `window: 'month'`, to the UTC calendar month.
 * A request is accepted when **every** limit that applies has room for its whole cost; it is
 * then counted in all of them, and a refused request is counted in none (all or nothing, so
 * a client held back by a burst limit does not burn its daily quota). At a window's edge a
 * client can spend one window's allowance at its end and the next one's at the start of the
 * next (at most twice `limit` within any `window`-long span): the price of one counter per
 * window, which keeps the check one atomic increment in every store.
 *
 * This file holds the types the stores share, the window rule, the counting rule every
 * store applies (MemoryStore calls it; the Redis script and the PostgreSQL function repeat
 * it and the conformance kit pins them to it), and the `RateLimit-Policy` / `RateLimit`
 * header fields (draft-ietf-httpapi-ratelimit-headers).
 */

/** One limit as the stores apply it: `limit` units of cost per `window`. */
export interface LimitSpec {
  /** The policy name, as the `RateLimit` header fields and the 429 body show it. */
  name: string;
  /** Units of cost accepted per window (a positive whole number). */
  limit: number;
  /** The window in milliseconds (epoch-aligned), or `'month'` for the UTC calendar month. */
  window: number | 'month';
  /** A usage quota rather than a rate limit: exceeding it answers 429.2 instead of 429.1. */
  quota: boolean;
}

/** A limit and the counter it uses: `subject` names whose counter (`key:<hash>`, `actor:<id>`, `static:<label>`). */
export interface LimitCounter extends LimitSpec {
  /** Whose counter: the key's or the actor's. Part of the store key with the name and the window's start. */
  subject: string;
}

/** The calendar month `now` falls in, passed to the stores so none needs calendar arithmetic. */
export interface MonthWindow {
  /** The first millisecond of the UTC month. */
  start: number;
  /** The first millisecond of the next UTC month. */
  end: number;
}

/** A counter after a consume call: what it holds in the window `now` falls in. */
export interface CounterState {
  /** The limit's name. */
  name: string;
  /** The limit. */
  limit: number;
  /** Whether the limit is a quota. */
  quota: boolean;
  /** The window's first millisecond. */
  start: number;
  /** When the window ends and the counter starts again from 0. */
  resetsAt: number;
  /** The cost counted in this window: after this request when it was accepted, before it when refused. */
  used: number;
}

/** What a consume call answers. */
export interface LimitOutcome {
  /** True when every counter had room for the cost; the cost was then counted in each. */
  allowed: boolean;
  /** Every counter that applied, in the order given. */
  counters: CounterState[];
}

/**
 * A store-issued key's check: the limits to apply besides those its record carries. The
 * limiter hands one plan to every check of a month with the same cost: a store reads it and
 * never changes it.
 */
export interface TokenLimitPlan {
  /** Only a record of this kind, not expired at `now` and with an actor, is counted. */
  kind: string;
  /** The request's cost (a whole number ≥ 0). */
  cost: number;
  /** The key's limits when its record carries none (`data.apiKey.limits`). */
  defaults: readonly LimitSpec[];
  /** Limits shared by every key of the record's actor (counter subject `actor:<actorId>`). */
  perActor: readonly LimitSpec[];
  /** The calendar month of `now`. */
  month: MonthWindow;
}

/** The UTC calendar month `now` falls in. */
export function monthWindow(now: number): MonthWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
}

/** The window of `window` (ms, or the calendar month) that holds `now`. */
function windowAt(window: number | 'month', now: number, month: MonthWindow): { start: number; end: number } {
  if (window === 'month') return month;
  const start = Math.floor(now / window) * window;
  return { start, end: start + window };
}

/** The store key of a counter in the window starting at `start`: one counter per window, never reset in place. */
function counterKey(counter: LimitCounter, start: number): string {
  return `${counter.subject}:${counter.name}:${start}`;
}

/** The counters of a store, as {@link consumeCounters} reads and adds to them. */
export interface CounterCells {
  /** The cost counted in the counter `key` at `now` (0 when there is none, or it has expired). */
  read(key: string, now: number): number;
  /** Adds `cost` to the counter `key`, which ends at `expiresAt` (a counter that had expired at `now` starts again from 0). */
  add(key: string, cost: number, expiresAt: number, now: number): void;
}

/**
 * The counting rule every store applies, atomically: read each counter of the current
 * window (0 when there is none), accept when every one has room for `cost`, and then add
 * `cost` to each. `cells` are the store's own.
 */
export function consumeCounters(counters: readonly LimitCounter[], cost: number, now: number, month: MonthWindow, cells: CounterCells): LimitOutcome {
  // Plain loops into arrays of their final size: this runs on every request of a limited key.
  const count = counters.length;
  const keys = new Array<string>(count);
  const states = new Array<CounterState>(count);
  let allowed = true;
  for (let i = 0; i < count; i += 1) {
    const counter = counters[i];
    const window = counter.window;
    let start: number;
    let end: number;
    if (window === 'month') {
      start = month.start;
      end = month.end;
    } else {
      start = Math.floor(now / window) * window;
      end = start + window;
    }
    const key = counterKey(counter, start);
    const used = cells.read(key, now);
    keys[i] = key;
    states[i] = { name: counter.name, limit: counter.limit, quota: counter.quota, start, resetsAt: end, used };
    if (used + cost > counter.limit) allowed = false;
  }
  if (allowed) {
    for (let i = 0; i < count; i += 1) {
      const state = states[i];
      cells.add(keys[i], cost, state.resetsAt, now);
      state.used += cost;
    }
  }
  return { allowed, counters: states };
}

/** The counters a store-issued key's check applies: the record's own limits (or the defaults), then the actor's. */
export function countersOfRecord(plan: TokenLimitPlan, hash: string, actorId: string, recordLimits: readonly LimitSpec[] | undefined): LimitCounter[] {
  const own = recordLimits ?? plan.defaults;
  const shared = plan.perActor;
  const counters = new Array<LimitCounter>(own.length + shared.length);
  if (own.length > 0) {
    const subject = `key:${hash}`;
    for (let i = 0; i < own.length; i += 1) counters[i] = limitCounter(own[i], subject);
  }
  if (shared.length > 0) {
    const subject = `actor:${actorId}`;
    for (let i = 0; i < shared.length; i += 1) counters[own.length + i] = limitCounter(shared[i], subject);
  }
  return counters;
}

/** A limit and its counter's subject, field by field (one hidden class for every counter). */
export function limitCounter(limit: LimitSpec, subject: string): LimitCounter {
  return { name: limit.name, limit: limit.limit, window: limit.window, quota: limit.quota, subject };
}

/**
 * The limits a store-issued API key's record carries, or `undefined`: the one place they live
 * is `data.apiKey.limits` (`ApiKeyDetails.limits`), written by `tokens.create({ limits })`,
 * `tokens.issue({ kind: 'apiKey', limits })` and `tokens.update(id, { limits })`, and copied by
 * `tokens.rotate`.
 */
export function limitsOfData(data: unknown): LimitSpec[] | undefined {
  const limits = (data as { apiKey?: { limits?: unknown } | null } | null | undefined)?.apiKey?.limits;
  return Array.isArray(limits) ? (limits as LimitSpec[]) : undefined;
}

/** A counter's window at `now` and that window's store key, found without counting. */
export interface CounterWindow {
  /** The counter. */
  counter: LimitCounter;
  /** Its key in the window: `<subject>:<name>:<window start>`, as `consumeCounters` counts it. */
  key: string;
  /** The window's first millisecond. */
  start: number;
  /** When the window ends and the counter starts again from 0. */
  resetsAt: number;
}

/**
 * Where each counter stands at `now`, without counting: the window `consumeCounters` would
 * count in and that window's key (RedisStore builds its keys from `start` the way its script does).
 * Every store's `readLimits` reads these and answers {@link readCounterStates}.
 */
export function counterWindowsAt(counters: readonly LimitCounter[], now: number, month: MonthWindow): CounterWindow[] {
  return counters.map((counter) => {
    const { start, end } = windowAt(counter.window, now, month);
    return { counter, key: counterKey(counter, start), start, resetsAt: end };
  });
}

/** What `readLimits` answers: each counter's state in its window, `used` as the store holds it (0 for no counter). */
export function readCounterStates(windows: readonly CounterWindow[], used: (window: CounterWindow, index: number) => number): CounterState[] {
  return windows.map((window, index) => ({
    name: window.counter.name,
    limit: window.counter.limit,
    quota: window.counter.quota,
    start: window.start,
    resetsAt: window.resetsAt,
    used: used(window, index),
  }));
}

/** Whole seconds until `at`, rounded up, never negative. */
function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** An sf-string (RFC 9651 §3.3.3): policy names are checked to need no escaping. */
function quoted(name: string): string {
  return `"${name}"`;
}

/**
 * The `RateLimit-Policy` and `RateLimit` header fields (draft-ietf-httpapi-ratelimit-headers,
 * structured-field lists): `"burst";q=100;w=10` and `"burst";r=0;t=7`, one item per limit.
 */
export function rateLimitHeaders(outcome: LimitOutcome, now: number): Record<string, string> {
  if (outcome.counters.length === 0) return {};
  return { 'RateLimit-Policy': rateLimitPolicyField(outcome.counters), RateLimit: rateLimitField(outcome.counters, now) };
}

/** The `RateLimit-Policy` field of `counters`: `"burst";q=100;w=10`, one item per limit. */
export function rateLimitPolicyField(counters: readonly CounterState[]): string {
  let field = '';
  for (let i = 0; i < counters.length; i += 1) {
    const c = counters[i];
    field += `${i === 0 ? '' : ', '}${quoted(c.name)};q=${c.limit};w=${Math.round((c.resetsAt - c.start) / 1000)}`;
  }
  return field;
}

/** The `RateLimit` field of `counters` at `now`: `"burst";r=0;t=7`, one item per limit. */
export function rateLimitField(counters: readonly CounterState[], now: number): string {
  let field = '';
  for (let i = 0; i < counters.length; i += 1) {
    const c = counters[i];
    field += `${i === 0 ? '' : ', '}${quoted(c.name)};r=${Math.max(0, c.limit - c.used)};t=${secondsUntil(c.resetsAt, now)}`;
  }
  return field;
}

/**
 * Whether `counters` have the `RateLimit-Policy` field `described` was built for: the same
 * names, limits and window lengths in the same order (what the field shows). Cheaper than
 * building the field again, which the limiter does only when no field it keeps matches.
 */
export function samePolicy(described: readonly CounterState[], counters: readonly CounterState[]): boolean {
  if (described.length !== counters.length) return false;
  for (let i = 0; i < counters.length; i += 1) {
    const a = described[i];
    const b = counters[i];
    if (a.name !== b.name || a.limit !== b.limit || a.resetsAt - a.start !== b.resetsAt - b.start) return false;
  }
  return true;
}

/** A refused outcome's answer: the counters that had no room, the one to name, and when to retry. */
export function refusal(outcome: LimitOutcome, cost: number, now: number): { code: '429.1' | '429.2'; limit: string; retryAfter: number } {
  const full = outcome.counters.filter((c) => c.used + cost > c.limit);
  // The latest reset of the full counters: retrying earlier would be refused again.
  const latest = full.reduce((a, b) => (b.resetsAt > a.resetsAt ? b : a), full[0]);
  const quota = full.find((c) => c.quota);
  return { code: quota ? '429.2' : '429.1', limit: (quota ?? latest).name, retryAfter: Math.max(1, secondsUntil(latest.resetsAt, now)) };
}

/**
 * Whether a store-issued key's check counts `record`: of the plan's kind, with an actor, not
 * expired at `now`, and, for an API key with its state in `data.apiKey`, neither disabled nor
 * past its own expiry (a record is kept past it for listing): such a key is refused 401.2 and
 * must not spend its actor's shared limits.
 */
export function recordIsCounted(record: { kind: string; actorId: string | null; expiresAt: number | null; data?: unknown }, plan: Pick<TokenLimitPlan, 'kind'>, now: number): boolean {
  if (record.kind !== plan.kind || record.actorId === null || (record.expiresAt !== null && record.expiresAt <= now)) return false;
  const details = (record.data as { apiKey?: { expiresAt?: unknown; disabledAt?: unknown } | null } | null | undefined)?.apiKey;
  if (!details || typeof details !== 'object') return true;
  return typeof details.disabledAt !== 'number' && !(typeof details.expiresAt === 'number' && details.expiresAt <= now);
}

/**
 * A store's answer to a consume call as the Redis script and the PostgreSQL function write it:
 * JSON `{ allowed, counters: [[name, limit, quota (1/0), start, resetsAt, used], …] }` (an empty
 * list may come as `{}`, as Redis's cjson writes it).
 */
export function outcomeFromAnswer(json: string): LimitOutcome {
  const parsed = JSON.parse(json) as { allowed: boolean; counters: Array<[string, number | string, number, number | string, number | string, number | string]> | Record<string, never> };
  const rows = Array.isArray(parsed.counters) ? parsed.counters : [];
  return {
    allowed: parsed.allowed === true,
    counters: rows.map(([name, limit, quota, start, resetsAt, used]) => ({ name, limit: Number(limit), quota: quota === 1, start: Number(start), resetsAt: Number(resetsAt), used: Number(used) })),
  };
}
