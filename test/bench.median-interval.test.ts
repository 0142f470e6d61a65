import path from 'node:path';
import { ROOT } from './helpers/build';

const { median, medianInterval, binomialHalfCdf } = require(path.join(ROOT, 'bench', 'median.js'));

describe('bench: the median ratio and its confidence interval', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('computes binomial(n, 1/2) tail probabilities exactly', () => {
    expect(binomialHalfCdf(7, 0)).toBeCloseTo(1 / 128, 12);
    expect(binomialHalfCdf(15, 3)).toBeCloseTo(576 / 32768, 12);
    expect(binomialHalfCdf(10, 10)).toBeCloseTo(1, 12);
  });

  it('uses the order statistics whose tails hold at most 2.5% each', () => {
    const ascending = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    // Too few values for 95%: even the lowest and highest of 5 cover only 93.75%.
    expect(medianInterval(ascending(5))).toBeNull();
    // 6 and 7 values: only the extremes qualify (P(X ≤ 0) = 1/64 and 1/128).
    expect(medianInterval(ascending(6))).toEqual([1, 6]);
    expect(medianInterval(ascending(7))).toEqual([1, 7]);
    // 15 values: P(X ≤ 3) = 0.0176 ≤ 0.025 < P(X ≤ 4) = 0.059, so the 4th lowest and 4th highest.
    expect(medianInterval(ascending(15))).toEqual([4, 12]);
  });

  it('sorts the values it is given and never narrows to an interval that misses the median', () => {
    const shuffled = [0.97, 0.81, 0.9, 1.02, 0.88, 0.93, 0.85, 0.95, 0.91, 0.89, 0.99, 0.84, 0.92, 0.87, 0.94];
    const [low, high] = medianInterval(shuffled);
    expect([low, high]).toEqual([0.87, 0.95]);
    expect(low).toBeLessThanOrEqual(median(shuffled));
    expect(high).toBeGreaterThanOrEqual(median(shuffled));
  });
});
