/** Sprig's list functions. Errors and panics read as Sprig's do. */
import { fn, GoFunctionError, nilPointerPanic, variadicFn, type GoFunction } from '../go-function.js';
import { GoInt, goTypeName, isNil, isTruthy, nilSlice, tagGoType } from '../go-values.js';
import { MAX_TEMPLATE_STEPS } from '../../../util/template-budget.js';
import { goDeepEqual } from './deep-equal.js';
import { kindForError, stringList, strslice, toInt64 } from './conversions.js';
import { compareGoStrings } from '../go-values.js';

/** reflect.TypeOf(list).Kind() on a nil list panics before Sprig can report a kind. */
function requireList(list: unknown, action: string): unknown[] {
  if (isNil(list)) throw new GoFunctionError(nilPointerPanic);
  if (!Array.isArray(list)) throw new GoFunctionError(`Cannot ${action} type ${kindForError(list)}`);
  return list;
}

function anyList(items: unknown[]): unknown[] {
  return items;
}

function listOp(action: string, body: (list: unknown[]) => unknown): (args: unknown[]) => unknown {
  return ([list]) => body(requireList(list, action));
}

function slice(list: unknown, indices: unknown[]): unknown {
  if (isNil(list)) throw new GoFunctionError(nilPointerPanic);
  if (!Array.isArray(list)) {
    throw new GoFunctionError(`list should be type of slice or array but ${kindForError(list)}`);
  }
  if (list.length === 0) return null;
  const start = indices.length > 0 ? toInt64(indices[0]) : 0;
  const end = indices.length < 2 ? list.length : toInt64(indices[1]);
  if (start < 0 || end < start || end > list.length)
    throw new GoFunctionError('reflect.Value.Slice: slice index out of bounds');
  const type = goTypeName(list);
  const result = list.slice(start, end);
  return type === '[]interface {}' ? result : tagGoType(result, type);
}

function untilStep(start: number, stop: number, step: number): GoInt[] {
  const out: GoInt[] = [];
  // Go would try to allocate it; here it would block canary: refuse lists no template needs.
  const count = step === 0 ? 0 : Math.ceil((stop - start) / step);
  if (count > MAX_TEMPLATE_STEPS)
    throw new GoFunctionError(
      `a list of ${count} items is more than the ${MAX_TEMPLATE_STEPS} a template may make`,
    );
  if (stop < start) {
    if (step >= 0) return tagGoType(out, '[]int');
    for (let i = start; i > stop; i += step) out.push(new GoInt(i));
    return tagGoType(out, '[]int');
  }
  if (step <= 0) return tagGoType(out, '[]int');
  for (let i = start; i < stop; i += step) out.push(new GoInt(i));
  return tagGoType(out, '[]int');
}

function uniq(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of list) if (!out.some((seen) => goDeepEqual(item, seen))) out.push(item);
  return out;
}

function chunk(size: number, list: unknown[]): unknown[] {
  // Go panics on the division by zero; here the loop below would never end.
  if (size <= 0 && list.length > 0) throw new GoFunctionError('runtime error: integer divide by zero');
  const count = Math.floor((list.length - 1) / size) + 1;
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(list.slice(i * size, i * size + size));
  return tagGoType(out, '[][]interface {}');
}

const push = ([list, v]: unknown[]): unknown => [...requireList(list, 'push on'), v];
const prepend = ([list, v]: unknown[]): unknown => [v, ...requireList(list, 'prepend on')];

export const listFunctions: Record<string, GoFunction> = {
  list: variadicFn([], 'any', (items) => anyList(items)),
  tuple: variadicFn([], 'any', (items) => anyList(items)),
  append: fn(['any', 'any'], push),
  push: fn(['any', 'any'], push),
  mustAppend: fn(['any', 'any'], push),
  mustPush: fn(['any', 'any'], push),
  prepend: fn(['any', 'any'], prepend),
  mustPrepend: fn(['any', 'any'], prepend),
  first: fn(
    ['any'],
    listOp('find first on', (l) => (l.length === 0 ? null : l[0])),
  ),
  mustFirst: fn(
    ['any'],
    listOp('find first on', (l) => (l.length === 0 ? null : l[0])),
  ),
  last: fn(
    ['any'],
    listOp('find last on', (l) => (l.length === 0 ? null : l[l.length - 1])),
  ),
  mustLast: fn(
    ['any'],
    listOp('find last on', (l) => (l.length === 0 ? null : l[l.length - 1])),
  ),
  rest: fn(
    ['any'],
    listOp('find rest on', (l) => (l.length === 0 ? nilSlice() : l.slice(1))),
  ),
  mustRest: fn(
    ['any'],
    listOp('find rest on', (l) => (l.length === 0 ? nilSlice() : l.slice(1))),
  ),
  initial: fn(
    ['any'],
    listOp('find initial on', (l) => (l.length === 0 ? nilSlice() : l.slice(0, -1))),
  ),
  mustInitial: fn(
    ['any'],
    listOp('find initial on', (l) => (l.length === 0 ? nilSlice() : l.slice(0, -1))),
  ),
  reverse: fn(
    ['any'],
    listOp('find reverse on', (l) => [...l].reverse()),
  ),
  mustReverse: fn(
    ['any'],
    listOp('find reverse on', (l) => [...l].reverse()),
  ),
  uniq: fn(['any'], listOp('find uniq on', uniq)),
  mustUniq: fn(['any'], listOp('find uniq on', uniq)),
  compact: fn(
    ['any'],
    listOp('compact on', (l) => l.filter(isTruthy)),
  ),
  mustCompact: fn(
    ['any'],
    listOp('compact on', (l) => l.filter(isTruthy)),
  ),
  without: variadicFn(['any'], 'any', ([list, ...omit]) =>
    requireList(list, 'find without on').filter((item) => !omit.some((o) => goDeepEqual(item, o))),
  ),
  mustWithout: variadicFn(['any'], 'any', ([list, ...omit]) =>
    requireList(list, 'find without on').filter((item) => !omit.some((o) => goDeepEqual(item, o))),
  ),
  has: fn(['any', 'any'], ([needle, haystack]) => {
    if (isNil(haystack)) return false;
    return requireList(haystack, 'find has on').some((item) => goDeepEqual(needle, item));
  }),
  mustHas: fn(['any', 'any'], ([needle, haystack]) => {
    if (isNil(haystack)) return false;
    return requireList(haystack, 'find has on').some((item) => goDeepEqual(needle, item));
  }),
  slice: variadicFn(['any'], 'any', ([list, ...indices]) => slice(list, indices)),
  mustSlice: variadicFn(['any'], 'any', ([list, ...indices]) => slice(list, indices)),
  concat: variadicFn([], 'any', (lists) => {
    const out: unknown[] = [];
    for (const list of lists) {
      if (isNil(list)) throw new GoFunctionError(nilPointerPanic);
      if (!Array.isArray(list)) throw new GoFunctionError(`Cannot concat type ${kindForError(list)} as list`);
      out.push(...list);
    }
    return out.length === 0 ? nilSlice() : out;
  }),
  chunk: fn(['int', 'any'], ([size, list]) => chunk((size as GoInt).value, requireList(list, 'chunk'))),
  mustChunk: fn(['int', 'any'], ([size, list]) => chunk((size as GoInt).value, requireList(list, 'chunk'))),
  sortAlpha: fn(['any'], ([list]) => {
    if (!Array.isArray(list)) return stringList([strslice(list)[0] ?? '<nil>']);
    return stringList([...strslice(list)].sort(compareGoStrings));
  }),
  until: fn(['int'], ([count]) => {
    const n = (count as GoInt).value;
    return untilStep(0, n, n < 0 ? -1 : 1);
  }),
  untilStep: fn(['int', 'int', 'int'], ([a, b, c]) =>
    untilStep((a as GoInt).value, (b as GoInt).value, (c as GoInt).value),
  ),
};
