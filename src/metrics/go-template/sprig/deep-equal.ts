/** reflect.DeepEqual for template values: same Go type and same contents. */
import { GoInt, goTypeName, isGoMap } from '../go-values.js';

export function goDeepEqual(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a instanceof GoInt && b instanceof GoInt) return a.value === b.value;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => goDeepEqual(item, b[i]));
  }
  if (isGoMap(a) && isGoMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && goDeepEqual(a[k], b[k]));
  }
  return a === b;
}
