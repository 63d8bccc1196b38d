import nunjucks from 'nunjucks';
import { verdictGate, type SloGate } from '../results/records.js';
import { createSandboxedEnvironment } from '../util/sandboxed-nunjucks.js';
import { quoteShellWord } from '../util/quote-shell-word.js';

/**
 * One isolated nunjucks Environment per experiment: never the global `configure`, undefined
 * variables are errors, no autoescape (the output is YAML data, not HTML), no file loader.
 */
export function createTemplateEnvironment(): nunjucks.Environment {
  const environment = createSandboxedEnvironment({ autoescape: false, throwOnUndefined: true });
  // A value spliced into a `run` script must stay one word, whatever it holds.
  environment.addFilter('shellquote', quoteShellWord);
  environment.addGlobal('range', boundedRange(environment.getGlobal('range') as RangeFunction));
  return environment;
}

type RangeFunction = (start: number, stop?: number, step?: number) => number[];

/** No experiment loops this often; `range(0, 1e8)` would block the process for many seconds. */
export const MAX_RANGE_ITEMS = 10_000;

function boundedRange(range: RangeFunction): RangeFunction {
  return (start, stop, step) => {
    const [from, to, by] = stop === undefined ? [0, start, 1] : [start, stop, step || 1];
    const items = Math.ceil((Number(to) - Number(from)) / Number(by));
    if (items > MAX_RANGE_ITEMS) {
      throw new Error(`range() of ${items} items is longer than the limit of ${MAX_RANGE_ITEMS}`);
    }
    return range(start, stop, step);
  };
}

/** Whether a string holds template syntax worth rendering. */
export function hasTemplateSyntax(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

const wholeExpression = /^\s*\{\{([^]*)\}\}\s*$/;

/**
 * Render one YAML string scalar. A scalar that is a single `{{ expr }}` keeps the expression's type
 * (number, list, map), so `maxLoops: "{{ values.loops }}"` gives a number; anything else is a string.
 */
export function renderScalar(environment: nunjucks.Environment, text: string, context: object): unknown {
  const whole = wholeExpression.exec(text);
  if (whole && !whole[1]!.includes('}}') && !whole[1]!.includes('{{')) {
    const json = renderTemplate(environment, `{{ (${whole[1]}) | dump }}`, context);
    return json === '' ? '' : (JSON.parse(json) as unknown);
  }
  return renderTemplate(environment, text, context);
}

/** Compile, then render, so a template the parser cannot read is reported as a syntax error. */
function renderTemplate(environment: nunjucks.Environment, source: string, context: object): string {
  let template: nunjucks.Template;
  try {
    template = new nunjucks.Template(source, environment, undefined, true);
  } catch (error) {
    throw new Error(`syntax: ${describeSyntaxError(error)}`);
  }
  return template.render(context);
}

/** nunjucks's parser sometimes fails with a JavaScript error of its own; that says nothing to a user. */
function describeSyntaxError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return /\b(TypeError|SyntaxError|ReferenceError|RangeError)\b/.test(raw)
    ? 'the template cannot be parsed; check that every {{ has its }} and every {% its %}'
    : cleanTemplateError(error);
}

/** What the loop has done so far, for the functions conditions can call. */
export interface LoopSoFar {
  /** SLO verdicts recorded so far in this loop. */
  slos: ReadonlyArray<{ status: string; gate?: SloGate | undefined }>;
  /** Tasks of this loop that have finished, with their status. */
  tasks: ReadonlyArray<{ status: string }>;
}

/**
 * What a task's `if:` can read. One place, so validation and the engine agree:
 * `loop`, `values`, and `slos()` (no SLO so far fails or is inconclusive, and there is one), `nofailure()` (no task
 * so far failed or could not run), `completed()` (every task so far completed or was skipped).
 */
export function conditionContext(
  values: Record<string, unknown>,
  loop: number,
  soFar: LoopSoFar = { slos: [], tasks: [] },
): Record<string, unknown> {
  const settledWell = (status: string) => status === 'completed' || status === 'skipped';
  return {
    loop,
    values,
    // warn and observe verdicts do not count against the SLOs, as for the exit code.
    slos: () =>
      soFar.slos.length > 0 && soFar.slos.every((s) => !['fail', 'inconclusive'].includes(verdictGate(s))),
    nofailure: () => soFar.tasks.every((t) => t.status !== 'failed' && t.status !== 'error'),
    completed: () => soFar.tasks.every((t) => settledWell(t.status)),
  };
}

/** Evaluate a condition such as `loop > 1` to a boolean. */
export function evaluateCondition(
  environment: nunjucks.Environment,
  expression: string,
  context: object,
): boolean {
  return environment.renderString(`{% if ${expression} %}1{% endif %}`, context) === '1';
}

/** Compile a condition without running it, so syntax errors show at validate time. */
export function checkConditionSyntax(
  environment: nunjucks.Environment,
  expression: string,
): string | undefined {
  if (/%}|\{%|\{\{|\}\}/.test(expression)) return 'write the bare expression, without {{ }} or {% %}';
  try {
    // eagerCompile: parse now, so a syntax error surfaces at validate time.
    new nunjucks.Template(`{% if ${expression} %}1{% endif %}`, environment, undefined, true);
    return undefined;
  } catch (error) {
    return cleanTemplateError(error);
  }
}

/** nunjucks errors carry a "(unknown path)" prefix and a stack-ish tail; keep the sentence. */
export function cleanTemplateError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s+/g, ' ')
    .replace(/^(\s*(\(unknown path\)|\[Line \d+, Column \d+\]|Template render error:|Error:))+\s*/, '')
    .replace(
      'attempted to output null or undefined value',
      'a value used here is not set (null or undefined)',
    )
    .replace(/^template not found: .*/, 'templates here cannot include, import or extend other templates')
    .replace(
      /^TypeError: Cannot read properties of (null|undefined) \(reading '[^']*'\)/,
      'a filter or lookup got $1; `default(x, true)` also replaces null',
    )
    .replace(/^TypeError: .* is not a function/, 'a filter got a value of a type it cannot handle')
    .trim();
}

interface AstNode {
  typename?: string;
  value?: unknown;
  fields?: string[];
  target?: AstNode;
  val?: AstNode;
  [field: string]: unknown;
}

/**
 * Names a condition reads that will not exist when it runs: an unknown variable, or a `values.x.y`
 * path the values do not have. nunjucks treats both as false, which would silently skip a task.
 */
export function findUnknownNames(expression: string, known: Record<string, unknown>): string[] {
  let root: AstNode;
  try {
    // The parser is public in nunjucks but missing from its type definitions.
    const { parser } = nunjucks as unknown as {
      parser: { parse(source: string, extensions: unknown[], options: object): unknown };
    };
    root = parser.parse(`{% if ${expression} %}1{% endif %}`, [], {}) as AstNode;
  } catch {
    return []; // syntax errors are reported by checkConditionSyntax
  }
  const unknown: string[] = [];
  const visit = (node: unknown, parentIsLookup: boolean): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as AstNode;
    if (n.typename === 'LookupVal' && !parentIsLookup) {
      const path = lookupPath(n);
      if (path) {
        const missing = missingPath(known, path);
        if (missing) unknown.push(missing);
        return;
      }
    }
    if (n.typename === 'Symbol' && typeof n.value === 'string' && !(n.value in known)) unknown.push(n.value);
    // A filter's or test's name is not a variable; `x | default(y)` and `x is defined` may read a missing x.
    if (n.typename === 'Filter') {
      const name = (n.name as AstNode | undefined)?.value;
      const args = ((n.args as AstNode | undefined)?.children as unknown[] | undefined) ?? [];
      args.slice(name === 'default' || name === 'd' ? 1 : 0).forEach((a) => visit(a, false));
      return;
    }
    if (n.typename === 'Is') return;
    for (const field of n.fields ?? []) {
      const child = n[field];
      if (Array.isArray(child)) child.forEach((c) => visit(c, false));
      else visit(child, n.typename === 'LookupVal' && field === 'target');
    }
  };
  visit(root, false);
  return [...new Set(unknown)];
}

/** `values.a["b"]` -> ['values', 'a', 'b'] when every step is a literal; undefined otherwise. */
function lookupPath(node: AstNode): string[] | undefined {
  if (node.typename === 'Symbol' && typeof node.value === 'string') return [node.value];
  if (node.typename !== 'LookupVal' || !node.target || node.val?.typename !== 'Literal') return undefined;
  const head = lookupPath(node.target);
  return head ? [...head, String(node.val.value)] : undefined;
}

function missingPath(known: Record<string, unknown>, path: string[]): string | undefined {
  let value: unknown = known;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== 'object' || !(path[i]! in (value as object))) {
      // Only names under an object we know the whole of (values, the context) can be declared missing.
      return i === 0 || path[0] === 'values' ? path.slice(0, i + 1).join('.') : undefined;
    }
    value = (value as Record<string, unknown>)[path[i]!];
  }
  return undefined;
}
