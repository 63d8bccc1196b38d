import { parse as parseYaml } from 'yaml';
import { checkAgainstSchema } from '../../config/schema-check.js';
import { ProviderSpecSchema, type ProviderSpec } from '../provider-spec.js';
import type { TemplateSource } from './template-source.js';
import { compileNunjucks, TemplateRenderError } from './nunjucks-template.js';
import { GoInt, GoTemplateError, parseGoTemplate } from '../go-template/index.js';
import { formatRfc3339 } from '../../util/rfc3339.js';

export { TemplateRenderError };

export interface CompiledProvider {
  source: TemplateSource;
  /**
   * Render for one version's values, as of `evaluationTime` (default: now); throws
   * TemplateRenderError with a line where one is known.
   */
  render(
    values: Record<string, unknown>,
    elapsedTimeSeconds: number,
    evaluationTime?: Date,
  ): { spec: ProviderSpec; text: string };
}

/** What canary adds to a template's values (over any value of the same name). */
interface TimeValues {
  elapsedTimeSeconds: number;
  /** RFC 3339, UTC: the time the loop evaluates (now, or a past time in a retrospective loop). */
  evaluationTime: string;
  /** The same time in whole Unix seconds, for APIs that take timestamps. */
  evaluationTimestamp: number;
}

/** Compiled templates, keyed by everything compiling reads: a run compiles each once, not every loop. */
const compiledCache = new Map<string, CompiledProvider>();
const COMPILED_CACHE_SIZE = 64;
/** Rendered texts kept per template: every version's text of the last couple of loops. */
const PARSED_CACHE_SIZE = 32;

/** Parse a template once; render it per version and loop. */
export function compileProvider(source: TemplateSource, name: string): CompiledProvider {
  const key = JSON.stringify([source.syntax, name, source.origin, source.text]);
  const cached = compiledCache.get(key);
  if (cached) return cached;
  const compiled = compileUncached(source, name);
  if (compiledCache.size >= COMPILED_CACHE_SIZE) compiledCache.clear();
  compiledCache.set(key, compiled);
  return compiled;
}

function compileUncached(source: TemplateSource, name: string): CompiledProvider {
  const renderText = compileText(source, name);
  // A template that does not use the time renders the same text every loop: parse it once. Each
  // caller gets its own copy, so nothing a caller does to its spec reaches the next loop.
  const parsed = new Map<string, ProviderSpec>();
  return {
    source,
    render(values, elapsedTimeSeconds, evaluationTime = new Date()) {
      const text = renderText(values, {
        elapsedTimeSeconds,
        evaluationTime: formatRfc3339(evaluationTime),
        evaluationTimestamp: Math.floor(evaluationTime.getTime() / 1000),
      });
      let spec = parsed.get(text);
      if (spec === undefined) {
        spec = parseProviderSpec(text);
        if (parsed.size >= PARSED_CACHE_SIZE) parsed.delete(parsed.keys().next().value!);
        parsed.set(text, spec);
      }
      return { spec: structuredClone(spec), text };
    },
  };
}

function compileText(
  source: TemplateSource,
  name: string,
): (values: Record<string, unknown>, time: TimeValues) => string {
  if (source.syntax === 'nunjucks') {
    const template = compileNunjucks(source.text, name);
    return (values, time) => template.render({ ...values, ...time });
  }
  let template: ReturnType<typeof parseGoTemplate>;
  try {
    template = parseGoTemplate(source.text, name);
  } catch (error) {
    throw fromGoError(error);
  }
  // Iter8 passes elapsedTimeSeconds as a Go int; every other number came through JSON as float64.
  // The Unix timestamp is an integer too, so `{{ .evaluationTimestamp }}` prints digits, not 1.7e+09.
  return (values, time) => {
    try {
      return template.execute({
        ...values,
        elapsedTimeSeconds: new GoInt(time.elapsedTimeSeconds, 'int64'),
        evaluationTime: time.evaluationTime,
        evaluationTimestamp: new GoInt(time.evaluationTimestamp, 'int64'),
      });
    } catch (error) {
      throw fromGoError(error);
    }
  };
}

function fromGoError(error: unknown): unknown {
  if (error instanceof GoTemplateError)
    return new TemplateRenderError(error.reason ?? error.message, error.line, error.column);
  return error;
}

/** The rendered text must be YAML with the provider spec's shape. */
export function parseProviderSpec(text: string): ProviderSpec {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const line = /at line (\d+)/.exec(message);
    throw new TemplateRenderError(
      `the rendered template is not valid YAML: ${message}`,
      line ? Number(line[1]) : undefined,
    );
  }
  const problems = checkAgainstSchema(ProviderSpecSchema, document);
  if (problems.length > 0) {
    const first = problems[0]!;
    const where = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
    throw new TemplateRenderError(
      `the rendered provider spec is invalid: ${where}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    );
  }
  return document as ProviderSpec;
}
