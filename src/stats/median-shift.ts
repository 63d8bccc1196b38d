import { totalCount, valuesAtRanks, type Bin, type BinnedValue } from './bins.js';

/** A median read off a histogram, with a distribution-free confidence interval. */
export interface BinnedMedian {
  median: number;
  ci: [number, number];
  /** Some value fell in the open top bin (x, Infinity] and is only a lower bound. */
  open: boolean;
}

/**
 * The median and its order-statistic interval: the true median lies between the observations of rank
 * n/2 -+ z sqrt(n)/2 (normal approximation to Binomial(n, 1/2)), each bound one-sided at the level of z.
 * Values are interpolated within bins. Requires at least one observation.
 */
export function binnedMedian(bins: Bin[], z: number): BinnedMedian {
  const n = totalCount(bins);
  const half = (z * Math.sqrt(n)) / 2;
  const [median, lower, upper] = valuesAtRanks(bins, [n / 2, n / 2 - half, n / 2 + half]) as [
    BinnedValue,
    BinnedValue,
    BinnedValue,
  ];
  return {
    median: median.value,
    ci: [lower.value, upper.value],
    open: median.open || lower.open || upper.open,
  };
}

export interface MedianShift {
  baseline: BinnedMedian;
  candidate: BinnedMedian;
  /** candidate median - baseline median. */
  shift: number;
  ci: [number, number];
  /** A value used fell in an open top bin: the shift and its upper bound are not trustworthy. */
  open: boolean;
}

/**
 * Difference of medians with a MOVER interval (Zou & Donner 2008): the two one-sample intervals are
 * recombined as d -+ sqrt(distance to the candidate's bound^2 + distance to the baseline's opposite bound^2),
 * which is what Newcombe's interval for rates does with Wilson intervals.
 */
export function medianShift(baseline: Bin[], candidate: Bin[], z: number): MedianShift {
  const b = binnedMedian(baseline, z);
  const c = binnedMedian(candidate, z);
  const shift = c.median - b.median;
  const lower = shift - Math.hypot(c.median - c.ci[0], b.ci[1] - b.median);
  const upper = shift + Math.hypot(c.ci[1] - c.median, b.median - b.ci[0]);
  return { baseline: b, candidate: c, shift, ci: [lower, upper], open: b.open || c.open };
}
