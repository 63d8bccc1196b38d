import { describe, expect, it } from 'vitest';
import {
  MetricBoard,
  canonicalMetricName,
  metricNamePattern,
  toMetricValue,
} from '../../src/metrics/metric-board.js';
import { createLatencyHistogram, recordLatencyMs } from '../../src/tasks/http/latency-histogram.js';
import { recordLatencyMetrics } from '../../src/tasks/http/record-latency-metrics.js';

describe('toMetricValue', () => {
  it.each([
    [3.5, { value: 3.5 }],
    [0, { value: 0 }],
    ['42', { value: 42 }],
    [' 7 ', { value: 7 }],
    [Number.NaN, { value: null, reason: 'NaN' }],
    ['NaN', { value: null, reason: 'NaN' }],
    [Number.POSITIVE_INFINITY, { value: null, reason: '+Inf' }],
    [Number.NEGATIVE_INFINITY, { value: null, reason: '-Inf' }],
    ['+Inf', { value: null, reason: '+Inf' }],
    ['-Inf', { value: null, reason: '-Inf' }],
    ['inf', { value: null, reason: '+Inf' }],
    ['Infinity', { value: null, reason: '+Inf' }],
    ['', { value: null, reason: 'not a number: ""' }],
    ['abc', { value: null, reason: 'NaN' }],
    [true, { value: null, reason: 'not a number: true' }],
    [null, { value: null, reason: 'no value' }],
    [undefined, { value: null, reason: 'no value' }],
  ])('%j -> %j', (raw, expected) => {
    expect(toMetricValue(raw)).toEqual(expected);
  });

  it('keeps a given reason for a missing value', () => {
    expect(toMetricValue(null, 'query returned no series')).toEqual({
      value: null,
      reason: 'query returned no series',
    });
  });
});

describe('MetricBoard', () => {
  it('records per version and reads back', () => {
    const board = new MetricBoard();
    board.record(1, 'p/b', 2, { query: 'sum(x)' });
    board.record(1, 'p/a', 1, { info: { units: 'ms' } });
    board.record(1, 'p/a', 3, { info: { units: 'ignored later' } });
    expect(board.get(1, 'p/a')).toEqual({ value: 3 });
    expect(board.get(1, 'p/b')).toEqual({ value: 2, query: 'sum(x)' });
    expect(board.get(0, 'p/a')).toBeUndefined();
    expect(board.get(5, 'p/a')).toBeUndefined();
    expect(board.versionCount).toBe(2);
    expect(board.names()).toEqual(['p/a', 'p/b']);
    expect(board.info.get('p/a')).toEqual({ units: 'ms' });
    expect(board.toJSON(3)).toEqual([{}, { 'p/a': { value: 3 }, 'p/b': { value: 2, query: 'sum(x)' } }, {}]);
  });

  it('refuses bad version indexes and metric names', () => {
    const board = new MetricBoard();
    expect(() => board.record(-1, 'p/a', 1)).toThrow(RangeError);
    expect(() => board.record(0.5, 'p/a', 1)).toThrow(RangeError);
    expect(() => board.record(0, 'plain', 1)).toThrow(/<provider>\/<metric>/);
    expect(() => board.record(0, 'p/a/b', 1)).toThrow(RangeError);
  });
});

describe('<metric>/<aggregation> names', () => {
  it.each([
    ['grpc/latency/mean', 'grpc/latency-mean'],
    ['grpc/latency/p50.0', 'grpc/latency-p50'],
    ['grpc/latency/p97.5', 'grpc/latency-p97.5'],
    ['http/latency/p99.90', 'http/latency-p99.9'],
    ['kserve-prometheus/latency/stddev', 'kserve-prometheus/latency-stddev'],
    ['grpc/latency-p50.', 'grpc/latency-p50'],
  ])('%s is %s', (written, canonical) => {
    expect(metricNamePattern.test(written)).toBe(true);
    expect(canonicalMetricName(written)).toBe(canonical);
  });

  it.each(['grpc/latency/median', 'grpc/latency/p', 'a/b/c/mean', 'grpc'])('rejects %s', (name) => {
    expect(metricNamePattern.test(name)).toBe(false);
  });

  it('computes any aggregation of a recorded histogram, in either spelling, and keeps it', () => {
    const board = new MetricBoard();
    const histogram = createLatencyHistogram();
    for (let ms = 1; ms <= 200; ms++) recordLatencyMs(histogram, ms);
    recordLatencyMetrics(board, 'grpc', 0, histogram, [50]);
    expect(board.get(0, 'grpc/latency/p50')?.value).toBeCloseTo(100, 0);
    // p97.5 was not among the recorded percentiles: it comes from the histogram.
    expect(board.names()).not.toContain('grpc/latency-p97.5');
    expect(board.get(0, 'grpc/latency/p97.5')?.value).toBeCloseTo(195, 0);
    expect(board.get(0, 'grpc/latency-p97.5')?.value).toBeCloseTo(195, 0);
    expect(board.names()).toContain('grpc/latency-p97.5');
    expect(board.info.get('grpc/latency-p97.5')?.units).toBe('ms');
    expect(board.get(0, 'grpc/latency/count')?.value).toBe(200);
    expect(board.get(0, 'grpc/latency/max')?.value).toBeCloseTo(200, 0);
    // Another version, or a metric without a histogram, has no such value.
    expect(board.get(1, 'grpc/latency/p97.5')).toBeUndefined();
    expect(board.get(0, 'grpc/errors/p97.5')).toBeUndefined();
  });

  it('an empty histogram gives no value with a reason', () => {
    const board = new MetricBoard();
    recordLatencyMetrics(board, 'http', 0, createLatencyHistogram(), []);
    expect(board.get(0, 'http/latency/p97.5')).toEqual({ value: null, reason: 'no samples' });
  });
});
