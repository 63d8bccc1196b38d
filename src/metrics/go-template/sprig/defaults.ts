/** Sprig's default/empty family, ternary and fail. */
import { fn, GoFunctionError, variadicFn, type GoFunction } from '../go-function.js';
import { isTruthy } from '../go-values.js';

/** Sprig's empty: zero values, nil and empty collections. */
export const isEmpty = (value: unknown): boolean => !isTruthy(value);

export const defaultFunctions: Record<string, GoFunction> = {
  default: variadicFn(['any'], 'any', ([fallback, ...given]) =>
    given.length === 0 || isEmpty(given[0]) ? fallback : given[0],
  ),
  empty: fn(['any'], ([v]) => isEmpty(v)),
  coalesce: variadicFn([], 'any', (values) => values.find((v) => !isEmpty(v)) ?? null),
  all: variadicFn([], 'any', (values) => values.every((v) => !isEmpty(v))),
  any: variadicFn([], 'any', (values) => values.some((v) => !isEmpty(v))),
  ternary: fn(['any', 'any', 'bool'], ([whenTrue, whenFalse, condition]) =>
    condition ? whenTrue : whenFalse,
  ),
  fail: fn(['string'], ([message]) => {
    throw new GoFunctionError(message as string);
  }),
};
