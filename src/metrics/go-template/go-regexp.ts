/**
 * Go's regexp (RE2 syntax). Matching runs on re2js, a port of RE2, so it keeps RE2's linear time:
 * JS RegExp backtracks (`(a+)+$` on 50 a's and a b never ends), and a template render is synchronous,
 * so no timeout could stop it. The pattern is also translated to a JS RegExp where the two dialects
 * differ (\s, ".", \pN, \Q..\E, (?P<name>), flags, POSIX classes, stray braces), only to word syntax
 * errors as Go does. The match loops for FindAll, ReplaceAll and Split are Go's, which treat empty
 * matches differently from JS.
 */
import { RE2JS } from 're2js';
import { canBackquote, goQuote } from './go-quote.js';

export class GoRegexpError extends Error {}

export interface GoRegexp {
  /** The pattern compiled by re2js, which matches. */
  re2: RE2JS;
  /** Capture group names by index (index 0 is the whole match, named ""). */
  names: string[];
}

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const jsSyntaxChars = '^$\\.*+?()[]{}|/';
const classSpecialChars = '\\]^[';

interface Flags {
  dotAll: boolean;
  multiLine: boolean;
  ungreedy: boolean;
}

function unsupported(pattern: string, what: string): never {
  throw new GoRegexpError(
    `error parsing regexp: invalid or unsupported Perl syntax: ${goQuote(what)} in ${pattern}`,
  );
}

/** Escapes a literal character for use outside (or inside) a JS character class. */
function literal(ch: string, inClass: boolean): string {
  if (inClass) return classSpecialChars.includes(ch) ? '\\' + ch : ch;
  return jsSyntaxChars.includes(ch) ? '\\' + ch : ch;
}

function translate(pattern: string): { source: string; ignoreCase: boolean; names: string[] } {
  let i = 0;
  let ignoreCase = false;
  let out = '';
  const names: string[] = [''];
  const flagStack: Flags[] = [];
  let flags: Flags = { dotAll: false, multiLine: false, ungreedy: false };

  // A leading (?i) or (?flags) applies to the whole pattern, the one place JS can express 'i'.
  const leading = /^\(\?([imsU]+)\)/.exec(pattern);
  if (leading) {
    const set = leading[1] ?? '';
    ignoreCase = set.includes('i');
    flags = { dotAll: set.includes('s'), multiLine: set.includes('m'), ungreedy: set.includes('U') };
    i = leading[0].length;
  }

  const escapeOutsideClass = (): void => {
    const ch = pattern[i + 1];
    if (ch === undefined)
      throw new GoRegexpError('error parsing regexp: trailing backslash at end of expression: ``');
    i += 2;
    switch (ch) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'b':
      case 'B':
      case 'f':
      case 'n':
      case 'r':
      case 't':
      case 'v':
        out += '\\' + ch;
        return;
      case 'a':
        out += '\\x07';
        return;
      case 's':
        out += '[\\t\\n\\f\\r ]';
        return;
      case 'S':
        out += '[^\\t\\n\\f\\r ]';
        return;
      case 'A':
        out += '^';
        return;
      case 'z':
        out += '$';
        return;
      case 'p':
      case 'P':
        out += unicodeClass(ch);
        return;
      case 'x':
        out += hexEscape();
        return;
      case 'Q': {
        const endQuote = pattern.indexOf('\\E', i);
        const text = endQuote < 0 ? pattern.slice(i) : pattern.slice(i, endQuote);
        i = endQuote < 0 ? pattern.length : endQuote + 2;
        for (const c of text) out += literal(c, false);
        return;
      }
      default:
        if (/[0-7]/.test(ch) && ch !== '0' && !/[0-7]/.test(pattern[i] ?? '')) {
          throw new GoRegexpError(`error parsing regexp: invalid escape sequence: \`\\${ch}\``);
        }
        if (/[0-7]/.test(ch)) {
          const digits = /^[0-7]{0,2}/.exec(pattern.slice(i))?.[0] ?? '';
          i += digits.length;
          out += '\\u{' + parseInt(ch + digits, 8).toString(16) + '}';
          return;
        }
        if (/[A-Za-z0-9]/.test(ch))
          throw new GoRegexpError(`error parsing regexp: invalid escape sequence: \`\\${ch}\``);
        out += literal(ch, false);
    }
  };

  const unicodeClass = (kind: string): string => {
    let name: string;
    if (pattern[i] === '{') {
      const close = pattern.indexOf('}', i);
      if (close < 0)
        throw new GoRegexpError(`error parsing regexp: invalid character class range: \`\\${kind}{\``);
      name = pattern.slice(i + 1, close);
      i = close + 1;
    } else {
      name = pattern[i] ?? '';
      i++;
    }
    let negate = kind === 'P';
    if (name.startsWith('^')) {
      negate = !negate;
      name = name.slice(1);
    }
    const property = name.length <= 2 || name === 'Any' ? name : `Script=${name}`;
    return `\\${negate ? 'P' : 'p'}{${property}}`;
  };

  const hexEscape = (): string => {
    if (pattern[i] === '{') {
      const close = pattern.indexOf('}', i);
      const digits = pattern.slice(i + 1, close);
      i = close + 1;
      return '\\u{' + digits + '}';
    }
    const digits = pattern.slice(i, i + 2);
    i += 2;
    return '\\x' + digits;
  };

  const characterClass = (): void => {
    i++; // [
    out += '[';
    if (pattern[i] === '^') {
      out += '^';
      i++;
    }
    let first = true;
    while (i < pattern.length) {
      const ch = pattern[i] as string;
      if (ch === ']' && !first) {
        out += ']';
        i++;
        return;
      }
      first = false;
      if (ch === '[' && pattern[i + 1] === ':') {
        const close = pattern.indexOf(':]', i + 2);
        const name = close < 0 ? undefined : pattern.slice(i + 2, close);
        const ranges = name === undefined ? undefined : posixClasses[name];
        if (ranges !== undefined) {
          out += ranges;
          i = close + 2;
          continue;
        }
      }
      if (ch === '\\') {
        const next = pattern[i + 1] ?? '';
        i += 2;
        if (next === 's') out += '\\t\\n\\f\\r ';
        else if ('dDwWSfnrtv'.includes(next)) out += '\\' + next;
        else if (next === 'a') out += '\\x07';
        else if (next === 'p' || next === 'P') out += unicodeClass(next);
        else if (next === 'x') out += hexEscape();
        else if (/[A-Za-z0-9]/.test(next)) {
          throw new GoRegexpError(`error parsing regexp: invalid escape sequence: \`\\${next}\``);
        } else out += literal(next, true);
        continue;
      }
      // '-' stays a range operator, as in Go.
      out += ch === '-' ? '-' : literal(ch, true);
      i += ch.length;
    }
    throw new GoRegexpError(
      `error parsing regexp: missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``,
    );
  };

  // The text of a repetition operator that just ended, to reject "a**" as Go does.
  let lastRepeat = '';
  const quantifierSuffix = (op: string): void => {
    if (lastRepeat !== '') {
      throw new GoRegexpError(
        `error parsing regexp: invalid nested repetition operator: \`${lastRepeat}${op}\``,
      );
    }
    // Under (?U) greedy and lazy swap meaning.
    const lazy = pattern[i] === '?';
    if (lazy) i++;
    if (lazy !== flags.ungreedy) out += '?';
    lastRepeat = op + (lazy ? '?' : '');
  };

  while (i < pattern.length) {
    const ch = pattern[i] as string;
    const repeatBefore = lastRepeat;
    switch (ch) {
      case '\\':
        escapeOutsideClass();
        break;
      case '[':
        characterClass();
        break;
      case '.':
        out += flags.dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        break;
      case '^':
        out += flags.multiLine ? '(?<=^|\\n)' : '^';
        i++;
        break;
      case '$':
        out += flags.multiLine ? '(?=\\n|$)' : '$';
        i++;
        break;
      case '(': {
        const rest = pattern.slice(i);
        const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
        const flagGroup = /^\(\?([imsU-]*)(:|\))/.exec(rest);
        flagStack.push({ ...flags });
        if (named) {
          names.push(named[1] ?? '');
          out += `(?<${named[1]}>`;
          i += named[0].length;
        } else if (flagGroup) {
          const spec = flagGroup[1] ?? '';
          const [on = '', off = ''] = spec.split('-');
          if (on.includes('i') || off.includes('i')) unsupported(pattern, '(?i');
          const set = (letter: string, current: boolean): boolean =>
            on.includes(letter) ? true : off.includes(letter) ? false : current;
          const updated = {
            dotAll: set('s', flags.dotAll),
            multiLine: set('m', flags.multiLine),
            ungreedy: set('U', flags.ungreedy),
          };
          i += flagGroup[0].length;
          if (flagGroup[2] === ')') {
            // (?s) mid-group: applies until the enclosing group closes.
            flagStack.pop();
            flags = updated;
          } else {
            flags = updated;
            out += '(?:';
          }
        } else if (rest.startsWith('(?')) {
          unsupported(pattern, rest.slice(0, 3));
        } else {
          names.push('');
          out += '(';
          i++;
        }
        break;
      }
      case ')':
        flags = flagStack.pop() ?? flags;
        out += ')';
        i++;
        break;
      case '*':
      case '+':
      case '?':
        out += ch;
        i++;
        quantifierSuffix(ch);
        break;
      case '{': {
        const repeat = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (!repeat) {
          out += '\\{';
          i++;
          break;
        }
        const min = Number(repeat[1]);
        const max = repeat[3] === undefined || repeat[3] === '' ? min : Number(repeat[3]);
        if (min > 1000 || max > 1000 || (repeat[3] !== undefined && repeat[3] !== '' && max < min)) {
          throw new GoRegexpError(`error parsing regexp: invalid repeat count: \`${repeat[0]}\``);
        }
        out += repeat[0];
        i += repeat[0].length;
        quantifierSuffix(repeat[0]);
        break;
      }
      case '}':
      case ']':
      case '/':
        out += '\\' + ch;
        i++;
        break;
      default: {
        const cp = pattern.codePointAt(i) ?? 0;
        const text = String.fromCodePoint(cp);
        out += text;
        i += text.length;
      }
    }
    if (lastRepeat === repeatBefore) lastRepeat = '';
  }
  return { source: out, ignoreCase, names };
}

/** Rewords the common JS RegExp syntax errors the way Go's regexp/syntax reports them. */
function describeSyntaxError(pattern: string, jsMessage: string): string {
  if (/Unterminated group/.test(jsMessage)) return `missing closing ): \`${pattern}\``;
  if (/Unmatched '\)'/.test(jsMessage)) return `unexpected ): \`${pattern}\``;
  if (/Nothing to repeat/.test(jsMessage)) {
    const op = /(?:^|[(|])([*+?]|\{\d+(?:,\d*)?\})/.exec(pattern)?.[1] ?? '*';
    return `missing argument to repetition operator: \`${op}\``;
  }
  if (/Unterminated character class/.test(jsMessage)) {
    return `missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``;
  }
  if (/Range out of order/.test(jsMessage)) return `invalid character class range: \`${pattern}\``;
  return jsMessage.replace(/^Invalid regular expression: /, '');
}

const cache = new Map<string, GoRegexp>();

/** regexp.Compile; throws GoRegexpError with a Go-like message when the pattern is invalid. */
export function compileGoRegexp(pattern: string): GoRegexp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const { source, ignoreCase, names } = translate(pattern);
  try {
    new RegExp(source, ignoreCase ? 'giu' : 'gu'); // for Go's wording of syntax errors only
  } catch (error) {
    throw new GoRegexpError(
      `error parsing regexp: ${describeSyntaxError(pattern, (error as Error).message)}`,
    );
  }
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(pattern);
  } catch (error) {
    throw new GoRegexpError((error as Error).message); // re2js words its errors as Go does
  }
  const compiled = { re2, names };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** regexp.MustCompile's panic text, which Sprig's regex functions surface. */
export function mustCompileGoRegexp(pattern: string): GoRegexp {
  try {
    return compileGoRegexp(pattern);
  } catch (error) {
    const quoted = canBackquote(pattern) ? '`' + pattern + '`' : goQuote(pattern);
    throw new GoRegexpError(`regexp: Compile(${quoted}): ${(error as Error).message}`);
  }
}

function charWidth(text: string, pos: number): number {
  const code = text.charCodeAt(pos);
  return code >= 0xd800 && code <= 0xdbff && pos + 1 < text.length ? 2 : 1;
}

/** The first match at or after `pos` (UTF-16 index), shaped as RegExp.exec's answer. */
function execAt(regexp: GoRegexp, text: string, pos: number): RegExpExecArray | null {
  const matcher = regexp.re2.matcher(text);
  if (!matcher.find(pos)) return null;
  const groups: Array<string | undefined> = [];
  for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group) ?? undefined);
  return Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
}

/** Regexp.MatchString. */
export function matchesGoRegexp(regexp: GoRegexp, text: string): boolean {
  return regexp.re2.matcher(text).find();
}

/** Go's allMatches loop: an empty match right after a previous match is skipped. */
export function findAllMatches(regexp: GoRegexp, text: string, n: number): RegExpExecArray[] {
  const matches: RegExpExecArray[] = [];
  const limit = n < 0 ? text.length + 1 : n;
  let pos = 0;
  let prevMatchEnd = -1;
  while (matches.length < limit && pos <= text.length) {
    const m = execAt(regexp, text, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === pos) {
      if (start === prevMatchEnd) accept = false;
      pos += pos < text.length ? charWidth(text, pos) : 1;
    } else {
      pos = end;
    }
    prevMatchEnd = end;
    if (accept) matches.push(m);
  }
  return matches;
}

export function findFirst(regexp: GoRegexp, text: string): string {
  return execAt(regexp, text, 0)?.[0] ?? '';
}

/** Regexp.Expand: $1, ${1}, $name, ${name} and $$; unknown groups expand to "". */
export function expandTemplate(template: string, match: RegExpExecArray, names: readonly string[]): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(\{)?([\p{L}\p{Nd}_]+)/u.exec(rest);
    const braced = ref?.[1] === '{';
    if (!ref || (braced && rest[ref[0].length] !== '}')) {
      out += '$';
      continue;
    }
    const name = ref[2] ?? '';
    rest = rest.slice(ref[0].length + (braced ? 1 : 0));
    let num = /^\d+$/.test(name) && name.length < 9 ? Number(name) : -1;
    if (name.length > 1 && name[0] === '0') num = -1;
    if (num >= 0) {
      out += match[num] ?? '';
    } else {
      const index = names.indexOf(name);
      if (index > 0) out += match[index] ?? '';
    }
  }
  return out + rest;
}

/** Go's replaceAll loop, with the replacement built per match. */
export function replaceAllMatches(
  regexp: GoRegexp,
  text: string,
  replacement: (match: RegExpExecArray) => string,
): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    const m = execAt(regexp, text, searchPos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += text.slice(lastMatchEnd, start);
    // No replacement for an empty match immediately after another match.
    if (end > lastMatchEnd || start === 0) out += replacement(m);
    lastMatchEnd = end;
    const width = searchPos < text.length ? charWidth(text, searchPos) : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + text.slice(lastMatchEnd);
}

/** Regexp.Split; n < 0 means all pieces, n == 0 means none (nil). */
export function splitByRegexp(regexp: GoRegexp, pattern: string, text: string, n: number): string[] {
  if (n === 0) return [];
  if (pattern.length > 0 && text.length === 0) return [''];
  const matches = findAllMatches(regexp, text, n);
  const pieces: string[] = [];
  let begin = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && pieces.length >= n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) pieces.push(text.slice(begin, end));
    begin = m.index + m[0].length;
  }
  if (end !== text.length) pieces.push(text.slice(begin));
  return pieces;
}
