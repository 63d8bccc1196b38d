/** Go template comparison functions (eq, ne, lt, le, gt, ge) with Go's basic-kind rules. */
import { goSprintf } from './go-fmt.js';
import { GoFunctionError } from './go-function.js';
import { compareGoStrings, GoInt, goTypeName, isGoMap } from './go-values.js';

type BasicKind = 'invalid' | 'bool' | 'int' | 'uint' | 'float' | 'string';

function basicKind(value: unknown): BasicKind {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (value instanceof GoInt) return value.kind === 'uint8' ? 'uint' : 'int';
  return 'invalid';
}

const badComparisonType = 'invalid type for comparison';
const badComparison = 'incompatible types for comparison';

function numeric(value: unknown): number {
  return value instanceof GoInt ? value.value : (value as number);
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined;
}

function reflectKind(value: unknown): string {
  if (isMissing(value)) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (isGoMap(value)) return 'map';
  return goTypeName(value);
}

function equalPair(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return numeric(a) === numeric(b);
    if (!isMissing(a) && !isMissing(b)) throw new GoFunctionError(badComparison);
    return false;
  }
  switch (k1) {
    case 'bool':
    case 'string':
      return a === b;
    case 'int':
    case 'uint':
    case 'float':
      return numeric(a) === numeric(b);
  }
  // Neither side is a basic kind: only nil-ness can be compared for maps and slices.
  const ka = reflectKind(a);
  const kb = reflectKind(b);
  if (ka !== kb && ka !== 'invalid' && kb !== 'invalid') {
    throw new GoFunctionError(
      `non-comparable types ${goSprintf('%s', [a])}: ${goTypeName(a)}, ${goTypeName(b)}: ${goSprintf('%v', [b])}`,
    );
  }
  if (isMissing(a) || isMissing(b)) return isMissing(a) === isMissing(b);
  throw new GoFunctionError(`non-comparable type ${goSprintf('%s', [b])}: ${goTypeName(b)}`);
}

export function goEq(first: unknown, others: readonly unknown[]): boolean {
  if (others.length === 0) throw new GoFunctionError('missing argument for comparison');
  for (const other of others) {
    if (equalPair(first, other)) return true;
  }
  return false;
}

export function goLt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new GoFunctionError(badComparisonType);
  if (k1 !== k2) {
    if ((k1 === 'int' && k2 === 'uint') || (k1 === 'uint' && k2 === 'int')) return numeric(a) < numeric(b);
    throw new GoFunctionError(badComparison);
  }
  switch (k1) {
    case 'bool':
      throw new GoFunctionError(badComparisonType);
    case 'string':
      return compareGoStrings(a as string, b as string) < 0;
    default:
      return numeric(a) < numeric(b);
  }
}

export function goLe(a: unknown, b: unknown): boolean {
  return goLt(a, b) || goEq(a, [b]);
}
