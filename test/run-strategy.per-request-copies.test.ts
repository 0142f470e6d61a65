/**
 * `runStrategy` gives each request its own copy of a strategy, as `passport.authenticate`
 * does: the five actions a strategy calls (`success`, `fail`, `error`, `pass`, `redirect`)
 * report to that request alone, the first report wins, and the shared strategy instance is
 * never changed, however many requests run on it at once.
 */
import type { Request } from 'express';
import { runStrategy, type StrategyOutcome } from '../src/middleware/run-strategy';
import { StrategyBase, type PassportStrategy } from '../src/schemes/passport-base';

/** A strategy that records each per-request copy and lets the test decide when and what it reports. */
class HeldStrategy extends StrategyBase {
  override name = 'held';
  readonly attempts: PassportStrategy[] = [];
  override authenticate(): void {
    this.attempts.push(this);
  }
}

/** A strategy whose `authenticate` does what `act` says, synchronously. */
class ActingStrategy extends StrategyBase {
  constructor(private readonly act: (self: PassportStrategy) => void) {
    super();
  }
  override authenticate(): void {
    this.act(this);
  }
}

const REQ = {} as Request;

function ownKeys(value: object): Array<string | symbol> {
  return Reflect.ownKeys(value);
}

describe('runStrategy: one copy of the strategy per request', () => {
  it('settles requests in flight together each with its own outcome, in whatever order they report', async () => {
    const strategy = new HeldStrategy();
    const first = runStrategy(strategy, REQ, {});
    const second = runStrategy(strategy, REQ, {});
    const third = runStrategy(strategy, REQ, {});
    expect(strategy.attempts).toHaveLength(3);
    expect(new Set(strategy.attempts).size).toBe(3);
    // Reported in reverse order: each promise still gets what its own copy reported.
    strategy.attempts[2].fail('third', 403);
    strategy.attempts[1].pass();
    strategy.attempts[0].success({ id: 'u1', kind: 'user', roles: [] }, { scheme: 'held' });
    await expect(first).resolves.toEqual({ type: 'success', user: { id: 'u1', kind: 'user', roles: [] }, info: { scheme: 'held' } });
    await expect(second).resolves.toEqual({ type: 'pass' });
    await expect(third).resolves.toEqual({ type: 'fail', challenge: 'third', status: 403 });
  });

  it('never changes the shared strategy instance', async () => {
    const strategy = new HeldStrategy();
    const before = ownKeys(strategy);
    const runs = [runStrategy(strategy, REQ, {}), runStrategy(strategy, REQ, {})];
    strategy.attempts.forEach((attempt) => attempt.pass());
    await Promise.all(runs);
    // Only the test's own record of attempts grew; no action or settle function landed on the instance.
    expect(ownKeys(strategy)).toEqual(before);
    for (const action of ['success', 'fail', 'error', 'pass', 'redirect'] as const) {
      expect(Object.prototype.hasOwnProperty.call(strategy, action)).toBe(false);
    }
  });

  it('keeps the first report and ignores later ones', async () => {
    const outcome = await runStrategy(
      new ActingStrategy((self) => {
        self.success({ id: 'u1', kind: 'user', roles: [] });
        self.fail('too late', 401);
        self.error(new Error('too late'));
      }),
      REQ,
      {},
    );
    expect(outcome).toEqual({ type: 'success', user: { id: 'u1', kind: 'user', roles: [] }, info: undefined });
  });

  it.each<[string, (self: PassportStrategy) => void, (outcome: StrategyOutcome) => void]>([
    ['a numeric challenge is the status', (self) => self.fail(429 as never), (outcome) => expect(outcome).toEqual({ type: 'fail', challenge: 429, status: 429 })],
    ['fail() without arguments', (self) => self.fail(), (outcome) => expect(outcome).toEqual({ type: 'fail', challenge: undefined, status: undefined })],
    ['error()', (self) => self.error(new Error('store down')), (outcome) => expect(outcome).toMatchObject({ type: 'error', error: { message: 'store down' } })],
    ['a redirect, which an API never follows, is an error', (self) => self.redirect('https://elsewhere.example'), (outcome) => expect(outcome).toMatchObject({ type: 'error', error: { message: 'A strategy tried to redirect an API request.' } })],
    [
      'a throw inside authenticate() is an error',
      () => {
        throw new Error('bug');
      },
      (outcome) => expect(outcome).toMatchObject({ type: 'error', error: { message: 'bug' } }),
    ],
  ])('%s', async (_name, act, check) => {
    check(await runStrategy(new ActingStrategy(act), REQ, {}));
  });

  it('gives each strategy instance its own copies: two strategies in flight together do not cross', async () => {
    const one = new HeldStrategy();
    const other = new HeldStrategy();
    const fromOne = runStrategy(one, REQ, {});
    const fromOther = runStrategy(other, REQ, {});
    // Each copy still is its strategy (its fields and methods), without being the instance.
    expect(one.attempts[0]).toBeInstanceOf(HeldStrategy);
    expect(one.attempts[0]).not.toBe(one);
    expect((one.attempts[0] as HeldStrategy).attempts).toBe(one.attempts);
    other.attempts[0].fail('other', 401);
    one.attempts[0].pass();
    await expect(fromOne).resolves.toEqual({ type: 'pass' });
    await expect(fromOther).resolves.toEqual({ type: 'fail', challenge: 'other', status: 401 });
  });
});
