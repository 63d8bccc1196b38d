import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/report/format-number.js';

describe('formatNumber', () => {
  it.each([
    { value: 0, text: '0' },
    { value: -0, text: '0' },
    { value: 25, text: '25' },
    { value: 21.3, text: '21.3' },
    { value: 38.123456, text: '38.1235' },
    { value: -4.5, text: '-4.5' },
    { value: 123456789, text: '123456789' },
    { value: 0.5, text: '0.5' },
    { value: 0.000123456, text: '0.0001235' },
    { value: 0.99999, text: '1' },
    { value: 1.23456e-9, text: '1.235e-9' },
    { value: 2e20, text: '2e20' },
    { value: Number.NaN, text: 'NaN' },
    { value: Number.POSITIVE_INFINITY, text: '+Inf' },
    { value: null, text: '-' },
    { value: undefined, text: '-' },
  ])('formats $value as $text', ({ value, text }) => {
    expect(formatNumber(value)).toBe(text);
  });
});
