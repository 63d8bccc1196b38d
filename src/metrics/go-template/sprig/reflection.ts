/** Sprig's type inspection functions. */
import { fn, type GoFunction } from '../go-function.js';
import { goKindName, goTypeName } from '../go-values.js';
import { goDeepEqual } from './deep-equal.js';

export const reflectionFunctions: Record<string, GoFunction> = {
  typeOf: fn(['any'], ([v]) => goTypeName(v)),
  typeIs: fn(['string', 'any'], ([t, v]) => t === goTypeName(v)),
  typeIsLike: fn(['string', 'any'], ([t, v]) => t === goTypeName(v) || '*' + (t as string) === goTypeName(v)),
  kindOf: fn(['any'], ([v]) => goKindName(v)),
  kindIs: fn(['string', 'any'], ([k, v]) => k === goKindName(v)),
  deepEqual: fn(['any', 'any'], ([a, b]) => goDeepEqual(a, b)),
};
