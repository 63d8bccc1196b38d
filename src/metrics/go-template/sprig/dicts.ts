/** Sprig's dict functions over map[string]interface {}. */
import { fn, GoFunctionError, variadicFn, type GoFunction } from '../go-function.js';
import {
  hasOwnKey,
  isGoMap,
  newGoMap,
  setMapKey,
  sortedKeys,
  tagGoType,
  goTypeName,
  type GoMap,
} from '../go-values.js';
import { stringList, strval } from './conversions.js';

// A nil map parameter arrives as null; reading it is fine, writing panics as in Go.
function asMap(value: unknown): GoMap {
  return isGoMap(value) ? value : newGoMap();
}

function dict(args: unknown[]): GoMap {
  const map = newGoMap();
  for (let i = 0; i < args.length; i += 2) {
    setMapKey(map, strval(args[i]), i + 1 < args.length ? args[i + 1] : '');
  }
  return map;
}

function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return tagGoType(value.map(deepCopy), goTypeName(value));
  if (isGoMap(value)) {
    const copy = newGoMap();
    for (const key of Object.keys(value)) setMapKey(copy, key, deepCopy(value[key]));
    return tagGoType(copy, goTypeName(value));
  }
  return value;
}

function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new GoFunctionError('dig needs at least three arguments');
  const map = args[args.length - 1];
  const fallback = args[args.length - 2];
  const keys = args.slice(0, -2);
  const conversion = (value: unknown, want: string): GoFunctionError =>
    new GoFunctionError(`interface conversion: interface {} is ${goTypeName(value)}, not ${want}`);
  let current: unknown = map;
  for (const key of keys) {
    if (!isGoMap(current)) throw conversion(current, 'map[string]interface {}');
    if (typeof key !== 'string') throw conversion(key, 'string');
    if (!hasOwnKey(current, key)) return fallback;
    current = current[key];
  }
  return current;
}

export const dictFunctions: Record<string, GoFunction> = {
  dict: variadicFn([], 'any', dict),
  get: fn(['map', 'string'], ([d, key]) => {
    const map = asMap(d);
    return hasOwnKey(map, key as string) ? map[key as string] : '';
  }),
  set: fn(['map', 'string', 'any'], ([d, key, value]) => {
    if (!isGoMap(d)) throw new GoFunctionError('assignment to entry in nil map');
    setMapKey(d, key as string, value);
    return d;
  }),
  unset: fn(['map', 'string'], ([d, key]) => {
    if (isGoMap(d)) delete d[key as string];
    return d;
  }),
  hasKey: fn(['map', 'string'], ([d, key]) => hasOwnKey(asMap(d), key as string)),
  pluck: variadicFn(['string'], 'map', ([key, ...maps]) =>
    maps
      .map(asMap)
      .filter((m) => hasOwnKey(m, key as string))
      .map((m) => m[key as string]),
  ),
  // Go's map order is random; sorted order is one of the orders Go could produce.
  keys: variadicFn([], 'map', (maps) => stringList(maps.flatMap((m) => sortedKeys(asMap(m))))),
  values: fn(['map'], ([d]) => {
    const map = asMap(d);
    return sortedKeys(map).map((k) => map[k]);
  }),
  pick: variadicFn(['map'], 'string', ([d, ...keys]) => {
    const map = asMap(d);
    const out = newGoMap();
    for (const key of keys as string[]) if (hasOwnKey(map, key)) setMapKey(out, key, map[key]);
    return out;
  }),
  omit: variadicFn(['map'], 'string', ([d, ...keys]) => {
    const map = asMap(d);
    const out = newGoMap();
    for (const key of Object.keys(map)) if (!(keys as string[]).includes(key)) setMapKey(out, key, map[key]);
    return out;
  }),
  dig: variadicFn([], 'any', dig),
  deepCopy: fn(['any'], ([v]) => deepCopy(v)),
  mustDeepCopy: fn(['any'], ([v]) => deepCopy(v)),
};
