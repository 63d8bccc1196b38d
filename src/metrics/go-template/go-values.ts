/**
 * The value model shared by the template engine and its functions.
 *
 * Templates see plain JS values (as parsed from YAML or JSON): strings,
 * booleans, null, arrays (Go `[]interface {}`), plain objects (Go
 * `map[string]interface {}`) and numbers, which are Go float64. Go has
 * integers too, and they print, compare and type-check differently, so a Go
 * int is an explicit `GoInt`. Sprig functions return typed containers such as
 * `[]string`; those carry a type tag so `typeOf` and error messages match Go.
 */

export type GoIntKind = 'int' | 'int64' | 'uint8';

/** A Go integer (int, int64 or byte); plain JS numbers are float64. */
export class GoInt {
  readonly value: number;
  readonly kind: GoIntKind;

  constructor(value: number, kind: GoIntKind = 'int') {
    // Go integers truncate toward zero; keep the invariant cheap to rely on.
    this.value = Math.trunc(value);
    this.kind = kind;
  }

  toString(): string {
    return String(this.value);
  }
}

/** Shorthand for building a Go int value, e.g. `elapsedTimeSeconds: goInt(30)`. */
export function goInt(value: number, kind: GoIntKind = 'int'): GoInt {
  return new GoInt(value, kind);
}

export type GoMap = Record<string, unknown>;

// Go types of containers that are not the default []interface {} or map[string]interface {}.
const containerTypes = new WeakMap<object, string>();

/** Marks an array or object as a specific Go container type, e.g. `[]string`. */
export function tagGoType<T extends object>(container: T, goType: string): T {
  containerTypes.set(container, goType);
  return container;
}

export function isGoMap(value: unknown): value is GoMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for a map whose element type is interface {} (reading it yields an interface value). */
export function hasInterfaceElements(container: object): boolean {
  const tag = containerTypes.get(container);
  return tag === undefined || tag.endsWith('interface {}');
}

/** `nil` in Go: JS null, or undefined for a missing value. */
export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** One exported field of a Go struct: its Go name (templates) and its json tag (toJson). */
export interface GoStructField {
  name: string;
  json: string;
  value: unknown;
  /** `json:",omitempty"`: left out of JSON when empty (nil, false, 0, "", empty slice or map). */
  omitEmpty?: boolean;
}

/**
 * A Go struct value: templates read its fields by Go name (`.Report.NumLoops`), JSON encodes them
 * in declaration order under their json tags, as encoding/json does.
 */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: readonly GoStructField[],
  ) {}

  field(name: string): GoStructField | undefined {
    return this.fields.find((field) => field.name === name);
  }
}

/** Go's `%T`: the dynamic type name of a value. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'object':
      if (value instanceof GoInt) return value.kind;
      if (value instanceof GoStruct) return value.typeName;
      if (Array.isArray(value)) return containerTypes.get(value) ?? '[]interface {}';
      if (isGoMap(value)) return containerTypes.get(value) ?? 'map[string]interface {}';
      return 'struct {}';
    default:
      return 'func()';
  }
}

/** Go's reflect Kind name, as Sprig's `kindOf` prints it. */
export function goKindName(value: unknown): string {
  if (value === null || value === undefined) return 'invalid';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'object':
      if (value instanceof GoInt) return value.kind;
      if (Array.isArray(value)) return 'slice';
      if (isGoMap(value)) return 'map';
      return 'struct';
    default:
      return 'func';
  }
}

/** Element type name of a container, for error messages and typed copies. */
export function elementTypeName(container: object): string {
  const type = goTypeName(container);
  if (type.startsWith('[]')) return type.slice(2);
  const close = type.indexOf(']');
  return type.slice(close + 1);
}

/**
 * Go template truth: false, 0, nil, and empty strings, slices and maps are
 * false; everything else is true.
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'boolean':
      return value;
    case 'object':
      if (value instanceof GoInt) return value.value !== 0;
      if (Array.isArray(value)) return value.length > 0;
      if (isGoMap(value)) return Object.keys(value).length > 0;
      return true;
    default:
      return true;
  }
}

/** Sorted keys of a Go map: byte order of the UTF-8 strings, as fmt and range use. */
export function sortedKeys(map: GoMap): string[] {
  return Object.keys(map).sort(compareGoStrings);
}

/** Compares strings the way Go does: by UTF-8 bytes, which is code point order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (astral code points) sort after every BMP code point in UTF-8.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

/** Length in UTF-8 bytes, which is what Go's len() of a string counts. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Makes a new plain map (with no prototype keys to collide with user keys). */
export function newGoMap(): GoMap {
  return Object.create(null) as GoMap;
}

/** Own-key lookup that ignores the prototype chain. */
export function hasOwnKey(map: GoMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** Writes a key without triggering `__proto__` setters. */
export function setMapKey(map: GoMap, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
}

// Empty slices that are nil in Go (JSON encodes them as null rather than []).
const nilSlices = new WeakSet<object>();

/** A Go nil slice: prints as [] but marshals to JSON null. */
export function nilSlice(goType = '[]interface {}'): unknown[] {
  const slice = tagGoType([] as unknown[], goType);
  nilSlices.add(slice);
  return slice;
}

export function isNilSlice(value: unknown): boolean {
  return Array.isArray(value) && nilSlices.has(value);
}
