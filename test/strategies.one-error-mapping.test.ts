/**
 * Every strategy maps what its verification throws to an outcome the same way: a 401/403
 * GatehouseError is a `fail` carrying it; any other GatehouseError an `error` as it is;
 * anything else an `error` of 503.1 keeping the cause — never a success, never a bare 500.
 */
import { GatehouseError, SessionTokenStrategy, type TokenService } from '../src';
import { runStrategy } from '../src/middleware/run-strategy';

const TOKEN = 'gts_' + 'a'.repeat(43);

function strategyThrowing(thrown: unknown) {
  const tokens = { authenticate: () => Promise.reject(thrown) } as unknown as TokenService;
  return new SessionTokenStrategy({ tokens });
}

describe('a strategy reports what its verification throws', () => {
  it.each([
    ['a refusal (401.2)', new GatehouseError('401.2'), { type: 'fail', code: '401.2', status: 401 }],
    ['a refusal (403.2)', new GatehouseError('403.2'), { type: 'fail', code: '403.2', status: 403 }],
    ['an outage (503.1)', new GatehouseError('503.1'), { type: 'error', code: '503.1' }],
    ['a full queue (503.2)', new GatehouseError('503.2'), { type: 'error', code: '503.2' }],
    ['anything else', new Error('ECONNRESET'), { type: 'error', code: '503.1' }],
    ['a thrown non-error', 'boom', { type: 'error', code: '503.1' }],
  ])('%s', async (_name, thrown, expected) => {
    const outcome = await runStrategy(strategyThrowing(thrown), {} as never, { credential: TOKEN });
    expect(outcome.type).toBe(expected.type);
    const problem = outcome.type === 'fail' ? outcome.challenge : outcome.type === 'error' ? outcome.error : null;
    expect(problem).toBeInstanceOf(GatehouseError);
    expect((problem as GatehouseError).code).toBe(expected.code);
    if (outcome.type === 'fail') expect(outcome.status).toBe((expected as { status?: number }).status);
    if (!(thrown instanceof GatehouseError)) expect((problem as GatehouseError).cause).toBe(thrown);
  });
});
