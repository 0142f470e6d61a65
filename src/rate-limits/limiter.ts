/**
 * Rate limits at request time: what a request costs, the store call that counts it, and the
 * answer — the `RateLimit-Policy` / `RateLimit` header fields on an accepted request, or a
 * 429 (`429.1` rate limit, `429.2` quota) with `Retry-After` and a `limit.exceeded` event.
 * The rule itself is `policy.ts`; the counting is the store's (one round trip).
 */
import type { Request } from 'express';
import { GatehouseConfigError } from '../config-error';
import { GatehouseError, isGatehouseError } from '../errors';
import { clientIp, type Emit } from '../events';
import type { GuardedStore } from '../store/guard';
import type { SchemeId } from '../schemes/ids';
import type { ResolvedRateLimits } from './options';
import { limitCounter, monthWindow, rateLimitField, rateLimitHeaders, rateLimitPolicyField, refusal, samePolicy, type CounterState, type LimitCounter, type LimitOutcome, type LimitSpec, type MonthWindow, type TokenLimitPlan } from './policy';

/** How many `RateLimit-Policy` fields a limiter keeps built (one per distinct list of limits in use: the defaults, each class). */
const KEPT_POLICY_FIELDS = 8;

/** Who a counted request came from, for the `limit.exceeded` event (never the key itself). */
export interface CountedCredential {
  /** The scheme the key came by. */
  scheme: SchemeId;
  /** The actor's id, when known. */
  actorId: string | null;
  /** The credential's id (a store-issued key) or label (a configured key): safe to log. */
  credentialId: string | null;
}

/** Counts API key requests against `rateLimits` (one per `gatehouse()` instance). */
export class RateLimiter {
  /** The calendar month of the last check: the same object until the clock leaves it. */
  private month: MonthWindow | null = null;
  /** The plan of the last store-issued key's check, handed out again while its month and cost hold (stores only read it). */
  private lastPlan: TokenLimitPlan | null = null;
  /** `RateLimit-Policy` fields built, with the counters they describe (most recent last). */
  private readonly policyFields: Array<{ counters: readonly CounterState[]; field: string }> = [];

  constructor(
    /** The resolved `rateLimits` option. */
    readonly config: ResolvedRateLimits,
    private readonly store: GuardedStore,
    private readonly now: () => number,
    private readonly emit: Emit,
  ) {}

  /** The request's cost: `rateLimits.cost`, or what its function answers (a whole number ≥ 0). */
  costOf(req: Request): number {
    const { cost } = this.config;
    if (typeof cost === 'number') return cost;
    const value = cost(req);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new GatehouseConfigError(`gatehouse(): rateLimits.cost returned ${String(value)}; it must return a whole number ≥ 0.`, { code: 'GATEHOUSE_INVALID_OPTION', option: 'rateLimits.cost' });
    }
    return value;
  }

  /** The plan of a store-issued key's check, for `findTokenAndConsume`. */
  tokenPlan(kind: string, cost: number): TokenLimitPlan {
    const month = this.monthOf(this.now());
    const last = this.lastPlan;
    if (last !== null && last.month === month && last.cost === cost && last.kind === kind) return last;
    return (this.lastPlan = { kind, cost, defaults: this.config.limits, perActor: this.config.perActor, month });
  }

  /** The UTC calendar month `now` falls in, computed again only when the clock has left the last one. */
  private monthOf(now: number): MonthWindow {
    const month = this.month;
    if (month !== null && now >= month.start && now < month.end) return month;
    return (this.month = monthWindow(now));
  }

  /**
   * Counts a configured key's request: its own limits (or the defaults) under `static:<subject>`
   * and the actor's shared ones under `actor:<actorSubject>`. No store call when none apply.
   */
  async countConfigured(req: Request, subject: string, actorSubject: string, own: readonly LimitSpec[] | undefined, who: CountedCredential): Promise<void> {
    const counters: LimitCounter[] = [
      ...(own ?? this.config.limits).map((limit) => limitCounter(limit, `static:${subject}`)),
      ...this.config.perActor.map((limit) => limitCounter(limit, `actor:${actorSubject}`)),
    ];
    if (counters.length === 0) return;
    const consumeLimits = this.store.consumeLimits;
    if (!consumeLimits) throw new GatehouseError('503.1', { cause: new Error('the store has no consumeLimits(), which rateLimits needs') });
    const cost = this.costOf(req);
    const now = this.now();
    let outcome: LimitOutcome;
    try {
      outcome = await consumeLimits(counters, cost, now, this.monthOf(now));
    } catch (error) {
      if (this.config.failOpen && isGatehouseError(error) && error.code === '503.1') return;
      throw error;
    }
    this.settle(req, outcome, cost, who);
  }

  /**
   * Answers an outcome: on an accepted request the header fields are set on the response
   * (`headers: 'always'`); a refused one throws the 429 (and reports `limit.exceeded`).
   */
  settle(req: Request, outcome: LimitOutcome, cost: number, who: CountedCredential): void {
    const now = this.now();
    if (outcome.allowed) {
      const counters = outcome.counters;
      const res = req.res;
      if (this.config.headers === 'always' && counters.length > 0 && res && !res.headersSent) {
        res.setHeader('RateLimit-Policy', this.policyField(counters));
        res.setHeader('RateLimit', rateLimitField(counters, now));
      }
      return;
    }
    const headers = rateLimitHeaders(outcome, now);
    const { code, limit, retryAfter } = refusal(outcome, cost, now);
    this.emit?.({ type: 'limit.exceeded', scheme: who.scheme, actorId: who.actorId, ip: clientIp(req), code, limit, credentialId: who.credentialId, cost });
    throw new GatehouseError(code, { extensions: { rateLimit: limit }, headers: { ...headers, 'Retry-After': String(retryAfter) } });
  }

  /** The `RateLimit-Policy` field of `counters`: kept once built, since a key's limits rarely change. */
  private policyField(counters: readonly CounterState[]): string {
    const kept = this.policyFields;
    for (let i = kept.length - 1; i >= 0; i -= 1) if (samePolicy(kept[i].counters, counters)) return kept[i].field;
    const field = rateLimitPolicyField(counters);
    if (kept.length >= KEPT_POLICY_FIELDS) kept.shift();
    kept.push({ counters: counters.map((c) => ({ ...c })), field });
    return field;
  }
}
