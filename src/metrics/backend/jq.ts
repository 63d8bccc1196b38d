/**
 * Extracts one number from a backend response with a user's jq expression.
 * Every call ends in a finite number or "no value" with a reason; nothing throws.
 */
import { describeCompileErrors, describeRuntimeError, isOnlyDiagnostics, truncate } from './jq-errors.js';
import { MAX_JQ_ARGUMENT_BYTES } from './jq-runtime.js';
import { DEFAULT_JQ_TIMEOUT_MS, runJqBounded, type JqBudget } from './jq-pool.js';
import { followPlainPath, parsePlainPath } from './jq-plain-path.js';

export type JqExtraction<T = number> = { value: T } | { value: null; reason: string };
/** Reads jq's first output as a value of the metric's kind (a number unless said otherwise). */
export type JqInterpreter<T> = (output: unknown) => JqExtraction<T>;

const DEFAULT_BUDGET: JqBudget = { timeoutMs: DEFAULT_JQ_TIMEOUT_MS };

/** The document travels as `--argjson`, not stdin (jq-wasm reads stdin in quadratic time). */
const DOCUMENT_VARIABLE = '__canary_document';
/** Leaves room for the expression inside jq's argument limit. */
const MAX_DOCUMENT_BYTES = MAX_JQ_ARGUMENT_BYTES - 32 * 1024;

/**
 * Runs `expression` on `document` and reads its first output: numbers and numeric strings
 * (Prometheus sends `"3.5"`, `"NaN"`, `"+Inf"`) become values; NaN, ±Inf, null, other
 * types, no output and jq errors become a reason.
 */
export async function extractWithJq<T = number>(
  document: unknown,
  expression: string,
  interpret: JqInterpreter<T> = interpretOutput as unknown as JqInterpreter<T>,
  budget: JqBudget = DEFAULT_BUDGET,
): Promise<JqExtraction<T>> {
  const plain = parsePlainPath(expression);
  const followed = plain && followPlainPath(document, plain);
  if (followed) return interpret(followed.output);
  return extractWithJqRun(document, expression, interpret, budget);
}

/** extractWithJq, always through jq (exported so tests can hold the plain-path shortcut to jq). */
export async function extractWithJqRun<T = number>(
  document: unknown,
  expression: string,
  interpret: JqInterpreter<T> = interpretOutput as unknown as JqInterpreter<T>,
  budget: JqBudget = DEFAULT_BUDGET,
): Promise<JqExtraction<T>> {
  const syntaxError = await checkJqSyntaxCached(expression);
  if (syntaxError !== undefined) return noValue(`jq: error: ${syntaxError}`);

  const json = serializeDocument(document);
  if (typeof json !== 'string') return noValue(json.reason);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    return noValue(
      `response of ${formatKiB(bytes)} is too large for jq (limit ${formatKiB(MAX_DOCUMENT_BYTES)}); narrow the query`,
    );
  }

  const outcome = await runJqBounded(
    wrapExpression(expression),
    ['-c', '-n', '--argjson', DOCUMENT_VARIABLE, json],
    budget,
  );
  if (outcome.kind === 'budget') return noValue(outcome.message);
  if (outcome.kind === 'empty') return noValue('jq returned no output');
  if (outcome.kind === 'error') {
    if (isOnlyDiagnostics(outcome.message)) return noValue('jq returned no output');
    return noValue(
      describeRuntimeError(outcome.message) ??
        describeCompileErrors(outcome.message) ??
        truncate(withJqPrefix(outcome.message.trim())),
    );
  }
  const firstLine = outcome.text.split('\n', 1)[0] ?? '';
  let output: unknown;
  try {
    output = JSON.parse(firstLine);
  } catch {
    return noValue(`jq output is not JSON: ${truncate(firstLine, 80)}`);
  }
  return interpret(output);
}

/**
 * jq's compile error for `expression` (e.g. `syntax error, unexpected end of file at line 1`),
 * or undefined when it compiles. Undefined functions and variables count as compile errors.
 * The expression is compiled behind `empty |`, so it never runs: runtime errors such as
 * `null | tonumber` cannot be mistaken for syntax errors, and endless loops cannot hang us.
 */
export async function checkJqSyntax(expression: string): Promise<string | undefined> {
  if (expression.trim() === '') return 'the expression is empty';
  // A plain path (`.data.result[0].value[1] | tonumber`) is valid jq: no need to start jq to know.
  if (parsePlainPath(expression)) return undefined;
  // Same line as the expression, so jq's line numbers stay the user's.
  const outcome = await runJqBounded(`empty | ${expression}`, ['-n', '-c'], DEFAULT_BUDGET);
  if (outcome.kind === 'budget') return `compiling took too long (${outcome.message})`;
  if (outcome.kind !== 'error') return undefined;
  return describeCompileErrors(outcome.message) ?? truncate(outcome.message.trim());
}

const syntaxCache = new Map<string, string | undefined>();
const SYNTAX_CACHE_SIZE = 500;

/** Metrics repeat the same few expressions for every version, loop and validated experiment. */
export async function checkJqSyntaxCached(expression: string): Promise<string | undefined> {
  if (syntaxCache.has(expression)) return syntaxCache.get(expression);
  const error = await checkJqSyntax(expression);
  if (syntaxCache.size >= SYNTAX_CACHE_SIZE) syntaxCache.clear();
  syntaxCache.set(expression, error);
  return error;
}

/**
 * Takes the first output only (later errors or an endless generator do not matter) and
 * names non-finite numbers, which jq 1.7 would print as `null` (NaN) or ±1.797e308 (±Inf).
 * Newlines keep a trailing `# comment` in the expression from swallowing the wrapper; the
 * expression's syntax was checked on its own first, so the wrapper cannot complete it.
 */
function wrapExpression(expression: string): string {
  return [
    `$${DOCUMENT_VARIABLE} | first(`,
    expression,
    ') | if type == "number" and (isnan or isinfinite)',
    '  then (if isnan then "NaN" elif . > 0 then "+Inf" else "-Inf" end)',
    '  else . end',
  ].join('\n');
}

function interpretOutput(output: unknown): JqExtraction {
  if (output === null) return noValue('jq returned null (empty result?)');
  if (typeof output === 'number') return fromNumber(output);
  if (typeof output === 'string') {
    const number = parseNumericString(output);
    if (number === undefined) return noValue(`jq returned a string ${truncate(JSON.stringify(output), 80)}`);
    return fromNumber(number);
  }
  if (typeof output === 'boolean') return noValue(`jq returned a boolean ${output}`);
  const kind = Array.isArray(output) ? 'an array' : 'an object';
  return noValue(`jq returned ${kind} ${truncate(JSON.stringify(output), 80)}`);
}

function fromNumber(number: number): JqExtraction {
  if (Number.isNaN(number)) return noValue('NaN');
  if (!Number.isFinite(number)) return noValue(number > 0 ? '+Inf' : '-Inf');
  return { value: number === 0 ? 0 : number }; // no -0 in results
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * Decimal numbers plus Go's spellings of non-finite floats (`NaN`, `+Inf`, `-Inf`), as
 * Prometheus writes sample values. Not `Number()`, which also accepts `""`, `0x10` and `Infinity` only.
 */
export function parseNumericString(text: string): number | undefined {
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) return Number(trimmed);
  if (/^nan$/i.test(trimmed)) return Number.NaN;
  const infinity = INFINITY.exec(trimmed);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

function serializeDocument(document: unknown): string | { reason: string } {
  try {
    return JSON.stringify(document) ?? 'null';
  } catch (error) {
    return {
      reason: `cannot pass the response to jq: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** `halt_error` messages come without jq's own prefix. */
function withJqPrefix(message: string): string {
  return message.startsWith('jq') ? message : `jq: ${message}`;
}

function noValue(reason: string): { value: null; reason: string } {
  return { value: null, reason };
}

function formatKiB(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

const DOCUMENTS_VARIABLE = '__canary_documents';
/** Expressions that read input, stop jq or print elsewhere cannot share one run. */
const UNBATCHABLE = /\b(halt|halt_error|input|inputs|debug|stderr|input_filename|\$__loc__)\b/;

/**
 * The same as extractWithJq for many documents and one expression, in as few jq runs as fit
 * (each run costs milliseconds in jq-wasm, so a loop with 100 metrics pays that once, not 100
 * times). Each document's first output, errors included, is judged exactly as extractWithJq would.
 */
export async function extractManyWithJq<T = number>(
  documents: readonly unknown[],
  expression: string,
  interpret: JqInterpreter<T> = interpretOutput as unknown as JqInterpreter<T>,
  budget: JqBudget = DEFAULT_BUDGET,
): Promise<Array<JqExtraction<T>>> {
  const plain = parsePlainPath(expression);
  if (plain === undefined) return extractManyWithJqRuns(documents, expression, interpret, budget);
  const followed = documents.map((d) => followPlainPath(d, plain));
  const results = followed.map((f) => (f ? interpret(f.output) : undefined));
  const left = documents.filter((_, i) => results[i] === undefined);
  if (left.length > 0) {
    const answers = await extractManyWithJqRuns(left, expression, interpret, budget);
    let next = 0;
    results.forEach((result, i) => {
      if (result === undefined) results[i] = answers[next++];
    });
  }
  return results as Array<JqExtraction<T>>;
}

/** extractManyWithJq, always through jq. */
async function extractManyWithJqRuns<T>(
  documents: readonly unknown[],
  expression: string,
  interpret: JqInterpreter<T>,
  budget: JqBudget,
): Promise<Array<JqExtraction<T>>> {
  const syntaxError = await checkJqSyntaxCached(expression);
  if (syntaxError !== undefined) return documents.map(() => noValue(`jq: error: ${syntaxError}`));
  if (documents.length <= 1 || UNBATCHABLE.test(expression))
    return Promise.all(documents.map((d) => extractWithJqRun(d, expression, interpret, budget)));
  const serialized = documents.map(serializeDocument);
  const results: Array<JqExtraction<T> | undefined> = serialized.map((json) =>
    typeof json === 'string' ? undefined : noValue(json.reason),
  );
  // Pack documents into batches under jq's argument limit; an oversized one goes alone (and fails alone).
  let batch: number[] = [];
  let bytes = 0;
  const batches: number[][] = [];
  serialized.forEach((json, index) => {
    if (typeof json !== 'string') return;
    const size = Buffer.byteLength(json, 'utf8') + 1;
    if (batch.length > 0 && bytes + size > MAX_DOCUMENT_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(index);
    bytes += size;
  });
  if (batch.length > 0) batches.push(batch);
  for (const indexes of batches) {
    const outcomes = await runBatch(
      indexes.map((i) => serialized[i] as string),
      expression,
      interpret,
      budget,
    );
    // A batch over its budget is not retried one document at a time: that would cost the budget per document.
    if (outcomes !== undefined && 'budgetReason' in outcomes) {
      for (const index of indexes) results[index] = noValue(outcomes.budgetReason);
      continue;
    }
    for (const [k, index] of indexes.entries()) {
      results[index] =
        outcomes?.[k] ?? (await extractWithJqRun(documents[index], expression, interpret, budget));
    }
  }
  return results as Array<JqExtraction<T>>;
}

/**
 * One jq run over a batch; undefined when the batch as a whole failed (callers fall back), the
 * budget's reason when it broke its budget.
 */
async function runBatch<T>(
  jsons: string[],
  expression: string,
  interpret: JqInterpreter<T>,
  budget: JqBudget,
): Promise<Array<JqExtraction<T>> | { budgetReason: string } | undefined> {
  const program = [
    `$${DOCUMENTS_VARIABLE}[] | (try ([first(`,
    expression,
    ')] | if length == 0 then {none: true} else {value: (.[0] | if type == "number" and (isnan or isinfinite)',
    '  then (if isnan then "NaN" elif . > 0 then "+Inf" else "-Inf" end) else . end)} end)',
    '  catch {error: .})',
  ].join('\n');
  const outcome = await runJqBounded(
    program,
    ['-c', '-n', '--argjson', DOCUMENTS_VARIABLE, `[${jsons.join(',')}]`],
    budget,
  );
  if (outcome.kind === 'budget') return { budgetReason: outcome.message };
  if (outcome.kind !== 'output') return undefined;
  const lines = outcome.text.trimEnd().split('\n');
  if (lines.length !== jsons.length) return undefined;
  try {
    return lines.map((line) => {
      const result = JSON.parse(line) as { none?: true; value?: unknown; error?: unknown };
      if (result.none) return noValue('jq returned no output');
      if ('error' in result) {
        const message = typeof result.error === 'string' ? result.error : JSON.stringify(result.error);
        return noValue(truncate(`jq: error: ${message}`));
      }
      return interpret(result.value);
    });
  } catch {
    return undefined;
  }
}
