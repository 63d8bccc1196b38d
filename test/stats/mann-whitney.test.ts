import { describe, expect, it } from 'vitest';
import { binnedMedian, mannWhitneyBinned, medianShift, type Bin } from '../../src/stats/index.js';

const edges = [1, 2, 3, 4];
const bins = (counts: number[]): Bin[] => edges.map((upper, index) => ({ upper, count: counts[index] ?? 0 }));
const expand = (histogram: Bin[]): number[] =>
  histogram.flatMap((bin) => Array<number>(bin.count).fill(bin.upper));

describe('Mann-Whitney U on binned data', () => {
  // Baseline 1, 2, 2, 3; candidate 2, 3, 3, 4 (each value stands for its bin).
  const baseline = bins([1, 2, 1, 0]);
  const candidate = bins([0, 1, 2, 1]);

  it('by hand: U = 13, tie-corrected variance 10.857, z = 1.3657', () => {
    // Candidate 2: 1 baseline below + 2 ties/2 = 2; each candidate 3: 3 below + 1/2; candidate 4: 4 below.
    // Ties: bins of 3 and 3 observations: sum t^3 - t = 48; Var = 16/12 (9 - 48/56) = 10.857.
    const result = mannWhitneyBinned(baseline, candidate);
    expect(result.u).toBe(13);
    expect(result.mean).toBe(8);
    expect(result.variance).toBeCloseTo(10.857142857, 8);
    expect(result.z).toBeCloseTo(4.5 / Math.sqrt(10.857142857), 8);
    expect(result.z).toBeCloseTo(1.3657, 4);
    expect(result.pValue).toBeCloseTo(0.086, 3);
    expect(result.superiority).toBeCloseTo(13 / 16, 12);
  });

  it('agrees with pair counting and the mid-rank variance on expanded observations', () => {
    const b = bins([3, 0, 5, 2]);
    const c = bins([1, 4, 2, 6]);
    const xs = expand(b);
    const ys = expand(c);
    let pairs = 0;
    for (const x of xs) for (const y of ys) pairs += y > x ? 1 : y === x ? 0.5 : 0;
    // Var of the rank sum from the actual mid-ranks: n1 n2 / (N (N-1)) * sum (r - (N+1)/2)^2.
    const all = [...xs, ...ys].sort((p, q) => p - q);
    const midRank = (v: number): number => (all.indexOf(v) + all.lastIndexOf(v)) / 2 + 1;
    const N = all.length;
    const spread = all.reduce((sum, v) => sum + (midRank(v) - (N + 1) / 2) ** 2, 0);
    const result = mannWhitneyBinned(b, c);
    expect(result.u).toBe(pairs);
    expect(result.variance).toBeCloseTo(((xs.length * ys.length) / (N * (N - 1))) * spread, 10);
  });

  it('all observations tied: no variance, p = 1', () => {
    const result = mannWhitneyBinned(bins([0, 5, 0, 0]), bins([0, 7, 0, 0]));
    expect(result.z).toBeNull();
    expect(result.pValue).toBe(1);
    expect(result.superiority).toBe(0.5);
  });

  it('DeLong variance of P(candidate > baseline) matches the placement-value formula by hand', () => {
    // Placements: candidate values 2,3,3,4 among baseline: (1+1)/4, 3.5/4, 3.5/4, 4/4.
    // Baseline values 1,2,2,3 among candidate: 4/4, 3.5/4, 3.5/4, 2/4. A = 13/16.
    const a = 13 / 16;
    const v10 = [0.5, 0.875, 0.875, 1];
    const v01 = [1, 0.875, 0.875, 0.5];
    const s = (v: number[]): number => v.reduce((sum, x) => sum + (x - a) ** 2, 0) / (v.length - 1);
    expect(mannWhitneyBinned(baseline, candidate).superiorityVariance).toBeCloseTo(
      s(v10) / 4 + s(v01) / 4,
      12,
    );
  });
});

describe('median shift', () => {
  const hundred = (counts: number[]): Bin[] =>
    [10, 20, 40, 80, Infinity].map((upper, index) => ({ upper, count: counts[index] ?? 0 }));

  it('reads the median off the bins, with an order-statistic interval around it', () => {
    const median = binnedMedian(hundred([0, 50, 50, 0, 0]), 1.959963984540054);
    expect(median.median).toBeCloseTo(20, 12);
    // Ranks 50 -+ 1.96 * 10 / 2 = 40.2 and 59.8: inside (10, 20] and (20, 40], geometric.
    expect(median.ci[0]).toBeCloseTo(10 * 2 ** (40.2 / 50), 3);
    expect(median.ci[1]).toBeCloseTo(20 * 2 ** (9.8 / 50), 3);
    expect(median.open).toBe(false);
  });

  it('is zero with a symmetric MOVER interval for identical histograms', () => {
    const h = hundred([10, 30, 40, 15, 5]);
    const shift = medianShift(h, h, 1.645);
    expect(shift.shift).toBe(0);
    expect(shift.ci[0]).toBeCloseTo(-shift.ci[1], 12);
    expect(shift.ci[1]).toBeGreaterThan(0);
  });

  it('MOVER combines the two one-sample intervals', () => {
    const b = hundred([10, 30, 40, 15, 5]);
    const c = hundred([5, 20, 40, 25, 10]);
    const z = 1.645;
    const mb = binnedMedian(b, z);
    const mc = binnedMedian(c, z);
    const shift = medianShift(b, c, z);
    expect(shift.shift).toBeCloseTo(mc.median - mb.median, 12);
    expect(shift.ci[1]).toBeCloseTo(
      shift.shift + Math.sqrt((mc.ci[1] - mc.median) ** 2 + (mb.median - mb.ci[0]) ** 2),
      12,
    );
    expect(shift.ci[0]).toBeCloseTo(
      shift.shift - Math.sqrt((mc.median - mc.ci[0]) ** 2 + (mb.ci[1] - mb.median) ** 2),
      12,
    );
  });

  it('flags a median interval that reaches the open top bin', () => {
    expect(medianShift(hundred([10, 10, 0, 0, 0]), hundred([0, 0, 0, 10, 10]), 1.645).open).toBe(true);
  });
});
