import { describe, expect, it } from 'vitest';
import {
  createLatencyHistogram,
  latencyBins,
  latencyBuckets,
  latencyLine,
  recordLatencyMs,
  summarizeLatency,
} from '../../../src/tasks/http/latency-histogram.js';

function histogramOf(valuesMs: number[]) {
  const histogram = createLatencyHistogram();
  for (const ms of valuesMs) recordLatencyMs(histogram, ms);
  return histogram;
}

describe('latencyBuckets', () => {
  it('is empty for an empty histogram', () => {
    expect(latencyBuckets(createLatencyHistogram())).toEqual([]);
  });

  it('uses fixed round bounds, inclusive above, with empty buckets in between', () => {
    const buckets = latencyBuckets(histogramOf([0.9, 1, 1.1, 1.5, 2.2, 3]));
    expect(buckets).toEqual([
      { upperMs: 1, count: 2 },
      { upperMs: 1.2, count: 1 },
      { upperMs: 1.5, count: 1 },
      { upperMs: 2, count: 0 },
      { upperMs: 2.5, count: 1 },
      { upperMs: 3, count: 1 },
    ]);
  });

  it('places values at bucket edges consistently at any magnitude', () => {
    // 20 ms is in the 20 ms bucket; 20.1 ms is beyond the 0.1% HDR resolution of 20, so in the next.
    const buckets = latencyBuckets(histogramOf([20, 20, 20.1, 500, 0.001]));
    expect(buckets[0]).toEqual({ upperMs: 0.01, count: 1 });
    expect(buckets.find((b) => b.upperMs === 20)).toEqual({ upperMs: 20, count: 2 });
    expect(buckets.find((b) => b.upperMs === 25)).toEqual({ upperMs: 25, count: 1 });
    expect(buckets.at(-1)).toEqual({ upperMs: 500, count: 1 });
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(5);
    const bounds = buckets.map((b) => b.upperMs);
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
    expect(bounds).toContain(1);
    expect(bounds).toContain(1.2);
    expect(bounds).toContain(80);
  });

  it('gives the same buckets for the same values in any order', () => {
    const values = Array.from({ length: 500 }, (_, i) => 0.2 + ((i * 37) % 101) * 0.7);
    expect(latencyBuckets(histogramOf([...values].reverse()))).toEqual(latencyBuckets(histogramOf(values)));
  });
});

describe('summarizeLatency', () => {
  it('reports milliseconds with 0.1% resolution and percentiles within min and max', () => {
    const summary = summarizeLatency(histogramOf([10, 20, 30, 40]), [50, 100])!;
    expect(summary.minMs).toBe(10);
    expect(summary.maxMs).toBe(40);
    expect(summary.meanMs).toBeCloseTo(25, 1);
    expect(summary.percentiles[0]!.valueMs).toBeGreaterThanOrEqual(20);
    expect(summary.percentiles[0]!.valueMs).toBeLessThanOrEqual(20 * 1.001);
    expect(summary.percentiles[1]!.valueMs).toBe(40);
  });

  it('is undefined without values', () => {
    expect(summarizeLatency(createLatencyHistogram(), [50])).toBeUndefined();
  });
});

describe('latencyBins', () => {
  it("leads with an empty bin closing at the first bucket's lower edge, so no value reads as near 0", () => {
    const bins = latencyBins(histogramOf([33, 35, 38]));
    expect(bins[0]).toEqual({ upper: 30, count: 0 });
    expect(bins.slice(1)).toEqual([{ upper: 40, count: 3 }]);
  });

  it('needs no lead below the lowest bound, and is empty for an empty histogram', () => {
    expect(latencyBins(histogramOf([0.001]))).toEqual([{ upper: 0.01, count: 1 }]);
    expect(latencyBins(createLatencyHistogram())).toEqual([]);
  });
});

describe('latencyLine', () => {
  it('is undefined for an empty histogram', () => {
    expect(latencyLine(createLatencyHistogram(), [50])).toBeUndefined();
  });

  it('lists mean, min, the percentiles and max, 3 decimals below 100 ms and 1 above', () => {
    expect(latencyLine(histogramOf([2, 4, 200]), [50])).toBe(
      '  latency ms: mean 68.667 min 2.000 p50 4.001 max 200.0',
    );
  });
});
