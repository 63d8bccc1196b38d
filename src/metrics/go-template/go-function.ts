/** How template functions are declared: Go parameter types drive argument checks. */

/**
 * Parameter types the engine checks arguments against, as Go's reflection
 * would: `any` is interface {}, `value` is reflect.Value (sees nil and
 * missing values as they are), `map` is map[string]interface {}.
 */
export type ParamType = 'any' | 'value' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | 'map';

export interface GoFunction {
  /** Fixed parameters. */
  params: readonly ParamType[];
  /** Element type of a trailing variadic parameter. */
  variadic?: ParamType;
  call(args: unknown[]): unknown;
}

/** Go's spelling of a parameter type in error messages. */
export function paramTypeName(type: ParamType): string {
  switch (type) {
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'map':
      return 'map[string]interface {}';
    default:
      return type;
  }
}

/** Declares a function with fixed parameters. */
export function fn(params: readonly ParamType[], call: (args: unknown[]) => unknown): GoFunction {
  return { params, call };
}

/** Declares a function whose last parameter is variadic. */
export function variadicFn(
  params: readonly ParamType[],
  variadic: ParamType,
  call: (args: unknown[]) => unknown,
): GoFunction {
  return { params, variadic, call };
}

/** The error a function returned (or the panic it raised); surfaces as "error calling NAME: ...". */
export class GoFunctionError extends Error {}

/** What reflect.TypeOf(nil).Kind() does inside Sprig's list functions. */
export const nilPointerPanic = 'runtime error: invalid memory address or nil pointer dereference';
