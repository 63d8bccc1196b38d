import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/util/edit-distance.js';

/** The textbook full-table optimal string alignment distance, to check the three-row one against. */
function fullTable(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it('counts typos as people make them', () => {
    expect(editDistance('valdate', 'validate')).toBe(1);
    expect(editDistance('deplyoment', 'deployment')).toBe(1);
    expect(editDistance('isvcs', 'isvc')).toBe(1);
    expect(editDistance('', 'run')).toBe(3);
    expect(editDistance('latency-p90', 'latency-p90')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('matches the full-table definition, is symmetric, and is bounded by the longer length', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 9 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const distance = editDistance(a, b);
        expect(distance).toBe(fullTable(a, b));
        expect(editDistance(b, a)).toBe(distance);
        expect(distance).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(distance >= Math.abs(a.length - b.length)).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
