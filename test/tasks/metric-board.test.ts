import { describe, expect, it } from 'vitest';
import { MetricBoard, toMetricValue } from '../../src/metrics/metric-board.js';

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
