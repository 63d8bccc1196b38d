/** Sprig's value conversions: strval, strslice and spf13/cast's number casts. */
import { formatValue } from '../go-fmt.js';
import { GoInt, isGoMap, tagGoType } from '../go-values.js';

/** Sprig's strval: strings as they are, everything else as fmt's %v. */
export function strval(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '<nil>';
  return formatValue(value);
}

/** Sprig's strslice: a []string from a slice (nils dropped), or a one-element list. */
export function strslice(value: unknown): string[] {
  if (Array.isArray(value)) {
    return tagGoType(value.filter((item) => item !== null && item !== undefined).map(strval), '[]string');
  }
  if (value === null || value === undefined) return tagGoType([], '[]string');
  return tagGoType([strval(value)], '[]string');
}

export function stringList(items: string[]): string[] {
  return tagGoType(items, '[]string');
}

/** cast's trimZeroDecimal: "3.0" reads as "3". */
function trimZeroDecimal(text: string): string {
  let foundZero = false;
  for (let i = text.length; i > 0; i--) {
    const c = text[i - 1];
    if (c === '.') {
      if (foundZero) return text.slice(0, i - 1);
    } else if (c === '0') {
      foundZero = true;
    } else {
      return text;
    }
  }
  return text;
}

/** strconv.ParseInt(s, 0, 64), or undefined when it fails. */
export function parseIntBase0(text: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!m) return undefined;
  const body = (m[2] ?? '').replaceAll('_', '');
  if (/__|_$/.test(m[2] ?? '')) return undefined;
  const magnitude = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
  const value = m[1] === '-' ? -magnitude : magnitude;
  if (value < -(2n ** 63n) || value >= 2n ** 63n) return undefined;
  return Number(value);
}

/** Go's int64(f) conversion, including the amd64 result for NaN and out-of-range values. */
export function floatToInt64(value: number): number {
  if (!Number.isFinite(value) || Math.abs(value) >= 2 ** 63) return -(2 ** 63);
  return Math.trunc(value);
}

/** cast.ToInt64: unparseable input becomes 0. */
export function toInt64(value: unknown): number {
  if (value instanceof GoInt) return value.value;
  switch (typeof value) {
    case 'number':
      return floatToInt64(value);
    case 'string':
      return parseIntBase0(trimZeroDecimal(value)) ?? 0;
    case 'boolean':
      return value ? 1 : 0;
    default:
      return 0;
  }
}

/** cast.ToFloat64: unparseable input becomes 0. */
export function toFloat64(value: unknown): number {
  if (value instanceof GoInt) return value.value;
  switch (typeof value) {
    case 'number':
      return value;
    case 'string': {
      const text = value.trim() === value ? value : '';
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
      if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
      if (/^nan$/i.test(text)) return NaN;
      return 0;
    }
    case 'boolean':
      return value ? 1 : 0;
    default:
      return 0;
  }
}

/** reflect.Kind names used in Sprig's "Cannot X on type KIND" errors. */
export function kindForError(value: unknown): string {
  if (Array.isArray(value)) return 'slice';
  if (isGoMap(value)) return 'map';
  if (value instanceof GoInt) return value.kind;
  switch (typeof value) {
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      return 'invalid';
  }
}
