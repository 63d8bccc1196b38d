/** Sprig's integer and float math (int64 arithmetic via spf13/cast conversions). */
import { fn, GoFunctionError, variadicFn, type GoFunction } from '../go-function.js';
import { GoInt } from '../go-values.js';
import { parseIntBase0, toFloat64, toInt64 } from './conversions.js';

const int64 = (value: bigint): GoInt => new GoInt(Number(BigInt.asIntN(64, value)), 'int64');
const big = (value: unknown): bigint => BigInt(toInt64(value));

function divide(a: unknown, b: unknown, op: 'div' | 'mod'): GoInt {
  const divisor = big(b);
  if (divisor === 0n) throw new GoFunctionError('runtime error: integer divide by zero');
  return int64(op === 'div' ? big(a) / divisor : big(a) % divisor);
}

/** Sprig's round: rounds away from zero at roundOn (default .5) after scaling by 10^places. */
function round(value: unknown, places: number, roundOn: number): number {
  const pow = Math.pow(10, places);
  const digit = pow * toFloat64(value);
  const fraction = digit - Math.trunc(digit);
  return (fraction >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

/** strconv.Atoi: base 10, optional sign; 0 on error (Sprig ignores the error). */
function atoi(text: string): GoInt {
  if (!/^[+-]?\d+$/.test(text)) return new GoInt(0);
  return new GoInt(parseIntBase0(text.replace(/^([+-]?)0+(?=\d)/, '$1')) ?? 0);
}

export const mathFunctions: Record<string, GoFunction> = {
  add1: fn(['any'], ([a]) => int64(big(a) + 1n)),
  add: variadicFn([], 'any', (args) => int64(args.reduce<bigint>((sum, v) => sum + big(v), 0n))),
  sub: fn(['any', 'any'], ([a, b]) => int64(big(a) - big(b))),
  div: fn(['any', 'any'], ([a, b]) => divide(a, b, 'div')),
  mod: fn(['any', 'any'], ([a, b]) => divide(a, b, 'mod')),
  mul: variadicFn(['any'], 'any', ([a, ...rest]) => int64(rest.reduce<bigint>((p, v) => p * big(v), big(a)))),
  max: variadicFn(
    ['any'],
    'any',
    ([a, ...rest]) => new GoInt(Math.max(toInt64(a), ...rest.map(toInt64)), 'int64'),
  ),
  biggest: variadicFn(
    ['any'],
    'any',
    ([a, ...rest]) => new GoInt(Math.max(toInt64(a), ...rest.map(toInt64)), 'int64'),
  ),
  min: variadicFn(
    ['any'],
    'any',
    ([a, ...rest]) => new GoInt(Math.min(toInt64(a), ...rest.map(toInt64)), 'int64'),
  ),
  maxf: variadicFn(['any'], 'any', ([a, ...rest]) =>
    rest.map(toFloat64).reduce((m, v) => Math.max(m, v), toFloat64(a)),
  ),
  minf: variadicFn(['any'], 'any', ([a, ...rest]) =>
    rest.map(toFloat64).reduce((m, v) => Math.min(m, v), toFloat64(a)),
  ),
  floor: fn(['any'], ([a]) => Math.floor(toFloat64(a))),
  ceil: fn(['any'], ([a]) => Math.ceil(toFloat64(a))),
  round: variadicFn(['any', 'int'], 'float64', ([a, p, roundOn]) =>
    round(a, (p as GoInt).value, typeof roundOn === 'number' ? roundOn : 0.5),
  ),
  int: fn(['any'], ([a]) => new GoInt(toInt64(a), 'int')),
  int64: fn(['any'], ([a]) => new GoInt(toInt64(a), 'int64')),
  float64: fn(['any'], ([a]) => toFloat64(a)),
  atoi: fn(['string'], ([s]) => atoi(s as string)),
};
