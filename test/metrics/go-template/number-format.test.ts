import { describe, expect, it } from 'vitest';
import { formatGoValue, goSprintf, GoInt, renderGoTemplate } from '../../../src/metrics/go-template/index.js';

describe("Go's %v for float64 (strconv 'g', shortest, exponent from 1e+06)", () => {
  it.each([
    [1000000.0, '1e+06'],
    [1e21, '1e+21'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [99.9, '99.9'],
    [3, '3'],
    [50.0, '50'],
    [0.5, '0.5'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [123456789.0, '1.23456789e+08'],
    [-2.5, '-2.5'],
    [-0, '-0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [5e-324, '5e-324'],
    [Infinity, '+Inf'],
    [NaN, 'NaN'],
  ])('%s prints as %s', (value, expected) => {
    expect(formatGoValue(value)).toBe(expected);
  });

  it('prints Go ints as integers and containers like fmt', () => {
    expect(formatGoValue(new GoInt(1000000))).toBe('1000000');
    expect(formatGoValue([50, 75, 90, 95, 99.9])).toBe('[50 75 90 95 99.9]');
    expect(formatGoValue({ b: 2, a: 1e6, c: null })).toBe('map[a:1e+06 b:2 c:<nil>]');
  });

  it('prints a missing key as <no value>', () => {
    expect(renderGoTemplate('{{ .missing }}|{{ .present }}', 't', { present: null })).toBe(
      '<no value>|<no value>',
    );
  });
});

describe('printf', () => {
  it('rounds half to even on exact ties like Go (not like toFixed)', () => {
    expect(goSprintf('%.0f %.0f %.2f %.1f', [0.5, 2.5, 0.125, 0.25])).toBe('0 2 0.12 0.2');
  });

  it('reports missing, extra and mistyped operands like fmt', () => {
    expect(goSprintf('%s %s', ['a'])).toBe('a %!s(MISSING)');
    expect(goSprintf('%s', ['a', 1.5])).toBe('a%!(EXTRA float64=1.5)');
    expect(goSprintf('%d', ['x'])).toBe('%!d(string=x)');
    expect(goSprintf('%s', [{ n: 2 }])).toBe('map[n:%!s(float64=2)]');
  });
});
