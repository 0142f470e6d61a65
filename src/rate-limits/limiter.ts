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
import { monthWindow, rateLimitHeaders, refusal, type LimitCounter, type LimitOutcome, type LimitSpec, type TokenLimitPlan } from './policy';

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
    return { kind, cost, defaults: this.config.limits, perActor: this.config.perActor, month: monthWindow(this.now()) };
  }

  /**
   * Counts a configured key's request: its own limits (or the defaults) under `static:<subject>`
   * and the actor's shared ones under `actor:<actorSubject>`. No store call when none apply.
   */
  async countConfigured(req: Request, subject: string, actorSubject: string, own: readonly LimitSpec[] | undefined, who: CountedCredential): Promise<void> {
    const counters: LimitCounter[] = [
      ...(own ?? this.config.limits).map((limit) => ({ ...limit, subject: `static:${subject}` })),
      ...this.config.perActor.map((limit) => ({ ...limit, subject: `actor:${actorSubject}` })),
    ];
    if (counters.length === 0) return;
    const consumeLimits = this.store.consumeLimits;
    if (!consumeLimits) throw new GatehouseError('503.1', { cause: new Error('the store has no consumeLimits(), which rateLimits needs') });
    const cost = this.costOf(req);
    const now = this.now();
    let outcome: LimitOutcome;
    try {
      outcome = await consumeLimits(counters, cost, now, monthWindow(now));
    } catch (error) {
      if (this.config.failOpen && isGatehouseError(error) && error.code === '503.1') return;
      throw error;
    }
    this.settle(req, outcome, cost, who);
  }

  /**
   * Answers an outcome: on an accepted request the header fields are set on the response; a
   * refused one throws the 429 (and reports `limit.exceeded`).
   */
  settle(req: Request, outcome: LimitOutcome, cost: number, who: CountedCredential): void {
    const now = this.now();
    const headers = rateLimitHeaders(outcome, now);
    if (outcome.allowed) {
      const res = req.res;
      if (res && !res.headersSent) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      return;
    }
    const { code, limit, retryAfter } = refusal(outcome, cost, now);
    this.emit?.({ type: 'limit.exceeded', scheme: who.scheme, actorId: who.actorId, ip: clientIp(req), code, limit, credentialId: who.credentialId, cost });
    throw new GatehouseError(code, { extensions: { rateLimit: limit }, headers: { ...headers, 'Retry-After': String(retryAfter) } });
  }
}
