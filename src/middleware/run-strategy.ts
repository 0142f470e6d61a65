/**
 * Runs one Passport strategy for one request and turns its single callback into a value.
 *
 * This is what `passport.authenticate` does at its core (a per-request `Object.create`
 * of the strategy, so the shared instance is never mutated), without its session and
 * redirect machinery, which an API middleware does not use.
 */
import type { Request } from 'express';
import type { PassportStrategy as Strategy } from '../schemes/passport-base';

/** The one thing a strategy reported. */
export type StrategyOutcome =
  | { type: 'success'; user: Express.User; info: unknown }
  | { type: 'fail'; challenge: unknown; status: number | undefined }
  | { type: 'error'; error: unknown }
  | { type: 'pass' };

/** Resolves with the first outcome the strategy reports; later calls are ignored. */
export function runStrategy(strategy: Strategy, req: Request, options: object): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const attempt = Object.create(strategy) as Strategy;
    attempt.success = (user: Express.User, info?: unknown) => resolve({ type: 'success', user, info });
    attempt.fail = ((challenge?: unknown, status?: number) =>
      resolve({ type: 'fail', challenge, status: typeof challenge === 'number' ? challenge : status })) as Strategy['fail'];
    attempt.error = (error: unknown) => resolve({ type: 'error', error });
    attempt.pass = () => resolve({ type: 'pass' });
    attempt.redirect = () => resolve({ type: 'error', error: new Error('A strategy tried to redirect an API request.') });
    try {
      attempt.authenticate(req, options);
    } catch (error) {
      resolve({ type: 'error', error });
    }
  });
}
