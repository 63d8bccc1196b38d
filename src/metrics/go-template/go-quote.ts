/** Go's strconv quoting rules: Quote for %q and Sprig's quote, Unquote for template literals. */

const printableNonAscii = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** unicode.IsPrint: graphic characters plus the ASCII space, nothing else. */
export function isGoPrintable(codePoint: number): boolean {
  if (codePoint < 0x80) return codePoint >= 0x20 && codePoint < 0x7f;
  return printableNonAscii.test(String.fromCodePoint(codePoint));
}

const shortEscapes: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** strconv.Quote (or QuoteRune-style with a `'` quote). */
export function goQuote(text: string, quote = '"'): string {
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
    } else if (isGoPrintable(cp)) {
      out += ch;
    } else if (shortEscapes[cp] !== undefined) {
      out += shortEscapes[cp];
    } else if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + hex(cp, 2);
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is invalid UTF-8 in Go
    } else if (cp < 0x10000) {
      out += '\\u' + hex(cp, 4);
    } else {
      out += '\\U' + hex(cp, 8);
    }
  }
  return out + quote;
}

/** strconv.QuoteToASCII-free variant used by %+q is not needed; %q on a rune uses this. */
export function goQuoteRune(codePoint: number): string {
  return goQuote(String.fromCodePoint(codePoint), "'");
}

export class UnquoteError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

interface Unquoted {
  value: string;
  rest: string;
}

const simpleEscapes: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** strconv.UnquoteChar: decodes one (possibly escaped) character. */
function unquoteChar(text: string, quote: string): Unquoted {
  const first = text.codePointAt(0);
  if (first === undefined) throw new UnquoteError();
  const firstChar = String.fromCodePoint(first);
  if (firstChar === quote && (quote === "'" || quote === '"')) throw new UnquoteError();
  if (firstChar !== '\\') return { value: firstChar, rest: text.slice(firstChar.length) };
  const kind = text[1];
  if (kind === undefined) throw new UnquoteError();
  const simple = simpleEscapes[kind];
  if (simple !== undefined) return { value: simple, rest: text.slice(2) };
  switch (kind) {
    case 'x':
    case 'u':
    case 'U': {
      const width = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
      const digits = text.slice(2, 2 + width);
      if (digits.length < width || !/^[0-9a-fA-F]+$/.test(digits)) throw new UnquoteError();
      const cp = parseInt(digits, 16);
      if (kind !== 'x' && (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) throw new UnquoteError();
      return { value: String.fromCodePoint(cp), rest: text.slice(2 + width) };
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      const digits = text.slice(1, 4);
      if (!/^[0-7]{3}$/.test(digits)) throw new UnquoteError();
      const value = parseInt(digits, 8);
      if (value > 255) throw new UnquoteError();
      return { value: String.fromCodePoint(value), rest: text.slice(4) };
    }
    case "'":
    case '"':
      if (kind !== quote) throw new UnquoteError();
      return { value: kind, rest: text.slice(2) };
    default:
      throw new UnquoteError();
  }
}

/** strconv.Unquote for "interpreted" and `raw` string literals. */
export function goUnquote(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) throw new UnquoteError();
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new UnquoteError();
    return body.includes('\r') ? body.replaceAll('\r', '') : body;
  }
  if (quote !== '"' && quote !== "'") throw new UnquoteError();
  if (body.includes('\n')) throw new UnquoteError();
  if (quote === '"' && !body.includes('\\') && !body.includes('"')) return body;
  let rest = body;
  let out = '';
  while (rest.length > 0) {
    const next = unquoteChar(rest, quote);
    out += next.value;
    rest = next.rest;
    if (quote === "'" && rest.length > 0) throw new UnquoteError();
  }
  if (quote === "'" && out.length === 0) throw new UnquoteError();
  return out;
}

/**
 * Decodes a character constant like `'a'` or `'\n'` to its code point, with
 * Go's "malformed character constant" check for extra characters.
 */
export function goUnquoteCharConstant(literal: string): number {
  const body = literal.slice(1);
  const first = unquoteChar(body, "'");
  if (first.rest !== "'") {
    throw new Error(`malformed character constant: ${literal}`);
  }
  return first.value.codePointAt(0) ?? 0;
}

/** strconv.CanBackquote: representable as a raw string (no backquote, no control character but tab). */
export function canBackquote(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x60 || c === 0xfeff || c === 0x7f || (c < 0x20 && c !== 0x09)) return false;
  }
  return true;
}
