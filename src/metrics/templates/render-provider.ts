import { parse as parseYaml } from 'yaml';
import { checkAgainstSchema } from '../../config/schema-check.js';
import { ProviderSpecSchema, type ProviderSpec } from '../provider-spec.js';
import type { TemplateSource } from './template-source.js';
import { compileNunjucks, TemplateRenderError } from './nunjucks-template.js';
import { GoInt, GoTemplateError, parseGoTemplate } from '../go-template/index.js';

export { TemplateRenderError };

export interface CompiledProvider {
  source: TemplateSource;
  /** Render for one version's values; throws TemplateRenderError with a line where one is known. */
  render(values: Record<string, unknown>, elapsedTimeSeconds: number): { spec: ProviderSpec; text: string };
}

/** Parse a template once; render it per version and loop. */
export function compileProvider(source: TemplateSource, name: string): CompiledProvider {
  const renderText = compileText(source, name);
  return {
    source,
    render(values, elapsedTimeSeconds) {
      const text = renderText(values, elapsedTimeSeconds);
      return { spec: parseProviderSpec(text), text };
    },
  };
}

function compileText(
  source: TemplateSource,
  name: string,
): (values: Record<string, unknown>, elapsed: number) => string {
  if (source.syntax === 'nunjucks') {
    const template = compileNunjucks(source.text, name);
    return (values, elapsed) => template.render({ ...values, elapsedTimeSeconds: elapsed });
  }
  let template: ReturnType<typeof parseGoTemplate>;
  try {
    template = parseGoTemplate(source.text, name);
  } catch (error) {
    throw fromGoError(error);
  }
  // Iter8 passes elapsedTimeSeconds as a Go int; every other number came through JSON as float64.
  return (values, elapsed) => {
    try {
      return template.execute({ ...values, elapsedTimeSeconds: new GoInt(elapsed, 'int64') });
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
