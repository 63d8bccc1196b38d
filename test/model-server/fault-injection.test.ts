import { describe, expect, test } from 'vitest';
import { checkFaultOptions, createFaultInjector } from '../../src/model-server/fault-injection.js';

function failures(rate: number, n: number): number[] {
  const faults = createFaultInjector({ errorRate: rate });
  return Array.from({ length: n }, (_, i) => i + 1).filter(() => faults.nextRequestFails());
}

describe('fault injection', () => {
  test('failures are evenly spread: every 4th request at rate 0.25', () => {
    expect(failures(0.25, 12)).toEqual([4, 8, 12]);
  });

  test.each([0, 0.01, 0.1, 0.25, 0.29, 1 / 3, 0.5, 0.7, 0.999, 1])(
    'rate %d gives exactly floor(N * rate) failures in the first N requests',
    (rate) => {
      for (const n of [1, 7, 10, 100, 1000]) {
        expect(failures(rate, n)).toHaveLength(Math.floor((n * Math.round(rate * 1e6)) / 1e6));
      }
    },
  );

  test('delay without jitter is constant; jitter is seeded and bounded', () => {
    const fixed = createFaultInjector({ delayMs: 20 });
    expect([fixed.nextDelayMs(), fixed.nextDelayMs()]).toEqual([20, 20]);
    const draw = (seed: number) => {
      const faults = createFaultInjector({ delayMs: 10, jitterMs: 5, seed });
      return Array.from({ length: 50 }, () => faults.nextDelayMs());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((ms) => ms >= 10 && ms < 15)).toBe(true);
  });

  test('model latency: a seeded log-normal around the median, with the delay on top', () => {
    const draw = (options: { seed: number; delayMs?: number }) => {
      const faults = createFaultInjector({ modelLatencyMs: 4, ...options });
      return Array.from({ length: 4000 }, () => faults.nextDelayMs()).sort((a, b) => a - b);
    };
    const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
    const model = draw({ seed: 3 });
    expect(draw({ seed: 3 })).toEqual(model);
    expect(model.every((ms) => ms > 0)).toBe(true);
    // Median 4 ms; p90 = 4 * e^(1.2816 * 0.35) = 6.27 ms; generous bounds for 4000 draws.
    expect(quantile(model, 0.5)).toBeGreaterThan(3.8);
    expect(quantile(model, 0.5)).toBeLessThan(4.2);
    expect(quantile(model, 0.9)).toBeGreaterThan(5.9);
    expect(quantile(model, 0.9)).toBeLessThan(6.7);
    const mean = model.reduce((sum, ms) => sum + ms, 0) / model.length;
    expect(mean).toBeGreaterThan(quantile(model, 0.5)); // the right tail
    const slow = draw({ seed: 3, delayMs: 30 });
    expect(slow.map((ms, i) => ms - model[i]!).every((d) => Math.abs(d - 30) < 1e-9)).toBe(true);
    expect(createFaultInjector({ modelLatencyMs: 0, delayMs: 2 }).nextDelayMs()).toBe(2);
  });

  test('options are checked', () => {
    expect(checkFaultOptions({ delayMs: 5, errorRate: 0.5 }, 'v')).toEqual([]);
    expect(checkFaultOptions({ delayMs: -1, jitterMs: NaN, errorRate: 1.5 }, 'v')).toEqual([
      'v: delayMs must be a number >= 0 (got -1)',
      'v: jitterMs must be a number >= 0 (got NaN)',
      'v: errorRate must be a number from 0 to 1 (got 1.5)',
    ]);
  });
});
