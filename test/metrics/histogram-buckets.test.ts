import { describe, expect, it } from 'vitest';
import { interpretCumulativeBuckets } from '../../src/metrics/histogram-buckets.js';

describe('histogram metrics read from jq output', () => {
  it('turns Prometheus cumulative buckets (le as label strings) into bins, +Inf last', () => {
    expect(
      interpretCumulativeBuckets([
        { le: '+Inf', count: '10' },
        { le: '5', count: '2' },
        { le: '10', count: '7' },
      ]),
    ).toEqual({
      value: [
        { upper: 5, count: 2 },
        { upper: 10, count: 5 },
        { upper: Number.POSITIVE_INFINITY, count: 3 },
      ],
    });
  });

  it('takes [le, count] pairs too', () => {
    expect(
      interpretCumulativeBuckets([
        [1, 4],
        ['+Inf', 4],
      ]),
    ).toEqual({
      value: [
        { upper: 1, count: 4 },
        { upper: Number.POSITIVE_INFINITY, count: 0 },
      ],
    });
  });

  it.each([
    [[], /non-empty list/],
    [3, /non-empty list of \{le, count\} buckets, got 3/],
    [[{ le: 'x', count: 1 }], /bucket bound is not a number/],
    [[{ le: '1', count: -1 }], /finite number >= 0/],
    [[{ le: '1', count: 'NaN' }], /finite number >= 0/],
  ])('says why %j is not a histogram', (output, reason) => {
    const result = interpretCumulativeBuckets(output);
    expect(result.value).toBeNull();
    expect((result as { reason: string }).reason).toMatch(reason);
  });
});
