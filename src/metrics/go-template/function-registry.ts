/** The function map canary templates see: Go's builtins overlaid with Sprig (as Funcs() does). */
import { builtinFunctions } from './builtin-functions.js';
import type { GoFunction } from './go-function.js';
import type { FunctionStatus } from './parser.js';
import { allSprigFunctionNames, sprigFunctions } from './sprig/index.js';

// Sprig's entries win over builtins of the same name (Sprig's slice replaces Go's).
export const templateFunctions: ReadonlyMap<string, GoFunction> = new Map(
  Object.entries({ ...builtinFunctions, ...sprigFunctions }),
);

// Go's own builtin that canary leaves out: templates here hold data, never functions to call.
const unsupportedBuiltins = new Set(['call']);

export function functionStatus(name: string): FunctionStatus {
  if (templateFunctions.has(name)) return 'defined';
  return allSprigFunctionNames.has(name) || unsupportedBuiltins.has(name) ? 'unsupported' : 'undefined';
}
