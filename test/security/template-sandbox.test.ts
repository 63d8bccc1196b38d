import { afterEach, describe, expect, it } from 'vitest';
import {
  conditionContext,
  createTemplateEnvironment,
  evaluateCondition,
  renderScalar,
} from '../../src/config/expressions.js';
import { renderGoTemplate } from '../../src/metrics/go-template/index.js';
import { compileNunjucks } from '../../src/metrics/templates/nunjucks-template.js';
import { renderPayload } from '../../src/tasks/notify/render-payload.js';
import type { Report } from '../../src/report/report-schema.js';

/**
 * Every place canary renders a template written in an experiment or fetched from a URL: none may
 * reach `process` (environment variables, files, child processes) or nunjucks' own objects.
 * An escape sets a global; each attempt must fail or render harmlessly without setting it.
 */

const sentinel = '__canaryTemplateEscape';
const code = `globalThis.${sentinel} = process.env.HOME ?? 'escaped'; return 'ESCAPED'`;
declare global {
  var __canaryTemplateEscape: unknown;
}
afterEach(() => {
  delete globalThis.__canaryTemplateEscape;
});

/** Expressions that would reach Function or the render machinery in plain nunjucks. */
const expressions = [
  `"".constructor.constructor("${code}")()`,
  `range.constructor("${code}")()`,
  `cycler.constructor("${code}")()`,
  `joiner.constructor("${code}")()`,
  `""["constr" ~ "uctor"]["constr" ~ "uctor"]("${code}")()`,
  `constructor.constructor("${code}")()`,
  `[].map.constructor("${code}")()`,
  `"".toString.call.constructor("${code}")()`,
  `values.__proto__.constructor.constructor("${code}")()`,
  `range.__proto__.constructor("${code}")()`,
  `({}).__lookupGetter__("__proto__")`,
  `valueOf().env`,
  `process.env.HOME`,
  `require("fs")`,
];

/** Statements a template may try: dynamic keys, prototypes in dict literals, files. */
const statements = [
  `{% set k = "constructor" %}{{ ""[k][k]("${code}")() }}`,
  `{% set o = {"__proto__": range} %}{{ o.constructor("${code}")() }}`,
  `{% macro m() %}x{% endmacro %}{{ m.constructor("${code}")() }}`,
  `{% include "/etc/passwd" %}`,
  `{% import "/etc/passwd" as p %}`,
  `{% extends "/etc/hostname" %}`,
];

const report = { experiment: { name: 'e' } } as unknown as Report;
const values = { version: 'v1', labels: { app: 'a' } };

/** Renders a whole template on one surface; returns the text, or the error message. */
const surfaces: Array<{ name: string; render: (template: string) => string }> = [
  {
    name: 'provider template (nunjucks)',
    render: (template) => compileNunjucks(template, 't').render(values),
  },
  {
    name: 'notify payload',
    render: (template) => renderPayload(template, { report, loop: 1, experiment: { name: 'e' } }),
  },
  {
    name: 'experiment value templating',
    render: (template) => String(renderScalar(createTemplateEnvironment(), template, { values })),
  },
];

function attempt(run: () => unknown): string {
  try {
    return String(run());
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe.each(surfaces)('$name cannot escape the sandbox', ({ render }) => {
  it.each(expressions)('{{ %s }}', (expression) => {
    const result = attempt(() => render(`{{ ${expression} }}`));
    expect(globalThis.__canaryTemplateEscape).toBeUndefined();
    expect(result).toMatch(/^error: /);
    expect(result).not.toContain('ESCAPED');
  });

  it.each(statements)('%s', (template) => {
    const result = attempt(() => render(template));
    expect(globalThis.__canaryTemplateEscape).toBeUndefined();
    expect(result).toMatch(/^error: /);
    expect(result).not.toContain('ESCAPED');
    expect(result).not.toContain('root:');
  });
});

describe('if: conditions cannot escape the sandbox', () => {
  it.each(expressions)('if: %s', (expression) => {
    const result = attempt(() =>
      evaluateCondition(createTemplateEnvironment(), `${expression}`, conditionContext(values, 1)),
    );
    expect(globalThis.__canaryTemplateEscape).toBeUndefined();
    // A condition that reads nothing usable is false (or an error), never code that ran.
    expect(result === 'false' || result.startsWith('error: ')).toBe(true);
  });
});

describe('templates still read what they are given', () => {
  it('members, methods, filters and globals work as before', () => {
    const template =
      '{{ values.labels.app }} {{ values.version.toUpperCase() }} {{ values | dump }} {% for i in range(2) %}{{ i }}{% endfor %}';
    expect(renderScalar(createTemplateEnvironment(), template, { values })).toBe(
      `a V1 ${JSON.stringify(values)} 01`,
    );
    expect(
      evaluateCondition(
        createTemplateEnvironment(),
        'loop > 0 and values.version == "v1"',
        conditionContext(values, 1),
      ),
    ).toBe(true);
  });

  it('a value named like an Object member is still read when it is the value’s own', () => {
    expect(
      renderScalar(createTemplateEnvironment(), '{{ values.toString }}', { values: { toString: 'own' } }),
    ).toBe('own');
  });
});

describe('Go templates (Iter8 .tpl) have no way to the environment or files', () => {
  it.each([
    ['{{ env "HOME" }}', /env/],
    ['{{ expandenv "$HOME" }}', /expandenv/],
    ['{{ readFile "/etc/passwd" }}', /readFile/],
    ['{{ getHostByName "localhost" }}', /getHostByName/],
  ])('%s is refused when parsed', (template, name) => {
    expect(() => renderGoTemplate(template, 't', {})).toThrow(name);
    expect(() => renderGoTemplate(template, 't', {})).not.toThrow(process.env.HOME ?? '/root');
  });

  it('fields resolve to own keys of the data only', () => {
    expect(
      renderGoTemplate('[{{ .constructor }}][{{ .__proto__ }}][{{ index . "constructor" }}]', 't', { a: 1 }),
    ).toBe('[<no value>][<no value>][<no value>]');
  });
});
