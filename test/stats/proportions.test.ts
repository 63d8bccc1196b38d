import { describe, expect, it } from 'vitest';
import {
  fisherExactGreater,
  newcombeDifference,
  twoProportionZ,
  wilsonInterval,
} from '../../src/stats/index.js';

const z95 = 1.959963984540054;

function choose(n: number, k: number): bigint {
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** P(X >= x) for the candidate's events, by exact rational summation of hypergeometric terms. */
function exactUpperTail(a: number, n1: number, c: number, n2: number): number {
  const events = a + c;
  let numerator = 0n;
  for (let x = c; x <= Math.min(events, n2); x++) numerator += choose(n2, x) * choose(n1, events - x);
  const denominator = choose(n1 + n2, events);
  // Scale before converting so that tiny p-values keep their digits.
  const scale = 10n ** 30n;
  return Number((numerator * scale) / denominator) / 1e30;
}

describe('Fisher exact test (one-sided, candidate has more events)', () => {
  it('the lady tasting tea: 3 of 4 right, p = 17/70', () => {
    expect(fisherExactGreater({ events: 1, trials: 4 }, { events: 3, trials: 4 })).toBeCloseTo(17 / 70, 14);
  });

  it.each([
    [1, 10, 11, 14],
    [0, 20, 5, 20],
    [2, 30, 2, 30],
    [5, 5, 0, 5],
    [0, 1000, 4, 1000],
    [3, 250, 12, 400],
    [40, 50, 48, 50],
    [0, 3, 0, 7],
  ])('baseline %i/%i vs candidate %i/%i matches direct hypergeometric summation', (a, n1, c, n2) => {
    const expected = exactUpperTail(a, n1, c, n2);
    const p = fisherExactGreater({ events: a, trials: n1 }, { events: c, trials: n2 });
    expect(Math.abs(p - expected)).toBeLessThan(1e-12 + 1e-10 * expected);
  });

  it('keeps precision for tiny p-values', () => {
    const p = fisherExactGreater({ events: 0, trials: 1000 }, { events: 40, trials: 1000 });
    expect(p).toBeGreaterThan(0);
    expect(p / exactUpperTail(0, 1000, 40, 1000)).toBeCloseTo(1, 9);
  });
});

describe('Wilson and Newcombe intervals', () => {
  it('Wilson bounds are where the score statistic equals z', () => {
    for (const [events, trials] of [
      [81, 263],
      [1, 50],
      [49, 50],
    ] as const) {
      const p = events / trials;
      for (const bound of wilsonInterval({ events, trials }, z95)) {
        expect(Math.abs(p - bound) / Math.sqrt((bound * (1 - bound)) / trials)).toBeCloseTo(z95, 9);
      }
    }
    expect(wilsonInterval({ events: 0, trials: 20 }, z95)[0]).toBe(0);
    expect(wilsonInterval({ events: 20, trials: 20 }, z95)[1]).toBe(1);
    expect(wilsonInterval({ events: 0, trials: 0 }, z95)).toEqual([0, 1]);
  });

  // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10, 95%.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 10, -0.2775, 0.2775],
  ])('%i/%i - %i/%i: published interval %f .. %f', (c, n2, a, n1, lower, upper) => {
    const [l, u] = newcombeDifference({ events: a, trials: n1 }, { events: c, trials: n2 }, z95);
    expect(l).toBeCloseTo(lower, 4);
    expect(u).toBeCloseTo(upper, 4);
  });
});

describe('two-proportion z test', () => {
  it('pooled z by hand: 20/1000 vs 10/1000', () => {
    const pooled = 30 / 2000;
    const expectedZ = 0.01 / Math.sqrt(pooled * (1 - pooled) * (2 / 1000));
    const { z, pValue } = twoProportionZ({ events: 10, trials: 1000 }, { events: 20, trials: 1000 });
    expect(z).toBeCloseTo(expectedZ, 12);
    expect(z).toBeCloseTo(1.8396, 4);
    expect(pValue).toBeCloseTo(0.0329, 4);
  });
});
