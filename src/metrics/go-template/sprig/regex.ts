/** Sprig's regex functions on Go regexp semantics. */
import { fn, GoFunctionError, type GoFunction } from '../go-function.js';
import {
  compileGoRegexp,
  expandTemplate,
  findAllMatches,
  findFirst,
  matchesGoRegexp,
  mustCompileGoRegexp,
  replaceAllMatches,
  splitByRegexp,
  GoRegexpError,
  type GoRegexp,
} from '../go-regexp.js';
import { GoInt, nilSlice } from '../go-values.js';
import { stringList } from './conversions.js';

/** MustCompile panics (non-must functions); Compile errors (must functions). */
function compile(pattern: string, must: boolean): GoRegexp {
  try {
    return must ? compileGoRegexp(pattern) : mustCompileGoRegexp(pattern);
  } catch (error) {
    if (error instanceof GoRegexpError) throw new GoFunctionError(error.message);
    throw error;
  }
}

function findAll(pattern: string, text: string, n: number, must: boolean): unknown[] {
  const matches = findAllMatches(compile(pattern, must), text, n);
  return matches.length === 0 ? nilSlice('[]string') : stringList(matches.map((m) => m[0]));
}

function replace(pattern: string, text: string, repl: string, literal: boolean, must: boolean): string {
  const re = compile(pattern, must);
  return replaceAllMatches(re, text, (m) => (literal ? repl : expandTemplate(repl, m, re.names)));
}

function split(pattern: string, text: string, n: number, must: boolean): unknown[] {
  const pieces = splitByRegexp(compile(pattern, must), pattern, text, n);
  return n === 0 ? nilSlice('[]string') : stringList(pieces);
}

const s = (v: unknown): string => v as string;
const n = (v: unknown): number => (v as GoInt).value;

export const regexFunctions: Record<string, GoFunction> = {
  regexMatch: fn(['string', 'string'], ([re, text]) => {
    try {
      return matchesGoRegexp(compileGoRegexp(s(re)), s(text));
    } catch {
      return false;
    }
  }),
  mustRegexMatch: fn(['string', 'string'], ([re, text]) => matchesGoRegexp(compile(s(re), true), s(text))),
  regexFindAll: fn(['string', 'string', 'int'], ([re, text, count]) =>
    findAll(s(re), s(text), n(count), false),
  ),
  mustRegexFindAll: fn(['string', 'string', 'int'], ([re, text, count]) =>
    findAll(s(re), s(text), n(count), true),
  ),
  regexFind: fn(['string', 'string'], ([re, text]) => findFirst(compile(s(re), false), s(text))),
  mustRegexFind: fn(['string', 'string'], ([re, text]) => findFirst(compile(s(re), true), s(text))),
  regexReplaceAll: fn(['string', 'string', 'string'], ([re, text, repl]) =>
    replace(s(re), s(text), s(repl), false, false),
  ),
  mustRegexReplaceAll: fn(['string', 'string', 'string'], ([re, text, repl]) =>
    replace(s(re), s(text), s(repl), false, true),
  ),
  regexReplaceAllLiteral: fn(['string', 'string', 'string'], ([re, text, repl]) =>
    replace(s(re), s(text), s(repl), true, false),
  ),
  mustRegexReplaceAllLiteral: fn(['string', 'string', 'string'], ([re, text, repl]) =>
    replace(s(re), s(text), s(repl), true, true),
  ),
  regexSplit: fn(['string', 'string', 'int'], ([re, text, count]) => split(s(re), s(text), n(count), false)),
  mustRegexSplit: fn(['string', 'string', 'int'], ([re, text, count]) =>
    split(s(re), s(text), n(count), true),
  ),
  regexQuoteMeta: fn(['string'], ([text]) => s(text).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')),
};
