/** Go's encoding/json Marshal and MarshalIndent for template values. */
import { GoInt, GoStruct, isGoMap, isNilSlice, isTruthy, sortedKeys } from './go-values.js';

/** json: unsupported value (NaN and infinities, which JSON cannot express). */
export class JsonEncodeError extends Error {}

export interface JsonOptions {
  /** Escape <, > and & as \u003c etc. (Marshal does; toRawJson does not). */
  escapeHtml: boolean;
  /** Indent unit for MarshalIndent(v, "", indent); compact when absent. */
  indent?: string;
}

const hexDigits = '0123456789abcdef';

export function encodeJsonString(text: string, escapeHtml: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let escape: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || (escapeHtml && (c === 0x3c || c === 0x3e || c === 0x26))) {
      if (c === 0x22 || c === 0x5c) escape = '\\' + text[i];
      else if (c === 0x0a) escape = '\\n';
      else if (c === 0x0d) escape = '\\r';
      else if (c === 0x09) escape = '\\t';
      else escape = '\\u00' + hexDigits[c >> 4] + hexDigits[c & 0xf];
    } else if (c === 0x2028 || c === 0x2029) {
      escape = '\\u202' + hexDigits[c & 0xf];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is invalid UTF-8 in Go, which becomes U+FFFD.
      const pair = c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        i++;
        continue;
      }
      escape = '\\ufffd';
    }
    if (escape !== undefined) {
      out += text.slice(start, i) + escape;
      start = i + 1;
    }
  }
  return out + text.slice(start) + '"';
}

/** Go's float encoding: %f-style unless the exponent is < -6 or >= 21. */
export function encodeJsonFloat(value: number): string {
  if (!Number.isFinite(value)) {
    const shown = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
    throw new JsonEncodeError(`json: unsupported value: ${shown}`);
  }
  if (Object.is(value, -0)) return '-0';
  // JS's Number-to-String switches notation at exactly the same thresholds.
  return String(value);
}

export function encodeGoJson(value: unknown, options: JsonOptions): string {
  return encode(value, options, '');
}

function encode(value: unknown, options: JsonOptions, indent: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeJsonString(value, options.escapeHtml);
    case 'number':
      return encodeJsonFloat(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof GoInt) return String(value.value);
  const step = options.indent;
  const inner = step === undefined ? '' : indent + step;
  const open = step === undefined ? '' : '\n' + inner;
  const close = step === undefined ? '' : '\n' + indent;
  const comma = step === undefined ? ',' : ',\n' + inner;
  if (Array.isArray(value)) {
    if (isNilSlice(value)) return 'null';
    if (value.length === 0) return '[]';
    return '[' + open + value.map((item) => encode(item, options, inner)).join(comma) + close + ']';
  }
  if (value instanceof GoStruct) {
    const fields = value.fields.filter((field) => !field.omitEmpty || isTruthy(field.value));
    if (fields.length === 0) return '{}';
    const colon = step === undefined ? ':' : ': ';
    const members = fields.map(
      (field) =>
        encodeJsonString(field.json, options.escapeHtml) + colon + encode(field.value, options, inner),
    );
    return '{' + open + members.join(comma) + close + '}';
  }
  if (isGoMap(value)) {
    const keys = sortedKeys(value);
    if (keys.length === 0) return '{}';
    const colon = step === undefined ? ':' : ': ';
    const members = keys.map(
      (key) => encodeJsonString(key, options.escapeHtml) + colon + encode(value[key], options, inner),
    );
    return '{' + open + members.join(comma) + close + '}';
  }
  return '{}';
}
