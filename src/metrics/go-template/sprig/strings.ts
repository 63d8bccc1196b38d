/** Sprig's string functions, with Go's byte-based slicing and Unicode rules. */
import { createHash } from 'node:crypto';
import { MAX_TEMPLATE_STRING_LENGTH } from '../../../util/template-budget.js';
import { goSprint } from '../go-fmt.js';
import { fn, GoFunctionError, variadicFn, type GoFunction } from '../go-function.js';
import { goQuote } from '../go-quote.js';
import { GoInt, isNil, newGoMap, setMapKey, tagGoType } from '../go-values.js';
import { stringList, strslice, strval } from './conversions.js';

const goSpace = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const leadingSpace = new RegExp(`^[${goSpace}]+`);
const trailingSpace = new RegExp(`[${goSpace}]+$`);

/** strings.TrimSpace (Go's notion of space, which excludes U+FEFF unlike JS trim). */
export function trimSpace(text: string): string {
  return text.replace(leadingSpace, '').replace(trailingSpace, '');
}

/** Per-rune case mapping, like Go's unicode.ToUpper (no "ß" -> "SS" expansion). */
function mapRunes(text: string, map: (ch: string) => string): string {
  let out = '';
  for (const ch of text) {
    const mapped = map(ch);
    out += Array.from(mapped).length === 1 ? mapped : ch;
  }
  return out;
}

export const toUpper = (text: string): string => mapRunes(text, (ch) => ch.toUpperCase());
// Go lower-cases U+0130 to a plain "i"; JS adds a combining dot.
export const toLower = (text: string): string =>
  mapRunes(text, (ch) => String.fromCodePoint(ch.toLowerCase().codePointAt(0) ?? 0));

/** goutils.DeleteWhiteSpace works byte by byte, so non-ASCII text comes out as Latin-1 mojibake. */
function deleteWhiteSpace(text: string): string {
  let out = '';
  for (const byte of bytesOf(text)) {
    const isSpace = (byte >= 0x09 && byte <= 0x0d) || byte === 0x20 || byte === 0x85 || byte === 0xa0;
    if (!isSpace) out += String.fromCharCode(byte);
  }
  return out;
}

function isTitleSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return new RegExp(`^[${goSpace}]$`).test(ch);
}

/** strings.Title: upper-cases the first letter of each word. */
function title(text: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    out += isTitleSeparator(prev) && Array.from(upper).length === 1 ? upper : ch;
    prev = ch;
  }
  return out;
}

/** goutils.Uncapitalize: lower-cases the first letter of each space-separated word. */
function untitle(text: string): string {
  let out = '';
  let atWordStart = true;
  for (const ch of text) {
    const space = new RegExp(`^[${goSpace}]$`).test(ch);
    out += atWordStart && !space ? mapRunes(ch, (c) => c.toLowerCase()) : ch;
    atWordStart = space;
  }
  return out;
}

function bytesOf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function sliceBounds(low: number, high: number, length: number, form: 'both' | 'low' | 'high'): never {
  const shown = form === 'high' ? `[:${high}]` : form === 'low' ? `[${low}:${length}]` : `[${low}:${high}]`;
  const suffix = form === 'high' && high > length ? ` with length ${length}` : '';
  throw new GoFunctionError(`runtime error: slice bounds out of range ${shown}${suffix}`);
}

/** Sprig's substr: byte offsets, with Go's slice panics for bad bounds. */
function substr(start: number, end: number, text: string): string {
  const bytes = bytesOf(text);
  const n = bytes.length;
  if (start < 0) {
    if (end < 0 || end > n) sliceBounds(0, end, n, 'high');
    return bytes.subarray(0, end).toString('utf8');
  }
  if (end < 0 || end > n) {
    if (start > n) sliceBounds(start, n, n, 'low');
    return bytes.subarray(start).toString('utf8');
  }
  if (start > end) sliceBounds(start, end, n, 'both');
  return bytes.subarray(start, end).toString('utf8');
}

function trunc(count: number, text: string): string {
  const bytes = bytesOf(text);
  if (count < 0 && bytes.length + count > 0) return bytes.subarray(bytes.length + count).toString('utf8');
  if (count >= 0 && bytes.length > count) return bytes.subarray(0, count).toString('utf8');
  return text;
}

function repeat(count: number, text: string): string {
  if (count < 0) throw new GoFunctionError('strings: negative Repeat count');
  if (count * text.length > MAX_TEMPLATE_STRING_LENGTH)
    throw new GoFunctionError(
      `a string of more than ${MAX_TEMPLATE_STRING_LENGTH} characters is more than a template may make`,
    );
  return text.repeat(count);
}

/** strings.Trim(s, cutset): removes runes in the cutset from both ends. */
function trimCutset(text: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && set.has(chars[start] as string)) start++;
  while (end > start && set.has(chars[end - 1] as string)) end--;
  return chars.slice(start, end).join('');
}

/** strings.Replace(src, old, new, -1); an empty old inserts around every rune. */
function replaceAll(old: string, replacement: string, src: string): string {
  if (old === '') return replacement + Array.from(src).join(replacement) + (src === '' ? '' : replacement);
  return src.split(old).join(replacement);
}

/** strings.Split; an empty separator splits into runes. */
export function splitGo(text: string, sep: string, limit = -1): string[] {
  if (limit === 0) return [];
  const parts = sep === '' ? Array.from(text) : text.split(sep);
  if (limit < 0 || parts.length <= limit) return parts;
  if (sep === '') return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join('')];
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

function indexedMap(parts: string[]): Record<string, unknown> {
  const map = newGoMap();
  parts.forEach((part, i) => setMapKey(map, '_' + i, part));
  return tagGoType(map, 'map[string]string');
}

function indent(spaces: number, text: string): string {
  if (spaces < 0) throw new GoFunctionError('strings: negative Repeat count');
  const pad = ' '.repeat(spaces);
  return pad + text.replaceAll('\n', '\n' + pad);
}

function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of bytesOf(text)) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

const base64Shape = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Decode(text: string): string {
  const clean = text.replace(/[\r\n]/g, ''); // Go's decoder skips newlines
  if (!base64Shape.test(clean)) {
    const bad = clean.search(/[^A-Za-z0-9+/=]/);
    const at = bad >= 0 ? bad : Math.max(clean.length - (clean.length % 4 || 4), 0);
    return `illegal base64 data at input byte ${at}`;
  }
  return Buffer.from(clean, 'base64').toString('utf8');
}

export const stringFunctions: Record<string, GoFunction> = {
  hello: fn([], () => 'Hello!'),
  trunc: fn(['int', 'string'], ([c, s]) => trunc((c as GoInt).value, s as string)),
  trim: fn(['string'], ([s]) => trimSpace(s as string)),
  upper: fn(['string'], ([s]) => toUpper(s as string)),
  lower: fn(['string'], ([s]) => toLower(s as string)),
  title: fn(['string'], ([s]) => title(s as string)),
  untitle: fn(['string'], ([s]) => untitle(s as string)),
  substr: fn(['int', 'int', 'string'], ([a, b, s]) =>
    substr((a as GoInt).value, (b as GoInt).value, s as string),
  ),
  repeat: fn(['int', 'string'], ([c, s]) => repeat((c as GoInt).value, s as string)),
  trimall: fn(['string', 'string'], ([a, b]) => trimCutset(b as string, a as string)),
  trimAll: fn(['string', 'string'], ([a, b]) => trimCutset(b as string, a as string)),
  trimSuffix: fn(['string', 'string'], ([a, b]) => {
    const text = b as string;
    const suffix = a as string;
    return suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
  }),
  trimPrefix: fn(['string', 'string'], ([a, b]) => {
    const text = b as string;
    return text.startsWith(a as string) ? text.slice((a as string).length) : text;
  }),
  nospace: fn(['string'], ([s]) => deleteWhiteSpace(s as string)),
  contains: fn(['string', 'string'], ([sub, s]) => (s as string).includes(sub as string)),
  hasPrefix: fn(['string', 'string'], ([sub, s]) => (s as string).startsWith(sub as string)),
  hasSuffix: fn(['string', 'string'], ([sub, s]) => (s as string).endsWith(sub as string)),
  quote: variadicFn([], 'any', (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => goQuote(strval(a)))
      .join(' '),
  ),
  squote: variadicFn([], 'any', (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => `'${strval(a)}'`)
      .join(' '),
  ),
  cat: variadicFn([], 'any', (args) =>
    args
      .filter((a) => !isNil(a))
      .map((a) => goSprint([a]))
      .join(' '),
  ),
  indent: fn(['int', 'string'], ([n, s]) => indent((n as GoInt).value, s as string)),
  nindent: fn(['int', 'string'], ([n, s]) => '\n' + indent((n as GoInt).value, s as string)),
  replace: fn(['string', 'string', 'string'], ([o, n, s]) =>
    replaceAll(o as string, n as string, s as string),
  ),
  plural: fn(['string', 'string', 'int'], ([one, many, count]) =>
    (count as GoInt).value === 1 ? one : many,
  ),
  sha1sum: fn(['string'], ([s]) =>
    createHash('sha1')
      .update(s as string, 'utf8')
      .digest('hex'),
  ),
  sha256sum: fn(['string'], ([s]) =>
    createHash('sha256')
      .update(s as string, 'utf8')
      .digest('hex'),
  ),
  adler32sum: fn(['string'], ([s]) => String(adler32(s as string))),
  toString: fn(['any'], ([v]) => strval(v)),
  b64enc: fn(['string'], ([s]) => Buffer.from(s as string, 'utf8').toString('base64')),
  b64dec: fn(['string'], ([s]) => base64Decode(s as string)),
  split: fn(['string', 'string'], ([sep, s]) => indexedMap(splitGo(s as string, sep as string))),
  splitn: fn(['string', 'int', 'string'], ([sep, n, s]) =>
    indexedMap(splitGo(s as string, sep as string, (n as GoInt).value)),
  ),
  splitList: fn(['string', 'string'], ([sep, s]) => stringList(splitGo(s as string, sep as string))),
  toStrings: fn(['any'], ([v]) => strslice(v)),
  join: fn(['string', 'any'], ([sep, v]) => strslice(v).join(sep as string)),
};
