/** Go's rules for numeric constants in templates (parse.NumberNode). */
import type { NumberNode } from './ast.js';
import { goUnquoteCharConstant } from './go-quote.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt/ParseUint with base 0 (prefixes, legacy octal, underscores); null on error. */
function parseBase0Integer(text: string, signed: boolean): bigint | null {
  let body = text;
  let negative = false;
  if (body[0] === '+' || body[0] === '-') {
    if (!signed) return null;
    negative = body[0] === '-';
    body = body.slice(1);
  }
  let radix = 10;
  let digits = body;
  let prefixed = false;
  if (/^0[xX]/.test(body)) {
    radix = 16;
    digits = body.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(body)) {
    radix = 2;
    digits = body.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(body)) {
    radix = 8;
    digits = body.slice(2);
    prefixed = true;
  } else if (body.length > 1 && body[0] === '0') {
    radix = 8;
    digits = body.slice(1);
    prefixed = true;
  }
  if (digits.includes('_')) {
    // Underscores must separate digits (or follow a base prefix), as in Go source.
    const shape = prefixed ? /^_?[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/ : /^[0-9a-zA-Z]+(_[0-9a-zA-Z]+)*$/;
    if (!shape.test(digits)) return null;
    digits = digits.replaceAll('_', '');
  }
  if (digits.length === 0) return null;
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[
    radix as 2 | 8 | 10 | 16
  ];
  if (!valid.test(digits)) return null;
  const prefix = { 2: '0b', 8: '0o', 10: '', 16: '0x' }[radix as 2 | 8 | 10 | 16];
  let value = BigInt(prefix + digits);
  if (negative) value = -value;
  if (signed ? value < INT64_MIN || value > INT64_MAX : value > UINT64_MAX) return null;
  return value;
}

/** strconv.ParseFloat for the literal shapes the lexer can produce; null on error. */
function parseGoFloat(text: string): number | null {
  const plain = text.replaceAll('_', '');
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) return Number(plain);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(plain);
  if (hex && (hex[2] !== '' || hex[3] !== '')) {
    const mantissa = parseInt((hex[2] ?? '') + (hex[3] ?? '') || '0', 16) / 16 ** (hex[3] ?? '').length;
    const value = mantissa * 2 ** Number(hex[4]);
    return hex[1] === '-' ? -value : value;
  }
  return null;
}

export class NumberSyntaxError extends Error {}

/** Builds a NumberNode exactly as Go's newNumber classifies the literal. */
export function parseNumberLiteral(pos: number, text: string, isCharConstant: boolean): NumberNode {
  const node: NumberNode = {
    kind: 'number',
    pos,
    text,
    isInt: false,
    isUint: false,
    isFloat: false,
    int: 0,
    float: 0,
  };
  if (isCharConstant) {
    const rune = goUnquoteCharConstant(text);
    return { ...node, isInt: true, isUint: true, isFloat: true, int: rune, float: rune };
  }
  if (text.endsWith('i')) throw new NumberSyntaxError('canary does not support complex constants: ' + text);
  const unsigned = parseBase0Integer(text, false);
  if (unsigned !== null) node.isUint = true;
  const signed = parseBase0Integer(text, true);
  if (signed !== null) {
    node.isInt = true;
    node.int = Number(signed);
    if (signed === 0n) node.isUint = true;
  }
  if (node.isInt) {
    node.isFloat = true;
    node.float = node.int;
  } else if (node.isUint && unsigned !== null) {
    node.isFloat = true;
    node.float = Number(unsigned);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) throw new NumberSyntaxError(`integer overflow: ${JSON.stringify(text)}`);
      node.isFloat = true;
      node.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        node.isInt = true;
        node.int = f;
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) node.isUint = true;
    }
  }
  if (!node.isInt && !node.isUint && !node.isFloat) {
    throw new NumberSyntaxError(`illegal number syntax: ${JSON.stringify(text)}`);
  }
  return node;
}
