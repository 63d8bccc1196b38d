/**
 * Iter8's toYaml: sigs.k8s.io/yaml.Marshal (JSON first, then gopkg.in/yaml.v2)
 * with the final newline trimmed. The JSON round trip decides scalar types
 * (integral floats become ints), yaml.v2's resolver decides which strings need
 * quotes, and its emitter decides styles, indentation and folding at 80 columns.
 */
import { encodeJsonFloat, JsonEncodeError } from './encode-json.js';
import { formatGoFloat } from './format-float.js';
import { GoInt, isGoMap, isNilSlice } from './go-values.js';

type Style = 'plain' | 'single' | 'double' | 'literal';

type YamlNode =
  | { kind: 'scalar'; text: string; style: Style }
  | { kind: 'seq'; items: YamlNode[] }
  | { kind: 'map'; entries: [YamlNode, YamlNode][] };

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** How yaml.v2 prints a number after reading it back from Go's JSON text. */
function numberText(jsonText: string): string {
  if (/^-?\d+$/.test(jsonText)) {
    const big = BigInt(jsonText);
    if (big >= INT64_MIN && big <= UINT64_MAX) return big.toString();
  }
  return formatGoFloat(Number(jsonText), 'g', -1);
}

// --- yaml.v2's resolver: would this plain text read back as something other than a string? ---

const specialWords = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'],
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'],
  ...['', '~', 'null', 'Null', 'NULL'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
  // "<<" (merge) is listed in yaml.v2's table too, but '<' never reaches the lookup.
]);

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** strconv.ParseInt / ParseUint with base 0 and 64 bits: does the text parse? */
function isGoInteger(text: string, signed: boolean): boolean {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return false;
  const sign = m[1] ?? '';
  const body = m[2] ?? '';
  if (sign !== '' && !signed) return false;
  const magnitude = /^0[0-7]+$/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
  if (!signed) return magnitude <= UINT64_MAX;
  return sign === '-' ? magnitude <= 2n ** 63n : magnitude < 2n ** 63n;
}

function isTimestamp(text: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/.exec(
      text,
    );
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const daysInMonth = new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  const hour = Number(m[4] ?? m[7] ?? 0);
  const minute = Number(m[5] ?? m[8] ?? 0);
  const second = Number(m[6] ?? m[9] ?? 0);
  return hour < 24 && minute < 60 && second < 60;
}

function resolvesToNonString(text: string): boolean {
  if (specialWords.has(text)) return true;
  const first = text[0] ?? '';
  if (first === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text);
  if (!/[-+0-9]/.test(first)) return false;
  if (isTimestamp(text)) return true;
  const plain = text.replaceAll('_', '');
  if (isGoInteger(plain, true) || isGoInteger(plain, false)) return true;
  if (yamlStyleFloat.test(plain)) return true;
  if (/^-?0b[01]+$/.test(plain)) return true;
  return false;
}

function stringNode(raw: string): YamlNode {
  // Go's JSON leaves U+0085 raw, and yaml.v2 folds that line break like a newline in a quoted scalar.
  const text = raw.includes('\u0085')
    ? raw.replace(/[ \t]*(?:\u0085[ \t]*)+/g, (run) => {
        const breaks = run.split('\u0085').length - 1;
        return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
      })
    : raw;
  let style: Style;
  if (text.includes('\n')) style = 'literal';
  else if (!resolvesToNonString(text) && !base60Float.test(text)) style = 'plain';
  else style = 'double';
  return { kind: 'scalar', text, style };
}

function toNode(value: unknown): YamlNode {
  if (value === null || value === undefined) return { kind: 'scalar', text: 'null', style: 'plain' };
  switch (typeof value) {
    case 'string':
      return stringNode(value);
    case 'number':
      return { kind: 'scalar', text: numberText(encodeJsonFloat(value)), style: 'plain' };
    case 'boolean':
      return { kind: 'scalar', text: value ? 'true' : 'false', style: 'plain' };
  }
  if (value instanceof GoInt) return { kind: 'scalar', text: String(value.value), style: 'plain' };
  if (isNilSlice(value)) return { kind: 'scalar', text: 'null', style: 'plain' };
  if (Array.isArray(value)) return { kind: 'seq', items: value.map(toNode) };
  if (isGoMap(value)) {
    const keys = Object.keys(value).sort(compareYamlKeys);
    return { kind: 'map', entries: keys.map((key) => [stringNode(key), toNode(value[key])]) };
  }
  return { kind: 'map', entries: [] };
}

const isLetter = (ch: string): boolean => /\p{L}/u.test(ch);
const isDigit = (ch: string): boolean => /\p{Nd}/u.test(ch);

/** yaml.v2's key order: letters by code point, digit runs by numeric value. */
export function compareYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) - (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return (ac.codePointAt(0) ?? 0) - (bc.codePointAt(0) ?? 0);
  }
  return ar.length - br.length;
}

// --- the emitter ---

const isBreak = (cp: number): boolean =>
  cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;

/** yaml.v2's is_printable, which excludes tab, CR, U+0085 and everything outside the BMP. */
function isYamlPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function analyzeScalar(cps: number[]): ScalarAnalysis {
  if (cps.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const text = String.fromCodePoint(...cps.slice(0, 3));
  if (text === '---' || text === '...') blockIndicators = true;
  const isBlankz = (cp: number | undefined): boolean =>
    cp === undefined || cp === 0x20 || cp === 0x09 || cp === 0 || isBreak(cp);
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i] as number;
    const ch = String.fromCodePoint(cp);
    const followedByWhitespace = isBlankz(cps[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if (ch === ':' && followedByWhitespace) {
      blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) {
      blockIndicators = true;
    }
    if (!isYamlPrintable(cp)) special = true;
    if (cp === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(cp);
  }
  const result: ScalarAnalysis = {
    multiline: lineBreaks,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) result.blockPlainAllowed = false;
  if (trailingSpace) result.blockAllowed = false;
  if (breakSpace) {
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
    result.blockAllowed = false;
  }
  if (lineBreaks || blockIndicators) result.blockPlainAllowed = false;
  return result;
}

const bestIndent = 2;
const bestWidth = 80;

interface Context {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

class Emitter {
  private out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private mappingContext = false;
  private simpleKeyContext = false;

  emitDocument(node: YamlNode): string {
    this.emitNode(node, { root: true });
    this.writeIndent();
    return this.out;
  }

  private put(text: string): void {
    this.out += text;
    this.column++;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private write(cp: number): void {
    this.out += String.fromCodePoint(cp);
    this.column++;
  }

  private writeBreak(cp: number): void {
    if (cp === 0x0a) this.putBreak();
    else {
      this.write(cp);
      this.column = 0;
    }
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? bestIndent : 0;
    else if (!indentless) this.indent += bestIndent;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    for (const ch of indicator) this.put(ch);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private emitNode(node: YamlNode, context: Context): void {
    this.mappingContext = context.mapping ?? false;
    this.simpleKeyContext = context.simpleKey ?? false;
    if (node.kind === 'scalar') this.emitScalar(node.text, node.style);
    else if (node.kind === 'seq') this.emitSequence(node.items);
    else this.emitMapping(node.entries);
  }

  private emitSequence(items: YamlNode[]): void {
    if (items.length === 0) {
      this.emitEmptyFlow('[', ']');
      return;
    }
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.emitNode(item, { sequence: true });
    }
    this.popIndent();
  }

  private emitMapping(entries: [YamlNode, YamlNode][]): void {
    if (entries.length === 0) {
      this.emitEmptyFlow('{', '}');
      return;
    }
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      if (this.isSimpleKey(key)) {
        this.emitNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.emitNode(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.emitNode(value, { mapping: true });
    }
    this.popIndent();
  }

  private emitEmptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.popIndent();
    this.writeIndicator(close, false, false, false);
  }

  private isSimpleKey(key: YamlNode): boolean {
    if (key.kind !== 'scalar') return false;
    const cps = Array.from(key.text, (ch) => ch.codePointAt(0) ?? 0);
    if (analyzeScalar(cps).multiline) return false;
    return Buffer.byteLength(key.text, 'utf8') <= 128;
  }

  private emitScalar(text: string, requested: Style): void {
    const cps = Array.from(text, (ch) => ch.codePointAt(0) ?? 0);
    const analysis = analyzeScalar(cps);
    let style = requested;
    if (this.simpleKeyContext && analysis.multiline) style = 'double';
    if (style === 'plain') {
      if (!analysis.blockPlainAllowed) style = 'single';
      if (cps.length === 0 && this.simpleKeyContext) style = 'single';
    }
    if (style === 'single' && !analysis.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!analysis.blockAllowed || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.writePlain(cps, allowBreaks);
    else if (style === 'single') this.writeSingleQuoted(cps, allowBreaks);
    else if (style === 'double') this.writeDoubleQuoted(cps, allowBreaks);
    else this.writeLiteral(cps);
    this.popIndent();
  }

  private writePlain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const cp = cps[i] as number;
      if (cp === 0x20) {
        if (allowBreaks && !spaces && this.column > bestWidth && cps[i + 1] !== 0x20) this.writeIndent();
        else this.write(cp);
        spaces = true;
      } else if (isBreak(cp)) {
        if (!breaks && cp === 0x0a) this.putBreak();
        this.writeBreak(cp);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(cp);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const cp = cps[i] as number;
      if (cp === 0x20) {
        const canFold = allowBreaks && !spaces && this.column > bestWidth && i > 0 && i < cps.length - 1;
        if (canFold && cps[i + 1] !== 0x20) this.writeIndent();
        else this.write(cp);
        spaces = true;
      } else if (isBreak(cp)) {
        if (!breaks && cp === 0x0a) this.putBreak();
        this.writeBreak(cp);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (cp === 0x27) this.put("'");
        this.write(cp);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // yaml.v2 checks for a BOM at the start of the whole value, so one there escapes everything.
    const startsWithBom = cps[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const cp = cps[i] as number;
      if (!isYamlPrintable(cp) || startsWithBom || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
        this.put('\\');
        this.putEscape(cp);
        spaces = false;
      } else if (cp === 0x20) {
        if (allowBreaks && !spaces && this.column > bestWidth && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (cps[i + 1] === 0x20) this.put('\\');
        } else {
          this.write(cp);
        }
        spaces = true;
      } else {
        this.write(cp);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private putEscape(cp: number): void {
    const named: Record<number, string> = {
      0x00: '0',
      0x07: 'a',
      0x08: 'b',
      0x09: 't',
      0x0a: 'n',
      0x0b: 'v',
      0x0c: 'f',
      0x0d: 'r',
      0x1b: 'e',
      0x22: '"',
      0x5c: '\\',
      0x85: 'N',
      0xa0: '_',
      0x2028: 'L',
      0x2029: 'P',
    };
    const name = named[cp];
    if (name !== undefined) {
      this.put(name);
      return;
    }
    const [prefix, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
    this.put(prefix);
    for (const digit of cp.toString(16).toUpperCase().padStart(width, '0')) this.put(digit);
  }

  private writeLiteral(cps: number[]): void {
    this.writeIndicator('|', true, false, false);
    this.writeBlockScalarHints(cps);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const cp of cps) {
      if (isBreak(cp)) {
        this.writeBreak(cp);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(cp);
        this.indention = false;
        breaks = false;
      }
    }
  }

  private writeBlockScalarHints(cps: number[]): void {
    const first = cps[0];
    if (first !== undefined && (first === 0x20 || isBreak(first))) {
      this.writeIndicator(String(bestIndent), false, false, false);
    }
    let chomp = '';
    const last = cps[cps.length - 1];
    if (last === undefined || !isBreak(last)) chomp = '-';
    else if (cps.length === 1) chomp = '+';
    else if (isBreak(cps[cps.length - 2] as number)) chomp = '+';
    if (chomp !== '') this.writeIndicator(chomp, false, false, false);
  }
}

/** toYaml as Iter8 defines it: "" when the value cannot be marshalled. */
export function encodeGoYaml(value: unknown): string {
  let node: YamlNode;
  try {
    node = toNode(value);
  } catch (error) {
    if (error instanceof JsonEncodeError) return '';
    throw error;
  }
  const text = new Emitter().emitDocument(node);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
