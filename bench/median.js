// The median of a row's per-pair ratios, and how far a reader can trust it: a
// distribution-free confidence interval from order statistics (no normality assumed,
// which the bursty noise of a shared machine would not grant).
'use strict';

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n, k) {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = term;
  for (let i = 1; i <= k; i += 1) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * A confidence interval for the median of the distribution `values` were drawn from: the
 * k-th lowest and k-th highest value, with k the largest for which each tail holds at most
 * (1 − level) / 2 probability. `null` when there are too few values for `level` (fewer than
 * 6 for 95%).
 *
 * @example
 * medianInterval([0.91, 0.84, 0.95, 0.88, 0.90, 0.93, 0.87]) // → [0.84, 0.95] (7 values: lowest and highest)
 */
function medianInterval(values, level = 0.95) {
  const n = values.length;
  const tail = (1 - level) / 2;
  let k = 0;
  while (k < n / 2 && binomialHalfCdf(n, k) <= tail) k += 1;
  if (k === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[k - 1], sorted[n - k]];
}

module.exports = { median, medianInterval, binomialHalfCdf };
