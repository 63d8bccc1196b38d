import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ComparisonResult } from '../../src/results/records.js';
import { compareDistributions, compareRates, type Bin } from '../../src/stats/index.js';

/** Every number in the result is finite (JSON would turn NaN and Infinity into null). */
function expectFinite(result: ComparisonResult, inputHasNaN = false): void {
  const numbers = [
    result.n.baseline,
    result.n.candidate,
    result.effect.estimate,
    ...result.effect.ci,
    result.effect.confidence,
    result.alpha,
    result.pValue ?? 0,
    result.sequential?.alphaSpent ?? 0,
  ];
  for (const x of numbers) expect(Number.isFinite(x)).toBe(true);
  expect(result.effect.ci[0]).toBeLessThanOrEqual(result.effect.ci[1]);
  if (!inputHasNaN) expect(result.rule).not.toMatch(/NaN|undefined|Infinity/);
  expect(result.rule.startsWith(result.decision)).toBe(true);
}

describe('compareRates', () => {
  it('worse: significant, and the lower bound is above the tolerated increase', () => {
    const result = compareRates(
      { events: 10, trials: 2000 },
      { events: 60, trials: 2000 },
      { maxIncrease: 0.005 },
    );
    expect(result).toMatchObject({ test: 'two-proportion-z', decision: 'worse', alpha: 0.05 });
    expect(result.effect.estimate).toBeCloseTo(0.025, 12);
    expect(result.effect.ci[0]).toBeGreaterThan(0.005);
    expect(result.effect.confidence).toBeCloseTo(0.9, 12);
    expect(result.rule).toMatch(
      /^worse: candidate 3% \(60\/2000\) vs baseline 0.5% \(10\/2000\), difference \+2.5 pp/,
    );
    expect(result.rule).toMatch(/95% lower bound \+1\.\d+ pp exceeds the tolerated increase \+0.5 pp/);
    expectFinite(result);
  });

  it('not-worse: the upper bound is below the tolerated increase', () => {
    const result = compareRates(
      { events: 100, trials: 100_000 },
      { events: 105, trials: 100_000 },
      { maxIncrease: 0.001 },
    );
    expect(result.decision).toBe('not-worse');
    expect(result.effect.ci[1]).toBeLessThan(0.001);
    expect(result.rule).toMatch(/upper bound \+0.0\d+ pp is below the tolerated increase \+0.1 pp/);
  });

  it('a significant increase within the tolerance is not worse', () => {
    const result = compareRates(
      { events: 1000, trials: 100_000 },
      { events: 1150, trials: 100_000 },
      { maxIncrease: 0.005 },
    );
    expect(result.pValue).toBeLessThan(0.01);
    expect(result.decision).toBe('not-worse');
  });

  it('inconclusive when the interval straddles the tolerated increase', () => {
    const result = compareRates(
      { events: 8, trials: 1000 },
      { events: 21, trials: 1000 },
      { maxIncrease: 0.005 },
    );
    expect(result.decision).toBe('inconclusive');
    expect(result.rule).toMatch(/p = 0.0075 < alpha 0.05; the 95% bounds \+0.423 pp .. \+2.25 pp include/);
  });

  it("uses Fisher's exact test when an expected cell is below 5", () => {
    const result = compareRates({ events: 1, trials: 100 }, { events: 7, trials: 100 }, { maxIncrease: 0 });
    expect(result.test).toBe('fisher-exact');
    expect(result.decision).toBe('worse');
    expect(result.rule).toMatch(/one-sided Fisher exact p = 0.032/);
  });

  it('zero events on both sides: Fisher p = 1, and enough trials show the candidate is not worse', () => {
    const result = compareRates(
      { events: 0, trials: 10_000 },
      { events: 0, trials: 10_000 },
      { maxIncrease: 0.001 },
    );
    expect(result).toMatchObject({ test: 'fisher-exact', decision: 'not-worse' });
    expect(result.pValue).toBeCloseTo(1, 9);
    expect(result.effect.estimate).toBe(0);
    expectFinite(result);
  });

  it.each([
    [{ events: 0, trials: 0 }, { events: 3, trials: 100 }, /no trials for the baseline$/],
    [{ events: 0, trials: 0 }, { events: 0, trials: 0 }, /no trials for the baseline and candidate/],
    [{ events: 5, trials: 4 }, { events: 3, trials: 100 }, /baseline has more events than trials \(5 > 4\)/],
    [{ events: 1, trials: 10 }, { events: Number.NaN, trials: 100 }, /candidate counts are not finite/],
    [{ events: -1, trials: 10 }, { events: 1, trials: 100 }, /baseline counts are negative/],
  ])('bad data is inconclusive, never a throw: %o vs %o', (baseline, candidate, reason) => {
    const result = compareRates(baseline, candidate, { maxIncrease: 0.01 });
    expect(result).toMatchObject({ decision: 'inconclusive', pValue: null, test: 'none' });
    expect(result.rule).toMatch(reason);
    expectFinite(result, Number.isNaN(candidate.events));
  });

  it('rounds fractional counts from increase()', () => {
    const result = compareRates(
      { events: 9.6, trials: 999.7 },
      { events: 10.2, trials: 1000.4 },
      { maxIncrease: 0.01 },
    );
    expect(result.n).toEqual({ baseline: 1000, candidate: 1000 });
    expect(result.rule).toMatch(/\(10\/1000\) vs baseline 1% \(10\/1000\)/);
  });

  it('spends alpha across looks and reports it', () => {
    const first = compareRates(
      { events: 10, trials: 2000 },
      { events: 30, trials: 2000 },
      { maxIncrease: 0, look: 1, looks: 5 },
    );
    // p is about 0.001: worse at a single look, but not with the 1.2e-5 O'Brien-Fleming grants look 1 of 5.
    expect(first.pValue).toBeLessThan(0.01);
    expect(first.decision).toBe('inconclusive');
    expect(first.alpha).toBeCloseTo(1.17e-5, 7);
    expect(first.effect.confidence).toBeCloseTo(1 - 2 * first.alpha, 12);
    expect(first.sequential).toMatchObject({ method: 'lan-demets-obrien-fleming', look: 1, looks: 5 });
    expect(first.rule).toMatch(/not < alpha 1.2e-5/);
    const beyond = compareRates(
      { events: 10, trials: 2000 },
      { events: 300, trials: 2000 },
      { maxIncrease: 0, look: 6, looks: 5 },
    );
    expect(beyond).toMatchObject({ decision: 'inconclusive', alpha: 0 });
    expect(beyond.rule).toMatch(/look 6 is beyond the 5 planned looks/);
    expectFinite(beyond);
  });

  it.each([-0.1, 1, Number.NaN])('rejects maxIncrease %f', (maxIncrease) => {
    expect(() => compareRates({ events: 1, trials: 10 }, { events: 1, trials: 10 }, { maxIncrease })).toThrow(
      /maxIncrease/,
    );
  });

  it('never produces NaN or Infinity', () => {
    const counts = fc.tuple(fc.nat({ max: 5000 }), fc.nat({ max: 5000 })).map(([a, b]) => ({
      events: Math.min(a, b),
      trials: Math.max(a, b),
    }));
    fc.assert(
      fc.property(
        counts,
        counts,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 0.001, 0.05),
        (b, c, look, maxIncrease) => {
          expectFinite(compareRates(b, c, { maxIncrease, look, looks: look % 2 === 0 ? null : 5 }));
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

const edges = [5, 10, 25, 50, 100, 250, 500, 1000, Infinity];
const histogram = (counts: number[]): Bin[] =>
  edges.map((upper, index) => ({ upper, count: counts[index] ?? 0 }));

describe('compareDistributions', () => {
  const baseline = histogram([10, 100, 400, 300, 150, 30, 8, 2, 0]);

  it('worse: significant, and the lower bound of the shift is above the tolerance', () => {
    const candidate = histogram([2, 30, 250, 380, 250, 70, 14, 4, 0]);
    const result = compareDistributions(baseline, candidate, { tolerance: { ratio: 0.1 }, units: 'ms' });
    expect(result).toMatchObject({
      test: 'mann-whitney-u',
      decision: 'worse',
      n: { baseline: 1000, candidate: 1000 },
    });
    expect(result.effect).toMatchObject({ name: 'median shift (candidate - baseline)', units: 'ms' });
    expect(result.effect.ci[0]).toBeGreaterThan(0.1 * 24.6);
    expect(result.rule).toMatch(
      /^worse: p < 0.0001 < alpha 0.05 and the 95% lower bound of the shift \+[\d.]+ ms exceeds the tolerated shift [\d.]+ ms \(10% of the baseline median [\d.]+ ms\)/,
    );
    expect(result.rule).toMatch(/P\(candidate > baseline\) \+ P\(tie\)\/2 = 0.6\d+ \(90% CI/);
    expectFinite(result);
  });

  it('not-worse: identical histograms with a tolerance the interval fits in', () => {
    const result = compareDistributions(baseline, baseline, {
      tolerance: { ratio: 0.1, shift: 2 },
      units: 'ms',
    });
    expect(result.decision).toBe('not-worse');
    expect(result.effect.estimate).toBe(0);
    expect(result.rule).toMatch(/the larger of 2 ms and 10% of the baseline median/);
  });

  it('a significant shift smaller than the tolerance is not worse', () => {
    // Fine 0.01 ms bins around 2 ms; the candidate is 0.05 ms slower: significant, but 2.5% < 10%.
    const fine = (offset: number): Bin[] =>
      Array.from({ length: 60 }, (_, index) => ({
        upper: 1.7 + index * 0.01,
        count: Math.round(2000 * Math.exp(-(((1.7 + index * 0.01 - 2 - offset) / 0.08) ** 2) / 2)),
      }));
    const result = compareDistributions(fine(0), fine(0.05), { tolerance: { ratio: 0.1 }, units: 'ms' });
    expect(result.pValue).toBeLessThan(1e-6);
    expect(result.decision).toBe('not-worse');
  });

  it('inconclusive when the data cannot tell', () => {
    const small = histogram([0, 2, 4, 3, 1]);
    const result = compareDistributions(small, histogram([0, 1, 4, 4, 1]), {
      tolerance: { shift: 1 },
      units: 'ms',
    });
    expect(result.decision).toBe('inconclusive');
    expect(result.rule).toMatch(
      /^inconclusive: p = [\d.]+ is not below alpha 0.05; the 95% upper bound of the shift/,
    );
  });

  it('refuses not-worse when a median bound lies in the open top bin', () => {
    const top = histogram([0, 0, 0, 0, 0, 0, 0, 5, 5]);
    const result = compareDistributions(top, top, { tolerance: { ratio: 10 } });
    expect(result.decision).toBe('inconclusive');
    expect(result.rule).toMatch(/open top bin/);
    expectFinite(result);
  });

  it.each([
    [[], histogram([1]), /no observations in the baseline histogram/],
    [histogram([]), histogram([]), /no observations in the baseline and candidate histogram/],
    [
      [
        { upper: 2, count: 1 },
        { upper: 1, count: 1 },
      ],
      histogram([1]),
      /baseline bins are not sorted/,
    ],
    [histogram([1]), [{ upper: 1, count: Number.NaN }], /candidate bin 0 \(upper 1\) has count NaN/],
  ])('empty or bad histograms are inconclusive: %o vs %o', (b, c, reason) => {
    const result = compareDistributions(b, c, { tolerance: { ratio: 0.1 }, units: 'ms' });
    expect(result).toMatchObject({ decision: 'inconclusive', pValue: null, test: 'none' });
    expect(result.effect).toMatchObject({ estimate: 0, ci: [0, 0], confidence: 0 });
    expect(result.rule).toMatch(reason);
    expectFinite(result, true);
  });

  it('all observations in one bin: inconclusive, whatever the tolerance', () => {
    const result = compareDistributions(histogram([0, 0, 0, 0, 500]), histogram([0, 0, 0, 0, 700]), {
      tolerance: { ratio: 0.5 },
      units: 'ms',
    });
    expect(result).toMatchObject({
      decision: 'inconclusive',
      pValue: 1,
      n: { baseline: 500, candidate: 700 },
    });
    expect(result.rule).toMatch(/falls in the one bin \(50 ms, 100 ms\]/);
    expectFinite(result);
  });

  it('compares histograms with different edges on their common edges', () => {
    const finer: Bin[] = [2.5, 5, 7.5, 10, 17.5, 25, 37.5, 50, 75, 100, 250, 500, 1000, Infinity].map(
      (upper) => ({
        upper,
        count: 10,
      }),
    );
    const result = compareDistributions(baseline, finer, { tolerance: { ratio: 0.1 } });
    expect(result.n).toEqual({ baseline: 1000, candidate: 140 });
    expect(result.test).toBe('mann-whitney-u');
  });

  it.each([{ ratio: -0.1 }, { shift: Number.NaN }, { shift: Infinity }])(
    'rejects tolerance %o',
    (tolerance) => {
      expect(() => compareDistributions(baseline, baseline, { tolerance })).toThrow(
        /tolerance\.(ratio|shift) must be/,
      );
    },
  );

  it('never produces NaN or Infinity', () => {
    const counts = fc.array(fc.nat({ max: 300 }), { minLength: 0, maxLength: edges.length });
    fc.assert(
      fc.property(
        counts,
        counts,
        fc.integer({ min: 1, max: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (b, c, look, ratio) => {
          expectFinite(
            compareDistributions(histogram(b), histogram(c), { tolerance: { ratio }, look, looks: 5 }),
          );
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});
