/** Go text/template's predefined functions (and/or are special-cased by the executor). */
import { goEq, goLe, goLt } from './compare-values.js';
import { goSprint, goSprintf, goSprintln } from './go-fmt.js';
import { fn, GoFunctionError, variadicFn, type GoFunction } from './go-function.js';
import { isGoPrintable } from './go-quote.js';
import {
  elementTypeName,
  GoInt,
  goTypeName,
  hasOwnKey,
  hasInterfaceElements,
  isGoMap,
  isTruthy,
  utf8Length,
} from './go-values.js';

/** evalArgs: a lone string passes through; anything else is Sprint-ed (missing values as <no value>). */
function argsToString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return goSprint(args.map((arg) => (arg === undefined || arg === null ? '<no value>' : arg)));
}

export function escapeHtml(text: string): string {
  return text.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0':
        return '\uFFFD';
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      default:
        return '&gt;';
    }
  });
}

export function escapeJs(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += '\\u00' + cp.toString(16).toUpperCase().padStart(2, '0');
    else if (cp < 0x80 || isGoPrintable(cp)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** url.QueryEscape. */
export function escapeQuery(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** len: strings count UTF-8 bytes; a nil interface is a "nil pointer". */
function length(item: unknown): GoInt {
  if (item === null) throw new GoFunctionError('len of nil pointer');
  if (item === undefined) throw new GoFunctionError('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return new GoInt(utf8Length(item));
  if (Array.isArray(item)) return new GoInt(item.length);
  if (isGoMap(item)) return new GoInt(Object.keys(item).length);
  throw new GoFunctionError(`len of type ${goTypeName(item)}`);
}

function indexArg(index: unknown, cap: number): number {
  let x: number;
  if (index instanceof GoInt) x = index.value;
  else if (index === null || index === undefined)
    throw new GoFunctionError('cannot index slice/array with nil');
  else throw new GoFunctionError(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0 || x > cap) throw new GoFunctionError(`index out of range: ${x}`);
  return x;
}

/** index: walks slices, maps and strings; a missing map key yields the element type's zero value. */
function index(args: unknown[]): unknown {
  let item = args[0];
  if (item === null || item === undefined) throw new GoFunctionError('index of untyped nil');
  for (const key of args.slice(1)) {
    if (item === null || item === undefined) throw new GoFunctionError('index of nil pointer');
    if (typeof item === 'string') {
      const bytes = Buffer.from(item, 'utf8');
      const x = indexArg(key, bytes.length);
      if (x === bytes.length) throw new GoFunctionError('reflect: string index out of range');
      item = new GoInt(bytes[x] ?? 0, 'uint8');
    } else if (Array.isArray(item)) {
      const x = indexArg(key, item.length);
      if (x === item.length) throw new GoFunctionError('reflect: slice index out of range');
      item = item[x];
    } else if (isGoMap(item)) {
      if (key === null || key === undefined)
        throw new GoFunctionError('value is nil; should be of type string');
      if (typeof key !== 'string')
        throw new GoFunctionError(`value has type ${goTypeName(key)}; should be string`);
      if (hasOwnKey(item, key)) item = item[key];
      else item = hasInterfaceElements(item) ? null : zeroValue(elementTypeName(item));
    } else {
      throw new GoFunctionError(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

function zeroValue(typeName: string): unknown {
  if (typeName === 'string') return '';
  if (typeName === 'int' || typeName === 'int64') return new GoInt(0, typeName);
  if (typeName === 'float64') return 0;
  if (typeName === 'bool') return false;
  return null;
}

export const builtinFunctions: Record<string, GoFunction> = {
  // and/or are short-circuiting and evaluated by the executor; these only declare the arity.
  and: variadicFn(['value'], 'value', () => undefined),
  or: variadicFn(['value'], 'value', () => undefined),
  not: fn(['value'], ([arg]) => !isTruthy(arg)),
  len: fn(['value'], ([item]) => length(item)),
  index: variadicFn(['value'], 'value', index),
  print: variadicFn([], 'any', (args) => goSprint(args)),
  printf: variadicFn(['string'], 'any', ([format, ...args]) => goSprintf(format as string, args)),
  println: variadicFn([], 'any', (args) => goSprintln(args)),
  html: variadicFn([], 'any', (args) => escapeHtml(argsToString(args))),
  js: variadicFn([], 'any', (args) => escapeJs(argsToString(args))),
  urlquery: variadicFn([], 'any', (args) => escapeQuery(argsToString(args))),
  eq: variadicFn(['value'], 'value', ([first, ...others]) => goEq(first, others)),
  ne: fn(['value', 'value'], ([a, b]) => !goEq(a, [b])),
  lt: fn(['value', 'value'], ([a, b]) => goLt(a, b)),
  le: fn(['value', 'value'], ([a, b]) => goLe(a, b)),
  gt: fn(['value', 'value'], ([a, b]) => !goLe(a, b)),
  ge: fn(['value', 'value'], ([a, b]) => !goLt(a, b)),
};
