/**
 * The parts of Go's fmt package that templates reach: Sprint, Sprintln,
 * Sprintf and the %v printing of every value, with fmt's error notations
 * (%!d(string=x), %!s(MISSING), %!(EXTRA ...)).
 */
import { formatGoFloat, type FloatVerb } from './format-float.js';
import { canBackquote, goQuote, goQuoteRune, isGoPrintable } from './go-quote.js';
import { GoInt, goTypeName, isGoMap, sortedKeys } from './go-values.js';

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

function runeCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

class Printer {
  buf = '';
  flags: Flags = clearFlags();

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.flags.zero ? '0' : ' ').repeat(n);
  }

  /** fmt.pad: applies width, left- or right-justified. */
  pad(text: string): void {
    const f = this.flags;
    if (!f.widPresent || f.wid === 0) {
      this.buf += text;
      return;
    }
    const width = f.wid - runeCount(text);
    if (!f.minus) {
      this.writePadding(width);
      this.buf += text;
    } else {
      this.buf += text;
      this.buf += ' '.repeat(Math.max(width, 0));
    }
  }

  badVerb(verb: string, value: unknown): void {
    this.buf += '%!' + verb + '(';
    if (value === null || value === undefined) {
      this.buf += '<nil>';
    } else {
      // Go keeps the operand's flags here, so "%5d" of a string pads inside the parentheses.
      this.buf += goTypeName(value) + '=';
      this.printValue(value, 'v', 0);
    }
    this.buf += ')';
  }

  /** printArg: the top-level value of one operand. */
  printArg(arg: unknown, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.pad(goTypeName(arg));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(value: unknown, verb: string, depth: number): void {
    if (value === null || value === undefined) {
      // A nil inside a container is an interface holding nothing.
      this.buf += this.flags.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    switch (typeof value) {
      case 'boolean':
        if (verb === 't' || verb === 'v') this.pad(value ? 'true' : 'false');
        else this.badVerb(verb, value);
        return;
      case 'number':
        this.printFloat(value, verb);
        return;
      case 'string':
        this.printString(value, verb);
        return;
    }
    if (value instanceof GoInt) {
      this.printInteger(value, verb);
      return;
    }
    if (Array.isArray(value)) {
      if (this.flags.sharpV) {
        this.buf += goTypeName(value) + '{';
        value.forEach((item, i) => {
          if (i > 0) this.buf += ', ';
          this.printValue(item, verb, depth + 1);
        });
        this.buf += '}';
        return;
      }
      this.buf += '[';
      value.forEach((item, i) => {
        if (i > 0) this.buf += ' ';
        this.printValue(item, verb, depth + 1);
      });
      this.buf += ']';
      return;
    }
    if (isGoMap(value)) {
      const sharp = this.flags.sharpV;
      this.buf += sharp ? goTypeName(value) + '{' : 'map[';
      sortedKeys(value).forEach((key, i) => {
        if (i > 0) this.buf += sharp ? ', ' : ' ';
        this.printValue(key, verb, depth + 1);
        this.buf += ':';
        this.printValue(value[key], verb, depth + 1);
      });
      this.buf += sharp ? '}' : ']';
      return;
    }
    this.buf += '{}';
  }

  private printFloat(value: number, verb: string): void {
    let format: FloatVerb;
    let prec: number;
    switch (verb) {
      case 'v':
        format = 'g';
        prec = -1;
        break;
      case 'g':
      case 'G':
        format = verb;
        prec = -1;
        break;
      case 'e':
      case 'E':
      case 'f':
        format = verb;
        prec = 6;
        break;
      case 'F':
        format = 'f';
        prec = 6;
        break;
      default:
        this.badVerb(verb, value);
        return;
    }
    const f = this.flags;
    if (f.precPresent) prec = f.prec;
    let num = formatGoFloat(value, format, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = f.zero;
      f.zero = false;
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = oldZero;
      return;
    }
    if (f.sharp) num = this.keepDecimalPoint(num, verb, prec);
    if (f.plus || num[0] !== '+') {
      if (f.zero && f.widPresent && f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  /** The # flag: always print a decimal point, and keep %g's trailing zeros. */
  private keepDecimalPoint(num: string, verb: string, prec: number): string {
    let digits = 0;
    if (verb === 'v' || verb === 'g' || verb === 'G') digits = prec === -1 ? 6 : prec;
    let tail = '';
    let body = num;
    const e = body.search(/[eE]/);
    if (e >= 0) {
      tail = body.slice(e);
      body = body.slice(0, e);
    }
    let sawNonzero = false;
    let hasPoint = false;
    for (let i = 1; i < body.length; i++) {
      const c = body[i];
      if (c === '.') hasPoint = true;
      else {
        if (c !== '0') sawNonzero = true;
        if (sawNonzero) digits--;
      }
    }
    if (!hasPoint) {
      if (body.length === 2 && body[1] === '0') digits--;
      body += '.';
    }
    while (digits > 0) {
      body += '0';
      digits--;
    }
    return body + tail;
  }

  private printInteger(value: GoInt, verb: string): void {
    const n = value.value;
    switch (verb) {
      case 'v':
      case 'd':
        this.formatInteger(n, 10, verb, false);
        return;
      case 'b':
        this.formatInteger(n, 2, verb, false);
        return;
      case 'o':
      case 'O':
        this.formatInteger(n, 8, verb, false);
        return;
      case 'x':
        this.formatInteger(n, 16, verb, false);
        return;
      case 'X':
        this.formatInteger(n, 16, verb, true);
        return;
      case 'c':
        this.pad(validRune(n));
        return;
      case 'q':
        this.pad(goQuoteRune(validRune(n).codePointAt(0) ?? 0xfffd));
        return;
      case 'U': {
        let text = 'U+' + n.toString(16).toUpperCase().padStart(4, '0');
        if (this.flags.sharp && n >= 0 && n <= 0x10ffff && isGoPrintable(n)) {
          text += ` '${String.fromCodePoint(n)}'`;
        }
        this.pad(text);
        return;
      }
      default:
        this.badVerb(verb, value);
    }
  }

  private formatInteger(n: number, base: number, verb: string, upper: boolean): void {
    const f = this.flags;
    const negative = n < 0;
    let prec = -1;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && n === 0) {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits = Math.abs(n).toString(base);
    if (upper) digits = digits.toUpperCase();
    if (prec > digits.length) digits = '0'.repeat(prec - digits.length) + digits;
    if (f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (f.plus) digits = '+' + digits;
    else if (f.space) digits = ' ' + digits;
    const oldZero = f.zero;
    f.zero = false;
    this.pad(digits);
    f.zero = oldZero;
  }

  private printString(value: string, verb: string): void {
    const f = this.flags;
    switch (verb) {
      case 'v':
        if (f.sharpV) this.pad(goQuote(value));
        else this.pad(this.truncate(value));
        return;
      case 's':
        this.pad(this.truncate(value));
        return;
      case 'q': {
        const text = this.truncate(value);
        if (f.sharp && canBackquote(text)) this.pad('`' + text + '`');
        else this.pad(goQuote(text));
        return;
      }
      case 'x':
      case 'X': {
        const bytes = Buffer.from(this.truncate(value), 'utf8');
        let hex = '';
        bytes.forEach((b, i) => {
          if (i > 0 && f.space) hex += ' ';
          if (f.sharp && (i === 0 || f.space)) hex += verb === 'x' ? '0x' : '0X';
          const pair = b.toString(16).padStart(2, '0');
          hex += verb === 'X' ? pair.toUpperCase() : pair;
        });
        this.pad(hex);
        return;
      }
      default:
        this.badVerb(verb, value);
    }
  }

  private truncate(text: string): string {
    if (!this.flags.precPresent) return text;
    return Array.from(text).slice(0, this.flags.prec).join('');
  }
}

function validRune(n: number): string {
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(n);
}

/** fmt.Sprint(value): how a template action prints its result. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatGoFloat(value, 'g', -1);
  const p = new Printer();
  p.printArg(value, 'v');
  return p.buf;
}

/** fmt.Sprint: spaces only between operands when neither side is a string. */
export function goSprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: spaces between all operands and a trailing newline. */
export function goSprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

function parseNumber(format: string, start: number, end: number): { num: number; ok: boolean; next: number } {
  let i = start;
  let num = 0;
  while (i < end && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) {
    if (num > 1e6) return { num: 0, ok: false, next: end };
    num = num * 10 + (format.charCodeAt(i) - 48);
    i++;
  }
  return { num, ok: i > start, next: i };
}

/** fmt.Sprintf with Go's verbs, flags, widths, precisions and argument indexes. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  const end = format.length;
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): { index: number; next: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { index: argNum, next: i, found: false };
    reordered = true;
    const close = format.indexOf(']', i + 1);
    if (end - i < 3 || close < 0) {
      goodArgNum = false;
      return { index: argNum, next: i + 1, found: false };
    }
    const parsed = parseNumber(format, i + 1, close);
    if (!parsed.ok || parsed.next !== close) {
      goodArgNum = false;
      return { index: argNum, next: close + 1, found: false };
    }
    const index = parsed.num - 1;
    if (index >= 0 && index < args.length) return { index, next: close + 1, found: true };
    goodArgNum = false;
    return { index: argNum, next: close + 1, found: true };
  };

  const intFromArg = (): { num: number; ok: boolean } => {
    if (argNum >= args.length) return { num: 0, ok: false };
    const arg = args[argNum];
    argNum++;
    if (arg instanceof GoInt && Math.abs(arg.value) <= 1e6) return { num: arg.value, ok: true };
    return { num: 0, ok: false };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      p.buf += format.slice(i);
      break;
    }
    p.buf += format.slice(i, percent);
    i = percent + 1;
    p.flags = clearFlags();
    const f = p.flags;
    let simple = false;
    for (; i < end; i++) {
      const c = format[i] as string;
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') {
        f.minus = true;
        f.zero = false;
      } else if (c === ' ') f.space = true;
      else {
        if (c >= 'a' && c <= 'z' && argNum < args.length) {
          if (c === 'v') {
            f.sharpV = f.sharp;
            f.sharp = false;
            f.plusV = f.plus;
            f.plus = false;
          }
          p.printArg(args[argNum], c);
          argNum++;
          i++;
          simple = true;
        }
        break;
      }
    }
    if (simple) continue;

    let idx = argNumber(i);
    argNum = idx.index;
    i = idx.next;
    let afterIndex = idx.found;

    if (i < end && format[i] === '*') {
      i++;
      const width = intFromArg();
      f.wid = width.num;
      f.widPresent = width.ok;
      if (!width.ok) p.buf += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const width = parseNumber(format, i, end);
      f.wid = width.num;
      f.widPresent = width.ok;
      i = width.next;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      idx = argNumber(i);
      argNum = idx.index;
      i = idx.next;
      afterIndex = idx.found;
      if (i < end && format[i] === '*') {
        i++;
        const precision = intFromArg();
        f.prec = precision.num;
        f.precPresent = precision.ok;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!f.precPresent) p.buf += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const precision = parseNumber(format, i, end);
        f.prec = precision.num;
        f.precPresent = true;
        i = precision.next;
      }
    }

    if (!afterIndex) {
      idx = argNumber(i);
      argNum = idx.index;
      i = idx.next;
      afterIndex = idx.found;
    }

    if (i >= end) {
      p.buf += '%!(NOVERB)';
      break;
    }
    const cp = format.codePointAt(i) ?? 0;
    const verb = String.fromCodePoint(cp);
    i += verb.length;

    if (verb === '%') {
      p.buf += '%';
    } else if (!goodArgNum) {
      p.buf += `%!${verb}(BADINDEX)`;
    } else if (argNum >= args.length) {
      p.buf += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      p.printArg(args[argNum], verb);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.flags = clearFlags();
    p.buf += '%!(EXTRA ';
    args.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ', ';
      if (arg === null || arg === undefined) p.buf += '<nil>';
      else {
        p.buf += goTypeName(arg) + '=';
        p.printArg(arg, 'v');
      }
    });
    p.buf += ')';
  }
  return p.buf;
}
