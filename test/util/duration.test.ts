import { describe, expect, it } from 'vitest';
import { DurationSyntaxError, formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    { text: '0', ms: 0 },
    { text: '0s', ms: 0 },
    { text: '180s', ms: 180_000 },
    { text: '1m30s', ms: 90_000 },
    { text: '1.5h', ms: 5_400_000 },
    { text: '250ms', ms: 250 },
    { text: '2h45m', ms: 9_900_000 },
    { text: '10us', ms: 0.01 },
    { text: '10µs', ms: 0.01 }, // micro sign U+00B5
    { text: '10μs', ms: 0.01 }, // Greek mu U+03BC
    { text: '5ns', ms: 0.000005 },
    { text: '1.1s', ms: 1100 },
    { text: '0.3s', ms: 300 },
    { text: '.5s', ms: 500 },
    { text: '1.s', ms: 1000 },
    { text: '+5s', ms: 5000 },
    { text: '1h1m1s1ms', ms: 3_661_001 },
    { text: '1.5ms', ms: 1.5 },
    { text: '90m', ms: 5_400_000 },
    { text: '1s500ms', ms: 1500 },
    { text: '0.005s', ms: 5 },
  ])('$text -> $ms ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    { text: '', message: 'duration is empty' },
    { text: '-5s', message: 'duration "-5s" is negative' },
    { text: '-0', message: 'is negative' },
    { text: '180', message: 'duration "180" has no unit (did you mean "180s"?)' },
    { text: '1.5', message: 'has no unit (did you mean "1.5s"?)' },
    { text: '00', message: 'has no unit' },
    { text: '1m30', message: 'missing a unit after "30"' },
    { text: '5d', message: 'unknown unit "d"' },
    { text: '5S', message: 'unknown unit "S"' },
    { text: '5sec', message: 'unknown unit "sec"' },
    { text: '1m 30s', message: 'must not contain spaces' },
    { text: ' 5s', message: 'must not contain spaces' },
    { text: 's', message: 'expected a number at "s"' },
    { text: '.s', message: 'expected a number' },
    { text: '+', message: 'is not a duration' },
    { text: '1s.', message: 'expected a number at "."' },
    { text: 'abc', message: 'is not a duration' },
    { text: '3000000h', message: 'too large' },
  ])('rejects $text', ({ text, message }) => {
    let caught: unknown;
    try {
      parseDuration(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DurationSyntaxError);
    const error = caught as DurationSyntaxError;
    expect(error.name).toBe('DurationSyntaxError');
    expect(error.text).toBe(text);
    expect(error.message).toContain(message);
    // Every message shows what a valid duration looks like.
    expect(error.message).toContain('"1m30s"');
  });
});

describe('formatDuration', () => {
  it.each([
    { ms: 0, text: '0s' },
    { ms: 90_000, text: '1m30s' },
    { ms: 250, text: '250ms' },
    { ms: 7_200_000, text: '2h' },
    { ms: 1500, text: '1.5s' },
    { ms: 1000, text: '1s' },
    { ms: 180_000, text: '3m' },
    { ms: 9_900_000, text: '2h45m' },
    { ms: 3_605_000, text: '1h5s' },
    { ms: 3_661_001, text: '1h1m1.001s' },
    { ms: 90_500, text: '1m30.5s' },
    { ms: 1.5, text: '1.5ms' },
    { ms: 0.01, text: '10µs' },
    { ms: 0.0105, text: '10.5µs' },
    { ms: 0.000005, text: '5ns' },
    { ms: 999.9999, text: '1s' },
    { ms: 59_999.9, text: '1m' },
    { ms: -1500, text: '-1.5s' },
  ])('$ms ms -> $text', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %s', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });

  it.each([0, 0.000005, 0.01, 1.5, 250, 1500, 90_000, 3_605_000, 9_900_000, 86_400_000])(
    'round-trips %s ms through parseDuration',
    (ms) => {
      expect(parseDuration(formatDuration(ms))).toBeCloseTo(ms, 9);
    },
  );
});
