import nunjucks from 'nunjucks';
import { escapePromqlLabelValue } from '../backend/promql.js';
import { createSandboxedEnvironment } from '../../util/sandboxed-nunjucks.js';

/** A template error with the line it happened on, whatever the syntax. */
export class TemplateRenderError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `line ${line}${column !== undefined ? `:${column}` : ''}: ${reason}` : reason);
    this.name = 'TemplateRenderError';
  }
}

const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * One environment per template render context: strict about undefined values, no autoescape (the
 * output is YAML), and filters that make values safe inside PromQL.
 */
function createProviderEnvironment(): nunjucks.Environment {
  const environment = createSandboxedEnvironment({ autoescape: false, throwOnUndefined: true });
  environment.addFilter('promql', (value: unknown) => escapePromqlLabelValue(String(value)));
  environment.addFilter('promql_labels', (labels: unknown) => {
    if (labels === null || labels === undefined) return '';
    if (typeof labels !== 'object' || Array.isArray(labels))
      throw new Error('promql_labels needs a map of label names to values');
    return Object.entries(labels as Record<string, unknown>)
      .map(([name, value]) => {
        if (!labelName.test(name)) throw new Error(`${JSON.stringify(name)} is not a Prometheus label name`);
        if (value !== null && typeof value === 'object')
          throw new Error(
            `label ${name} must be a plain value, not a ${Array.isArray(value) ? 'list' : 'map'}`,
          );
        return `${name}="${escapePromqlLabelValue(String(value))}"`;
      })
      .join(',');
  });
  // `$name` placeholders, all in one pass: a value put in for one (a label value holding
  // "$window") is never read again as another.
  environment.addFilter('substitute', (text: unknown, replacements: unknown) =>
    substitutePlaceholders(String(text), replacements),
  );
  // 90 -> 0.9 and 99.9 -> 0.999, computed on the decimal text so no float noise enters the query.
  environment.addFilter('quantile', (percentile: unknown) => percentileToQuantile(percentile));
  // Lets a template refuse values it cannot use, with a message (like Sprig's fail).
  environment.addFilter('fail', (message: unknown) => {
    throw new Error(String(message));
  });
  // A PromQL range must be positive: the first loop may start 0 s after the experiment.
  environment.addFilter('window', (seconds: unknown) => `${Math.max(1, Math.floor(Number(seconds)))}s`);
  return environment;
}

function substitutePlaceholders(text: string, replacements: unknown): string {
  if (replacements === null || typeof replacements !== 'object' || Array.isArray(replacements))
    throw new Error('substitute needs a map of placeholder names to values');
  const values = new Map(Object.entries(replacements).map(([name, value]) => [name, String(value)]));
  if (values.size === 0) return text;
  // Longest names first, so that $labels is not read as $label followed by "s".
  const names = [...values.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(`\\$(${names.join('|')})`, 'g'), (_, name: string) => values.get(name)!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function percentileToQuantile(percentile: unknown): string {
  const text = typeof percentile === 'number' ? String(percentile) : String(percentile).trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match || Number(text) <= 0 || Number(text) > 100)
    throw new Error(`percentile must be a number in (0, 100], got ${JSON.stringify(percentile)}`);
  if (Number(text) === 100) return '1';
  // Dividing by 100 moves the decimal point two places left: "99.9" -> "0.999", "5" -> "0.05".
  const whole = String(Number(match[1])).padStart(2, '0');
  const digits = `${whole}${match[2] ?? ''}`.replace(/0+$/, '');
  return `0.${digits}`;
}

export interface CompiledNunjucks {
  render(data: object): string;
}

export function compileNunjucks(source: string, name: string): CompiledNunjucks {
  const environment = createProviderEnvironment();
  let template: nunjucks.Template;
  try {
    template = new nunjucks.Template(source, environment, name, true);
  } catch (error) {
    throw toRenderError(error);
  }
  return {
    render(data) {
      try {
        return template.render(data);
      } catch (error) {
        throw toRenderError(error);
      }
    },
  };
}

function toRenderError(error: unknown): TemplateRenderError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /\[Line (\d+), Column (\d+)\]/.exec(message);
  const reason = message
    .replace(/^\([^)]*\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^Error: /, '')
    .replace('attempted to output null or undefined value', 'a value used here is not set')
    .replace(/\s+/g, ' ')
    .trim();
  return new TemplateRenderError(
    reason,
    position ? Number(position[1]) : undefined,
    position ? Number(position[2]) : undefined,
  );
}
