import { describe, expect, it } from 'vitest';
import { lookAlpha, obrienFlemingSpent, openEndedSpent } from '../../src/stats/index.js';

// Standard normal upper tail by Simpson integration of the density: independent of @stdlib.
function upperTail(x: number): number {
  const steps = 20_000;
  const end = x + 12;
  const h = (end - x) / steps;
  const density = (t: number): number => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let sum = density(x) + density(end);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * density(x + i * h);
  return (sum * h) / 3;
}

describe('alpha spending', () => {
  it("O'Brien-Fleming-type spending is 2 Phi(-z_{1-alpha/2} / sqrt(t))", () => {
    // z_{0.9875} = 2.241402727604947 (alpha = 0.025 one-sided).
    for (const t of [0.2, 0.5, 0.8]) {
      expect(obrienFlemingSpent(0.025, t)).toBeCloseTo(2 * upperTail(2.241402727604947 / Math.sqrt(t)), 9);
    }
    expect(obrienFlemingSpent(0.025, 0.5)).toBeCloseTo(0.001525, 6);
    expect(obrienFlemingSpent(0.05, 0)).toBe(0);
    expect(obrienFlemingSpent(0.05, 1)).toBe(0.05);
  });

  it('planned looks: increments are positive, grow, and add up to alpha', () => {
    const looks = [1, 2, 3, 4, 5].map((look) => lookAlpha({ alpha: 0.05, look, looks: 5 }));
    let spent = 0;
    for (const [index, look] of looks.entries()) {
      expect(look.alpha).toBeGreaterThan(0);
      if (index > 0) expect(look.alpha).toBeGreaterThan(looks[index - 1]!.alpha);
      spent += look.alpha;
      expect(look.alphaSpent).toBeCloseTo(spent, 15);
      expect(look.method).toBe('lan-demets-obrien-fleming');
    }
    expect(spent).toBeCloseTo(0.05, 15);
    expect(looks[0]!.alpha).toBeCloseTo(1.1726e-5, 8);
    expect(looks[4]!.alpha).toBeCloseTo(0.02157, 5);
  });

  it('open-ended looks: alpha 6/(pi^2 k^2), never more than alpha in total', () => {
    expect(lookAlpha({ look: 1, looks: null }).alpha).toBeCloseTo((0.05 * 6) / Math.PI ** 2, 15);
    expect(lookAlpha({ look: 10, looks: null }).alpha).toBeCloseTo((0.05 * 6) / (Math.PI ** 2 * 100), 15);
    expect(openEndedSpent(0.05, 10_000)).toBeLessThan(0.05);
    expect(openEndedSpent(0.05, 10_000)).toBeGreaterThan(0.0499);
    expect(lookAlpha({ look: 3, looks: null }).alphaSpent).toBeCloseTo(
      ((0.05 * 6) / Math.PI ** 2) * (1 + 1 / 4 + 1 / 9),
      15,
    );
  });

  it('a single look gets all of alpha; looks beyond the plan get none', () => {
    expect(lookAlpha()).toEqual({
      alpha: 0.05,
      alphaSpent: 0.05,
      total: 0.05,
      method: 'single-look',
      look: 1,
      looks: 1,
    });
    expect(lookAlpha({ look: 2 }).alpha).toBe(0);
    expect(lookAlpha({ look: 6, looks: 5 })).toMatchObject({ alpha: 0, alphaSpent: 0.05 });
  });

  it.each([
    [{ alpha: 0 }, /alpha must be in \(0, 0.5\)/],
    [{ alpha: 0.7 }, /alpha must be in/],
    [{ alpha: Number.NaN }, /alpha must be in/],
    [{ look: 0 }, /look must be an integer >= 1/],
    [{ look: 1.5 }, /look must be an integer/],
    [{ looks: 0 }, /looks must be an integer >= 1/],
  ])('rejects %o', (options, message) => {
    expect(() => lookAlpha(options)).toThrow(message);
  });
});
