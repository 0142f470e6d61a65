/**
 * Two concurrent uses of one refresh token with `refreshReuseInterval: 0`, played out in each
 * order by gates on the shared store. One of them rotates first (`markTokenUsed` is atomic);
 * the other is a second use, so the family is ended — including whatever the first one
 * saved. What the README promises, in every order: the family ends, at most one request
 * answers 200, and no token either request handed out works afterwards.
 */
import type { TokenRecord } from '../src';
import { BACKENDS, holdingAfter, pause, useBackends, type bindAll, type Pause } from './helpers/backends';
import { JWT_OPTIONS } from './helpers/jwt';
import { loginOn, refreshOn, twoInstances, useAccess } from './helpers/refresh-instances';

const backends = useBackends('refresh-concurrent-reuse');
const strict = { ...JWT_OPTIONS, refreshReuseInterval: 0 };

/** Holds the next save of a refresh token (a rotation's successor) before it reaches the store. */
function holdingSuccessorSave(current: () => Pause | null) {
  return (tokens: ReturnType<typeof bindAll>): ReturnType<typeof bindAll> => ({
    ...tokens,
    saveToken: async (...args: unknown[]) => {
      if ((args[0] as TokenRecord).kind === 'refresh') await current()?.wait();
      return tokens.saveToken(...args);
    },
  });
}

describe.each(BACKENDS)('two concurrent uses of one refresh token, no reuse interval, over one %s', (backend) => {
  /** Starts the first use on A held at `gate`, plays the second on B to its end, then lets the first finish. */
  async function played(wrap: (current: () => Pause | null) => (tokens: ReturnType<typeof bindAll>) => ReturnType<typeof bindAll>) {
    let gate: Pause | null = null;
    const t = await twoInstances(backends, backend, { jwt: [strict, strict], wrap: wrap(() => gate) });
    gate = pause();
    const first = refreshOn(t.a, t.tokens.refresh);
    await gate.reached;
    const second = await refreshOn(t.b, t.tokens.refresh);
    gate.release();
    return { t, answers: [await first, second] };
  }

  /** The family is over, and nothing either answer carried works on either instance. */
  async function expectNothingSurvives({ t, answers }: Awaited<ReturnType<typeof played>>) {
    expect(answers.filter((res) => res.status === 200).length).toBeLessThanOrEqual(1);
    for (const res of answers) if (res.status !== 200) expect([res.status, res.body.code]).toEqual([401, '401.2']);
    for (const res of answers.filter((answer) => answer.status === 200)) {
      expect((await refreshOn(t.b, res.body.refresh)).body.code).toBe('401.2');
      for (const target of [t.a, t.b]) expect((await useAccess(target, res.body.access)).body.code).toBe('401.2');
    }
    expect((await useAccess(t.b, t.tokens.access)).body.code).toBe('401.2');
    expect(await t.liveRefreshTokens()).toEqual([]);
  }

  it('the second use is judged before the first has checked its family: both are refused, and the family ends', async () => {
    const outcome = await played((current) => holdingAfter('markTokenUsed', current));
    expect(outcome.answers.map((res) => res.status)).toEqual([401, 401]);
    await expectNothingSurvives(outcome);
  });

  it('the second use is judged after the first checked its family, before it saved its successor: the first answers 200 with tokens that are already refused', async () => {
    const outcome = await played(holdingSuccessorSave);
    expect(outcome.answers.map((res) => res.status)).toEqual([200, 401]);
    await expectNothingSurvives(outcome);
  });

  it('the first finishes before the second arrives: it answers 200, and the second use ends what it handed out', async () => {
    const t = await twoInstances(backends, backend, { jwt: [strict, strict] });
    const first = await refreshOn(t.a, t.tokens.refresh);
    const second = await refreshOn(t.b, t.tokens.refresh);
    expect([first.status, second.status]).toEqual([200, 401]);
    await expectNothingSurvives({ t, answers: [first, second] });
  });

  it('another login of the same user is another family, untouched by the reuse', async () => {
    const t = await twoInstances(backends, backend, { jwt: [strict, strict] });
    const other = await loginOn(t.b);
    await Promise.all([refreshOn(t.a, t.tokens.refresh), refreshOn(t.b, t.tokens.refresh)]);
    expect((await useAccess(t.a, other.access)).status).toBe(200);
    expect((await refreshOn(t.a, other.refresh)).status).toBe(200);
  });
});
