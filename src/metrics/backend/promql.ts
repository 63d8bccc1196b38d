/**
 * PromQL syntax checks with Prometheus's own lezer grammar (what its web UI uses), so a
 * broken rendered query is reported before the experiment spends a loop on it. Syntax
 * only: argument types (`rate` needs a range vector) are left to Prometheus.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlProblem {
  /** What is wrong and where, e.g. `unexpected ")" at line 2, column 14`. */
  message: string;
  /** 0-based index into the query string. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

const MAX_EXCERPT = 30;

/** Every syntax error in `query`, in order; empty when it parses. */
export function checkPromql(query: string): PromqlProblem[] {
  // The parser reads `foo(x)` as metric `foo` followed by stray parentheses, which also
  // unbalances every `)` after it. So name the function, rename it to a known one of the
  // same length (positions stay valid) and parse again.
  const problems: PromqlProblem[] = [];
  let text = query;
  for (let round = 0; round < MAX_UNKNOWN_FUNCTIONS; round++) {
    const unknown = findUnknownFunction(text, mergeAdjacent(text, findErrorSpans(text)));
    if (!unknown) break;
    problems.push(problem(query, unknown.offset, `unknown function ${quote(unknown.name)}`));
    text =
      text.slice(0, unknown.offset) +
      maskName(unknown.name) +
      text.slice(unknown.offset + unknown.name.length);
  }
  for (const span of mergeAdjacent(text, findErrorSpans(text))) problems.push(describeSpan(query, span));
  return problems.sort((a, b) => a.offset - b.offset);
}

const MAX_UNKNOWN_FUNCTIONS = 20;

interface Span {
  from: number;
  to: number;
}

function findErrorSpans(query: string): Span[] {
  const spans: Span[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (!node.type.isError) return undefined;
      spans.push({ from: node.from, to: node.to });
      return false; // errors nested in errors add nothing
    },
  });
  return spans.sort((a, b) => a.from - b.from);
}

/** Error recovery skips token by token; `foo(bar)` would otherwise be three errors. */
function mergeAdjacent(query: string, spans: Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && query.slice(last.to, span.from).trim() === '') last.to = Math.max(last.to, span.to);
    else merged.push({ ...span });
  }
  return merged;
}

function describeSpan(query: string, span: Span): PromqlProblem {
  if (span.from === span.to) {
    // Something is missing here: name what comes next instead, or the end.
    const next = skipIgnored(query, span.from);
    if (next >= query.length) return problem(query, span.from, 'incomplete expression');
    return problem(query, next, `unexpected ${quote(tokenAt(query, next))}`);
  }
  return problem(query, span.from, `unexpected ${quote(query.slice(span.from, span.to))}`);
}

/** `foo(` where foo is not a PromQL function: an identifier right before a stray `(`. */
function findUnknownFunction(query: string, spans: Span[]): { name: string; offset: number } | undefined {
  for (const span of spans) {
    if (query[span.from] !== '(') continue;
    const match = /([A-Za-z_]\w*)\s*$/.exec(query.slice(0, span.from));
    if (match?.[1]) return { name: match[1], offset: span.from - match[0].length };
  }
  return undefined;
}

/** `ln` takes any arguments as far as the grammar is concerned; one letter becomes a space. */
function maskName(name: string): string {
  return name.length >= 2 ? 'ln'.padEnd(name.length) : ' ';
}

function problem(query: string, offset: number, what: string): PromqlProblem {
  const before = query.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { message: `${what} at line ${line}, column ${column}`, offset, line, column };
}

/** Skips whitespace and `#` comments. */
function skipIgnored(query: string, offset: number): number {
  let position = offset;
  while (position < query.length) {
    const char = query[position]!;
    if (/\s/.test(char)) position++;
    else if (char === '#') {
      const end = query.indexOf('\n', position);
      position = end === -1 ? query.length : end + 1;
    } else break;
  }
  return position;
}

/** The token starting at `offset`, roughly: a word, a string, an operator or one character. */
function tokenAt(query: string, offset: number): string {
  const rest = query.slice(offset);
  const match =
    /^(?:[A-Za-z_:][\w:]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?|[=!<>]=|=~|!~|.)/u.exec(
      rest,
    );
  return match?.[0] ?? rest.slice(0, 1);
}

function quote(text: string): string {
  const short = text.length > MAX_EXCERPT ? `${text.slice(0, MAX_EXCERPT - 1)}…` : text;
  return JSON.stringify(short);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Escapes `value` for use between the double quotes of a label matcher
 * (`{pod="<here>"}`), as PromQL's Go-style string literals require: backslash,
 * quote, line breaks and other control characters. A value cannot end the string.
 */
export function escapePromqlLabelValue(value: string): string {
  return value.replace(
    // eslint-disable-next-line no-control-regex
    /[\\"\u0000-\u001f\u007f]/g,
    (char) => ESCAPES[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * Escapes regular-expression metacharacters so `value` matches literally inside `=~`/`!~`
 * (RE2 syntax); pass the result through {@link escapePromqlLabelValue} as well.
 */
export function escapePromqlRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
