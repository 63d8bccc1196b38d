import nunjucks from 'nunjucks';

/**
 * One isolated nunjucks Environment per experiment: never the global `configure`, undefined
 * variables are errors, no autoescape (the output is YAML data, not HTML), no file loader.
 */
export function createTemplateEnvironment(): nunjucks.Environment {
  return new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true });
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
    const json = environment.renderString(`{{ (${whole[1]}) | dump }}`, context);
    return json === '' ? '' : (JSON.parse(json) as unknown);
  }
  return environment.renderString(text, context);
}

/** Evaluate a condition such as `loop > 1` to a boolean. */
export function evaluateCondition(environment: nunjucks.Environment, expression: string, context: object): boolean {
  return environment.renderString(`{% if ${expression} %}1{% endif %}`, context) === '1';
}

/** Compile a condition without running it, so syntax errors show at validate time. */
export function checkConditionSyntax(environment: nunjucks.Environment, expression: string): string | undefined {
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
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/m, '')
    .replace(/\s+/g, ' ')
    .replace(/^Template render error: /, '')
    .replace('attempted to output null or undefined value', 'a value used here is not set (null or undefined)')
    .trim();
}
