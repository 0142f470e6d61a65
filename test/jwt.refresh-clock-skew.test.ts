/**
 * Refresh-token reuse judged by instances whose clocks disagree. A rotation is stamped with
 * the rotating instance's clock and a second use is judged by another's, so the difference
 * can be negative. With `refreshReuseInterval: 0` every second use ends the family, whatever
 * the clocks say; with an interval, a retry is honoured while the judging instance's clock
 * reads from `jwt.clockTolerance` before the rotation's stamp to less than the interval
 * after it (README, "The reuse interval").
 */
import type { JwtOptions } from '../src';
import { BACKENDS, useBackends } from './helpers/backends';
import { JWT_OPTIONS } from './helpers/jwt';
import { refreshOn, twoInstances, useAccess } from './helpers/refresh-instances';

const backends = useBackends('refresh-clock-skew');
const INTERVAL = 30_000;
const strict: JwtOptions = { ...JWT_OPTIONS, refreshReuseInterval: 0 };
const lenient: JwtOptions = { ...JWT_OPTIONS, refreshReuseInterval: INTERVAL };

describe.each(BACKENDS)('refresh reuse with skewed clocks, two instances over one %s', (backend) => {
  /** A rotated on A, the same token presented again on B whose clock is `skew` ms off A's. */
  async function reusedOnB(jwt: JwtOptions, skew: number, elapsed = 0) {
    const t = await twoInstances(backends, backend, { jwt: [jwt, jwt], skew });
    const rotated = await refreshOn(t.a, t.tokens.refresh);
    expect(rotated.status).toBe(200);
    t.advance(elapsed);
    const second = await refreshOn(t.b, t.tokens.refresh);
    return { t, rotated, second };
  }

  /** The family is over: the second use was refused, and nothing the rotation handed out works. */
  async function expectFamilyEnded({ t, rotated, second }: Awaited<ReturnType<typeof reusedOnB>>) {
    expect([second.status, second.body.code]).toEqual([401, '401.2']);
    expect((await refreshOn(t.a, rotated.body.refresh)).body.code).toBe('401.2');
    expect((await useAccess(t.a, rotated.body.access)).body.code).toBe('401.2');
    expect(await t.liveRefreshTokens()).toEqual([]);
  }

  it.each([-2000, 2000])('interval 0, B %p ms off A: the second use is refused at once and ends the family', async (skew) => {
    await expectFamilyEnded(await reusedOnB(strict, skew));
  });

  it('interval 0, B 2 s behind: refused on A too, in the other direction', async () => {
    const t = await twoInstances(backends, backend, { jwt: [strict, strict], skew: -2000 });
    const rotated = await refreshOn(t.b, t.tokens.refresh);
    expect(rotated.status).toBe(200);
    const second = await refreshOn(t.a, t.tokens.refresh);
    await expectFamilyEnded({ t, rotated, second });
  });

  it.each([-2000, 2000])('interval 30 s, B %p ms off A: a retry at once is answered with the same successor, the family kept', async (skew) => {
    const { t, rotated, second } = await reusedOnB(lenient, skew);
    expect(second.status).toBe(200);
    expect(second.body.refresh).toBe(rotated.body.refresh);
    expect((await useAccess(t.b, second.body.access)).status).toBe(200);
    expect((await refreshOn(t.b, second.body.refresh)).status).toBe(200);
  });

  it.each([-2000, 2000])('interval 30 s, B %p ms off A: honoured until B reads the interval after the stamp, then the family ends', async (skew) => {
    // B's clock reads stamp + INTERVAL - 1: still a retry (by B's clock, which is the one that judges).
    const within = await reusedOnB(lenient, skew, INTERVAL - 1 - skew);
    expect(within.second.status).toBe(200);
    expect(within.second.body.refresh).toBe(within.rotated.body.refresh);
    // B's clock reads stamp + INTERVAL: stolen.
    await expectFamilyEnded(await reusedOnB(lenient, skew, INTERVAL - skew));
  });

  it('interval 30 s, B more than clockTolerance (5 s) behind: a stamp that far in its future is not a retry, and ends the family', async () => {
    await expectFamilyEnded(await reusedOnB(lenient, -5001));
  });

  it('interval 30 s, B exactly clockTolerance behind: still a retry; a larger clockTolerance tolerates more', async () => {
    const atTolerance = await reusedOnB(lenient, -5000);
    expect(atTolerance.second.status).toBe(200);
    const wider = await reusedOnB({ ...lenient, clockTolerance: 10 }, -9000);
    expect(wider.second.status).toBe(200);
    expect(wider.second.body.refresh).toBe(wider.rotated.body.refresh);
  });
});
