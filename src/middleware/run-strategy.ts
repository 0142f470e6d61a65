/**
 * Runs one Passport strategy for one request and turns its single callback into a value.
 *
 * This is what `passport.authenticate` does at its core (a per-request `Object.create`
 * of the strategy, so the shared instance is never mutated), without its session and
 * redirect machinery, which an API middleware does not use.
 *
 * The five actions passport adds to each per-request copy (`success`, `fail`, `error`,
 * `pass`, `redirect`) are the same functions for every request of a strategy: they live on
 * one prototype per strategy, between the strategy and the copy, and report to the
 * request's own settle function. A request then makes one object with one property instead
 * of an object with five closures, on the path every presented credential takes.
 */
import type { Request } from 'express';
import type { PassportStrategy as Strategy } from '../schemes/passport-base';

/** The one thing a strategy reported. */
export type StrategyOutcome =
  | { type: 'success'; user: Express.User; info: unknown }
  | { type: 'fail'; challenge: unknown; status: number | undefined }
  | { type: 'error'; error: unknown }
  | { type: 'pass' };

/** Where a per-request copy reports its outcome. */
const SETTLE = Symbol('gatehouse.strategyAttempt.settle');

/** A per-request copy of a strategy. */
interface Attempt extends Strategy {
  [SETTLE]: (outcome: StrategyOutcome) => void;
}

const PASS: StrategyOutcome = Object.freeze({ type: 'pass' });

/** The actions passport adds to a per-request copy, reporting to that copy's settle function. */
const ACTIONS: Pick<Strategy, 'success' | 'fail' | 'error' | 'pass' | 'redirect'> = {
  success(this: Attempt, user: Express.User, info?: unknown) {
    this[SETTLE]({ type: 'success', user, info });
  },
  fail(this: Attempt, challenge?: unknown, status?: number) {
    this[SETTLE]({ type: 'fail', challenge, status: typeof challenge === 'number' ? challenge : status });
  },
  error(this: Attempt, error: unknown) {
    this[SETTLE]({ type: 'error', error });
  },
  pass(this: Attempt) {
    this[SETTLE](PASS);
  },
  redirect(this: Attempt) {
    this[SETTLE]({ type: 'error', error: new Error('A strategy tried to redirect an API request.') });
  },
};

/** Per strategy instance, the prototype of its per-request copies: the strategy, plus {@link ACTIONS}. */
const attemptPrototypes = new WeakMap<Strategy, Strategy>();

function attemptPrototypeOf(strategy: Strategy): Strategy {
  let prototype = attemptPrototypes.get(strategy);
  if (prototype === undefined) {
    prototype = Object.assign(Object.create(strategy) as Strategy, ACTIONS);
    attemptPrototypes.set(strategy, prototype);
  }
  return prototype;
}

/** Resolves with the first outcome the strategy reports; later calls are ignored. */
export function runStrategy(strategy: Strategy, req: Request, options: object): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(attemptPrototypeOf(strategy)) as Attempt;
    attempt[SETTLE] = resolve;
    try {
      attempt.authenticate(req, options);
    } catch (error) {
      resolve({ type: 'error', error });
    }
  });
}
