import { describe, expect, it } from 'vitest';
import { alignBins, binsFromCumulative, binsProblem, valueAtRank, type Bin } from '../../src/stats/index.js';

describe('binsFromCumulative', () => {
  it('turns Prometheus cumulative buckets into per-bin counts', () => {
    expect(
      binsFromCumulative([
        { le: 5, count: 3 },
        { le: 10, count: 10 },
        { le: 25, count: 10 },
        { le: Infinity, count: 12 },
      ]),
    ).toEqual([
      { upper: 5, count: 3 },
      { upper: 10, count: 7 },
      { upper: 25, count: 0 },
      { upper: Infinity, count: 2 },
    ]);
  });

  it('sorts by le, merges repeated le, and raises decreasing counts to the running maximum', () => {
    expect(
      binsFromCumulative([
        { le: Infinity, count: 20 },
        { le: 10, count: 9 },
        { le: 5, count: 10 }, // scraped later than le=10: more than the next bucket
        { le: 10, count: 11 },
      ]),
    ).toEqual([
      { upper: 5, count: 10 },
      { upper: 10, count: 1 },
      { upper: Infinity, count: 9 },
    ]);
  });

  it('keeps fractional counts (increase() extrapolates) and accepts an empty list', () => {
    expect(
      binsFromCumulative([
        { le: 1, count: 0.5 },
        { le: Infinity, count: 2.25 },
      ]),
    ).toEqual([
      { upper: 1, count: 0.5 },
      { upper: Infinity, count: 1.75 },
    ]);
    expect(binsFromCumulative([])).toEqual([]);
  });

  it('rejects NaN le and non-finite counts, naming the bucket', () => {
    expect(() => binsFromCumulative([{ le: Number.NaN, count: 1 }])).toThrow(/bucket 0 has le NaN/);
    expect(() =>
      binsFromCumulative([
        { le: 1, count: 1 },
        { le: 2, count: Infinity },
      ]),
    ).toThrow(/bucket 1/);
  });
});

describe('binsProblem', () => {
  it('accepts sorted bins with finite non-negative counts', () => {
    expect(
      binsProblem('baseline', [
        { upper: 1, count: 0 },
        { upper: Infinity, count: 2 },
      ]),
    ).toBeNull();
  });
  it.each([
    [
      [
        { upper: 2, count: 1 },
        { upper: 1, count: 1 },
      ],
      /not sorted/,
    ],
    [
      [
        { upper: 1, count: 1 },
        { upper: 1, count: 1 },
      ],
      /not sorted/,
    ],
    [[{ upper: 1, count: -1 }], /count -1/],
    [[{ upper: 1, count: Number.NaN }], /count NaN/],
    [[{ upper: Number.NaN, count: 1 }], /upper NaN/],
  ])('reports %o', (bins, message) => {
    expect(binsProblem('candidate', bins)).toMatch(message);
  });
});

const prometheus = (counts: number[]): Bin[] =>
  [5, 10, 25, 50, Infinity].map((upper, index) => ({ upper, count: counts[index] ?? 0 }));

describe('alignBins', () => {
  it('leaves identical edges alone', () => {
    const a = prometheus([1, 2, 3, 4, 5]);
    const b = prometheus([5, 4, 3, 2, 1]);
    expect(alignBins(a, b)).toEqual([a, b]);
  });

  it('sums a finer histogram onto the coarser one when the coarse edges are among the fine ones', () => {
    const fine: Bin[] = [1, 2.5, 5, 7.5, 10, 25, 50, Infinity].map((upper) => ({ upper, count: 1 }));
    const [coarse, merged] = alignBins(prometheus([1, 1, 1, 1, 1]), fine);
    expect(coarse).toEqual(prometheus([1, 1, 1, 1, 1]));
    expect(merged).toEqual(prometheus([3, 2, 1, 1, 1]));
  });

  it('keeps only the edges both share when edges interleave', () => {
    const a: Bin[] = [
      { upper: 1, count: 1 },
      { upper: 3, count: 2 },
      { upper: 4, count: 3 },
      { upper: Infinity, count: 4 },
    ];
    const b: Bin[] = [
      { upper: 2, count: 5 },
      { upper: 4, count: 6 },
      { upper: Infinity, count: 7 },
    ];
    expect(alignBins(a, b)).toEqual([
      [
        { upper: 4, count: 6 },
        { upper: Infinity, count: 4 },
      ],
      [
        { upper: 4, count: 11 },
        { upper: Infinity, count: 7 },
      ],
    ]);
  });

  it('can cut a histogram anywhere above its last edge, and an empty one anywhere', () => {
    const short: Bin[] = [
      { upper: 10, count: 3 },
      { upper: 20, count: 4 },
    ];
    const long: Bin[] = [
      { upper: 10, count: 1 },
      { upper: 20, count: 1 },
      { upper: 40, count: 1 },
      { upper: Infinity, count: 1 },
    ];
    expect(alignBins(short, long)[0]).toEqual([
      ...short,
      { upper: 40, count: 0 },
      { upper: Infinity, count: 0 },
    ]);
    expect(alignBins([], long)).toEqual([long.map((bin) => ({ ...bin, count: 0 })), long]);
  });

  it('matches edges that differ only by floating-point rounding', () => {
    const a: Bin[] = [
      { upper: 0.1 + 0.2, count: 1 },
      { upper: Infinity, count: 1 },
    ];
    const b: Bin[] = [
      { upper: 0.3, count: 2 },
      { upper: Infinity, count: 2 },
    ];
    const [x, y] = alignBins(a, b);
    expect(x.map((bin) => bin.count)).toEqual([1, 1]);
    expect(y.map((bin) => bin.count)).toEqual([2, 2]);
  });

  it('never loses or invents observations', () => {
    const a: Bin[] = [0.5, 1.3, 2, 7, 9, 100].map((upper, index) => ({ upper, count: index + 1 }));
    const b: Bin[] = [1, 2, 3, 9, 50, Infinity].map((upper, index) => ({ upper, count: 10 - index }));
    const total = (bins: Bin[]): number => bins.reduce((sum, bin) => sum + bin.count, 0);
    const [x, y] = alignBins(a, b);
    expect(total(x)).toBe(total(a));
    expect(total(y)).toBe(total(b));
    expect(x.map((bin) => bin.upper)).toEqual([2, 9, Infinity]);
  });
});

describe('valueAtRank', () => {
  const bins: Bin[] = [
    { upper: 10, count: 10 },
    { upper: 20, count: 10 },
    { upper: Infinity, count: 10 },
  ];
  it('interpolates linearly in the first bin (from 0) and geometrically above', () => {
    expect(valueAtRank(bins, 5)).toEqual({ value: 5, open: false });
    expect(valueAtRank(bins, 15).value).toBeCloseTo(10 * Math.SQRT2, 12);
    expect(valueAtRank(bins, 20).value).toBeCloseTo(20, 12);
    expect(valueAtRank(bins, 0)).toEqual({ value: 0, open: false });
  });
  it('gives the lower edge of the open top bin, flagged as open', () => {
    expect(valueAtRank(bins, 25)).toEqual({ value: 20, open: true });
    expect(valueAtRank(bins, 1000)).toEqual({ value: 20, open: true });
  });
  it('skips empty bins and needs at least one observation', () => {
    const gappy: Bin[] = [
      { upper: 1, count: 0 },
      { upper: 2, count: 4 },
      { upper: 4, count: 0 },
      { upper: 8, count: 4 },
    ];
    expect(valueAtRank(gappy, 4).value).toBeCloseTo(2, 12);
    expect(valueAtRank(gappy, 6).value).toBeCloseTo(4 * Math.SQRT2, 12);
    expect(() => valueAtRank([{ upper: 1, count: 0 }], 0)).toThrow(/at least one observation/);
  });
});
