/**
 * A pull-based port of the token rules of Go's text/template/parse lexer
 * (Go 1.19): the same tokens, trim markers, comment handling and error texts,
 * so the parser sees exactly what Go's parser sees.
 */
import { goQuote, isGoPrintable } from './go-quote.js';

export const enum ItemType {
  Error,
  Bool,
  Char,
  CharConstant,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // Keywords follow; everything after Keyword prints as <word>.
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

export interface Item {
  type: ItemType;
  /** Index of the item in the source string. */
  pos: number;
  val: string;
  /** 1-based line at the start of the item. */
  line: number;
}

const keywords: Record<string, ItemType> = {
  '.': ItemType.Dot,
  block: ItemType.Block,
  break: ItemType.Break,
  continue: ItemType.Continue,
  define: ItemType.Define,
  else: ItemType.Else,
  end: ItemType.End,
  if: ItemType.If,
  range: ItemType.Range,
  nil: ItemType.Nil,
  template: ItemType.Template,
  with: ItemType.With,
};

const leftDelim = '{{';
const rightDelim = '}}';
const leftComment = '/*';
const rightComment = '*/';
const trimMarkerLength = 2; // the marker plus the space next to it

/** How Go prints a token in "unexpected X in Y" messages. */
export function describeItem(item: Item): string {
  if (item.type === ItemType.EOF) return 'EOF';
  if (item.type === ItemType.Error) return item.val;
  if (item.type > ItemType.Keyword) return `<${item.val}>`;
  const chars = Array.from(item.val);
  if (chars.length > 10) return goQuote(chars.slice(0, 10).join('')) + '...';
  return goQuote(item.val);
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

const letterOrDigit = /[\p{L}\p{Nd}]/u;

function isAlphaNumeric(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  if (ch === '_') return true;
  const code = ch.charCodeAt(0);
  if (code < 0x80) {
    return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  }
  return letterOrDigit.test(ch);
}

function hasLeftTrimMarker(text: string, at: number): boolean {
  return text[at] === '-' && isSpace(text[at + 1]);
}

function hasRightTrimMarker(text: string, at: number): boolean {
  return isSpace(text[at]) && text[at + 1] === '-';
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

type State = (() => State) | null;

export class Lexer {
  private readonly input: string;
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private readonly pending: Item[] = [];
  private state: State;

  constructor(input: string) {
    this.input = input;
    this.state = this.lexText;
  }

  /** Returns the next item; after EOF or an error it keeps returning EOF. */
  nextItem(): Item {
    while (this.pending.length === 0) {
      if (this.state === null) {
        return { type: ItemType.EOF, pos: this.input.length, val: '', line: this.line };
      }
      this.state = this.state();
    }
    return this.pending.shift() as Item;
  }

  // --- character helpers (code point aware, like Go's rune reads) ---

  private next(): string | undefined {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return undefined;
    }
    const cp = this.input.codePointAt(this.pos) ?? 0;
    const ch = String.fromCodePoint(cp);
    this.pos += ch.length;
    if (ch === '\n') this.line++;
    return ch;
  }

  private backup(): void {
    if (this.atEOF || this.pos === 0) return;
    let width = 1;
    const code = this.input.charCodeAt(this.pos - 1);
    if (code >= 0xdc00 && code <= 0xdfff && this.pos >= 2) {
      const high = this.input.charCodeAt(this.pos - 2);
      if (high >= 0xd800 && high <= 0xdbff) width = 2;
    }
    this.pos -= width;
    if (this.input[this.pos] === '\n') this.line--;
  }

  private peek(): string | undefined {
    const ch = this.next();
    this.backup();
    return ch;
  }

  private emit(type: ItemType): void {
    this.pending.push({
      type,
      pos: this.start,
      val: this.input.slice(this.start, this.pos),
      line: this.startLine,
    });
    this.start = this.pos;
    this.startLine = this.line;
  }

  private ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  private accept(valid: string): boolean {
    const ch = this.next();
    if (ch !== undefined && valid.includes(ch)) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    for (;;) {
      const ch = this.next();
      if (ch === undefined || !valid.includes(ch)) break;
    }
    this.backup();
  }

  private errorf(message: string): State {
    this.pending.push({ type: ItemType.Error, pos: this.start, val: message, line: this.startLine });
    return null;
  }

  private atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    if (
      hasRightTrimMarker(this.input, this.pos) &&
      this.input.startsWith(rightDelim, this.pos + trimMarkerLength)
    ) {
      return { delim: true, trimSpaces: true };
    }
    if (this.input.startsWith(rightDelim, this.pos)) return { delim: true, trimSpaces: false };
    return { delim: false, trimSpaces: false };
  }

  private atTerminator(): boolean {
    const ch = this.peek();
    if (isSpace(ch)) return true;
    switch (ch) {
      case undefined:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
    }
    return this.input.startsWith(rightDelim, this.pos);
  }

  // --- states ---

  private readonly lexText = (): State => {
    const x = this.input.indexOf(leftDelim, this.pos);
    if (x >= 0) {
      this.pos = x;
      let trimLength = 0;
      if (hasLeftTrimMarker(this.input, this.pos + leftDelim.length)) {
        const text = this.input.slice(this.start, this.pos);
        trimLength = text.length - text.replace(/[ \t\r\n]+$/, '').length;
      }
      this.pos -= trimLength;
      if (this.pos > this.start) {
        this.line += countNewlines(this.input, this.start, this.pos);
        this.emit(ItemType.Text);
      }
      this.pos += trimLength;
      this.ignore();
      return this.lexLeftDelim;
    }
    this.pos = this.input.length;
    if (this.pos > this.start) {
      this.line += countNewlines(this.input, this.start, this.pos);
      this.emit(ItemType.Text);
    }
    this.emit(ItemType.EOF);
    return null;
  };

  private readonly lexLeftDelim = (): State => {
    this.pos += leftDelim.length;
    const trimSpace = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trimSpace ? trimMarkerLength : 0;
    if (this.input.startsWith(leftComment, this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment;
    }
    this.emit(ItemType.LeftDelim);
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction;
  };

  private readonly lexComment = (): State => {
    this.pos += leftComment.length;
    const i = this.input.indexOf(rightComment, this.pos);
    if (i < 0) return this.errorf('unclosed comment');
    this.pos = i + rightComment.length;
    const { delim, trimSpaces } = this.atRightDelim();
    if (!delim) return this.errorf('comment ends before closing delimiter');
    if (trimSpaces) this.pos += trimMarkerLength;
    this.pos += rightDelim.length;
    if (trimSpaces) this.pos += leadingSpaceLength(this.input, this.pos);
    this.ignore();
    return this.lexText;
  };

  private readonly lexRightDelim = (): State => {
    const trimSpace = hasRightTrimMarker(this.input, this.pos);
    if (trimSpace) {
      this.pos += trimMarkerLength;
      this.ignore();
    }
    this.pos += rightDelim.length;
    this.emit(ItemType.RightDelim);
    if (trimSpace) {
      this.pos += leadingSpaceLength(this.input, this.pos);
      this.ignore();
    }
    return this.lexText;
  };

  private readonly lexInsideAction = (): State => {
    if (this.atRightDelim().delim) {
      if (this.parenDepth === 0) return this.lexRightDelim;
      return this.errorf('unclosed left paren');
    }
    const r = this.next();
    if (r === undefined) return this.errorf('unclosed action');
    if (isSpace(r)) {
      this.backup(); // the space may start " -}}"
      return this.lexSpace;
    }
    switch (r) {
      case '=':
        this.emit(ItemType.Assign);
        return this.lexInsideAction;
      case ':':
        if (this.next() !== '=') return this.errorf('expected :=');
        this.emit(ItemType.Declare);
        return this.lexInsideAction;
      case '|':
        this.emit(ItemType.Pipe);
        return this.lexInsideAction;
      case '"':
        return this.lexQuote;
      case '`':
        return this.lexRawQuote;
      case '$':
        return this.lexVariable;
      case "'":
        return this.lexChar;
      case '(':
        this.emit(ItemType.LeftParen);
        this.parenDepth++;
        return this.lexInsideAction;
      case ')':
        this.emit(ItemType.RightParen);
        this.parenDepth--;
        if (this.parenDepth < 0) return this.errorf("unexpected right paren U+0029 ')'");
        return this.lexInsideAction;
    }
    if (r === '.') {
      const following = this.input[this.pos];
      if (following === undefined || following < '0' || following > '9') return this.lexField;
    }
    if (r === '.' || r === '+' || r === '-' || (r >= '0' && r <= '9')) {
      this.backup();
      return this.lexNumber;
    }
    if (isAlphaNumeric(r)) {
      this.backup();
      return this.lexIdentifier;
    }
    const code = r.codePointAt(0) ?? 0;
    if (code < 0x7f && code >= 0x20) {
      this.emit(ItemType.Char);
      return this.lexInsideAction;
    }
    return this.errorf(`unrecognized character in action: ${describeRune(code)}`);
  };

  private readonly lexSpace = (): State => {
    let numSpaces = 0;
    while (isSpace(this.peek())) {
      this.next();
      numSpaces++;
    }
    // A space may begin a trim-marked right delimiter " -}}".
    if (
      hasRightTrimMarker(this.input, this.pos - 1) &&
      this.input.startsWith(rightDelim, this.pos - 1 + trimMarkerLength)
    ) {
      this.backup();
      if (numSpaces === 1) return this.lexRightDelim;
    }
    this.emit(ItemType.Space);
    return this.lexInsideAction;
  };

  private readonly lexIdentifier = (): State => {
    for (;;) {
      const r = this.next();
      if (isAlphaNumeric(r)) continue;
      this.backup();
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.errorf(`bad character ${describeRune(r?.codePointAt(0) ?? -1)}`);
      const keyword = keywords[word];
      if (keyword !== undefined && keyword > ItemType.Keyword) {
        this.emit(keyword);
      } else if (word.startsWith('.')) {
        this.emit(ItemType.Field);
      } else if (word === 'true' || word === 'false') {
        this.emit(ItemType.Bool);
      } else {
        this.emit(ItemType.Identifier);
      }
      return this.lexInsideAction;
    }
  };

  private readonly lexField = (): State => this.lexFieldOrVariable(ItemType.Field);

  private readonly lexVariable = (): State => {
    if (this.atTerminator()) {
      this.emit(ItemType.Variable);
      return this.lexInsideAction;
    }
    return this.lexFieldOrVariable(ItemType.Variable);
  };

  private lexFieldOrVariable(type: ItemType): State {
    if (this.atTerminator()) {
      this.emit(type === ItemType.Variable ? ItemType.Variable : ItemType.Dot);
      return this.lexInsideAction;
    }
    let r: string | undefined;
    for (;;) {
      r = this.next();
      if (!isAlphaNumeric(r)) {
        this.backup();
        break;
      }
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${describeRune(r?.codePointAt(0) ?? -1)}`);
    this.emit(type);
    return this.lexInsideAction;
  }

  private readonly lexChar = (): State => {
    for (;;) {
      const r = this.next();
      if (r === '\\') {
        const escaped = this.next();
        if (escaped !== undefined && escaped !== '\n') continue;
        return this.errorf('unterminated character constant');
      }
      if (r === undefined || r === '\n') return this.errorf('unterminated character constant');
      if (r === "'") break;
    }
    this.emit(ItemType.CharConstant);
    return this.lexInsideAction;
  };

  private readonly lexNumber = (): State => {
    if (!this.scanNumber())
      return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
    const sign = this.peek();
    if (sign === '+' || sign === '-') {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') {
        return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
      }
      this.emit(ItemType.Complex);
    } else {
      this.emit(ItemType.Number);
    }
    return this.lexInsideAction;
  };

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  private readonly lexQuote = (): State => {
    for (;;) {
      const r = this.next();
      if (r === '\\') {
        const escaped = this.next();
        if (escaped !== undefined && escaped !== '\n') continue;
        return this.errorf('unterminated quoted string');
      }
      if (r === undefined || r === '\n') return this.errorf('unterminated quoted string');
      if (r === '"') break;
    }
    this.emit(ItemType.String);
    return this.lexInsideAction;
  };

  private readonly lexRawQuote = (): State => {
    for (;;) {
      const r = this.next();
      if (r === undefined) return this.errorf('unterminated raw quoted string');
      if (r === '`') break;
    }
    this.emit(ItemType.RawString);
    return this.lexInsideAction;
  };
}

function leadingSpaceLength(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i++;
  return i - from;
}

/** Go's %#U: `U+0041 'A'`. */
export function describeRune(codePoint: number): string {
  if (codePoint < 0) return 'U+FFFFFFFF';
  const hex = 'U+' + codePoint.toString(16).toUpperCase().padStart(4, '0');
  if (isGoPrintable(codePoint)) return `${hex} '${String.fromCodePoint(codePoint)}'`;
  return hex;
}
