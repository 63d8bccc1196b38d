import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
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
import { HangWatchdog } from '../fuzz/hang-watchdog.js';

/**
 * Templates that never end (or would take hours) on an unbudgeted renderer. Rendering is synchronous,
 * so a vitest timeout cannot fire: a watchdog thread kills the test process instead, naming the case.
 */
let dir: string;
let watchdog: HangWatchdog;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'canary-template-budget-'));
  watchdog = new HangWatchdog({
    limitMs: 30_000,
    reportFile: path.join(os.tmpdir(), 'canary-template-budget-hang.txt'),
    documentDir: dir,
  });
});
afterAll(async () => {
  await watchdog.close();
  rmSync(dir, { recursive: true, force: true });
});
let current = '';
beforeEach((context) => {
  current = context.task.name;
  writeFileSync(path.join(dir, 'case.txt'), current);
  watchdog.start();
});
afterEach(() => watchdog.stop());

function attempt(run: () => unknown): string {
  try {
    return `rendered: ${String(run()).slice(0, 100)}`;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

// Values and conditions have had a range() of at most 10,000 items; the budget covers what that left open.
const STOPPED =
  /stopped after 1,000,000 steps|ran longer than 2s|string of more than|range\(\) of \d+ items is longer than the limit/;

export const nunjucksHangs = [
  ['nested loops', '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}'],
  [
    'nested loops over a literal',
    `{% set l = [${Array(20).fill(1)}] %}${'{% for a in l %}'.repeat(7)}x${'{% endfor %}'.repeat(7)}`,
  ],
  ['a huge range', '{{ range(1000000000000) | length }}'],
  [
    'exponential macro recursion',
    '{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}',
  ],
  [
    'string doubling',
    '{% set s = "xx" %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}',
  ],
] as const;

const report = { experiment: { name: 'e' } } as unknown as Report;
const surfaces: Array<{ name: string; render: (template: string) => unknown }> = [
  { name: 'provider template (nunjucks)', render: (t) => compileNunjucks(t, 't').render({}) },
  { name: 'notify payload', render: (t) => renderPayload(t, { report, loop: 1, experiment: { name: 'e' } }) },
  { name: 'experiment value', render: (t) => renderScalar(createTemplateEnvironment(), t, { values: {} }) },
];

describe.each(surfaces)('$name stops a runaway template', ({ render }) => {
  it.each(nunjucksHangs)('%s', (_name, template) => {
    const result = attempt(() => render(template));
    expect(result).toMatch(/^error: /);
    expect(result).toMatch(STOPPED);
  });

  it('reads range() arguments as numbers (nunjucks concatenated strings forever)', () => {
    expect(attempt(() => render('{{ range("0", "5") | length }}'))).toBe('rendered: 5');
  });

  it('still renders an ordinary loop', () => {
    expect(attempt(() => render('{% for i in range(3) %}{{ i }}{% endfor %}'))).toBe('rendered: 012');
  });
});

describe('if: conditions stop too', () => {
  it.each([
    ['a huge range', 'range(1000000000000) | length > 0'],
    [
      'nested generators',
      '(range(700000) | join("") | length) > 0 and (range(700000) | join("") | length) > 0',
    ],
  ])('%s', (_name, condition) => {
    const result = attempt(() =>
      evaluateCondition(createTemplateEnvironment(), condition, conditionContext({}, 1)),
    );
    expect(result).toMatch(STOPPED);
  });
});

export const goTemplateHangs = [
  ['nested range', '{{ range until 10000 }}{{ range until 10000 }}{{ end }}{{ end }}'],
  ['a huge until', '{{ len (until 1000000000) }}'],
  ['a huge untilStep', '{{ len (untilStep 0 1000000000 1) }}'],
  [
    'exponential template calls',
    '{{ define "f" }}{{ if . }}{{ template "f" (sub . 1) }}{{ template "f" (sub . 1) }}{{ end }}{{ end }}{{ template "f" 40 }}',
  ],
  ['a huge repeat', '{{ repeat 1000000000 "x" | len }}'],
  ['string doubling', '{{ $s := "xx" }}{{ range until 40 }}{{ $s = cat $s $s }}{{ end }}{{ len $s }}'],
  ['chunk of size 0', '{{ chunk 0 (list 1 2) }}'],
] as const;

describe('Go templates stop a runaway template, with its position', () => {
  it.each(goTemplateHangs)('%s', (_name, template) => {
    const result = attempt(() => renderGoTemplate(template, 't.tpl', {}));
    expect(result).toMatch(/^error: template: t\.tpl:1:\d+: /);
    expect(result).toMatch(
      /stopped after 1000000 steps|stopped after 1,000,000 steps|more than the 1000000|string of more than|characters is more|divide by zero/,
    );
  });

  it('still renders an ordinary range', () => {
    expect(renderGoTemplate('{{ range until 3 }}{{ . }}{{ end }}', 't.tpl', {})).toBe('012');
  });
});

// JS RegExp backtracks on these for longer than anyone waits; RE2 (re2js) answers in linear time, as Go does.
export const catastrophicRegexes = [
  ['regexMatch', '{{ regexMatch "^(a+)+$" (printf "%sb" (repeat 5000 "a")) }}', 'false'],
  ['mustRegexMatch', '{{ mustRegexMatch "(x+x+)+y" (repeat 5000 "x") }}', 'false'],
  ['regexFindAll', '{{ len (regexFindAll "(a|aa)+c" (repeat 5000 "a") -1) }}', '0'],
  ['regexReplaceAll', '{{ regexReplaceAll "(a*)*b" (repeat 5000 "a") "x" | len }}', '5000'],
  ['regexSplit', '{{ len (regexSplit "(\\\\w+\\\\s?)+$" (printf "%s!" (repeat 5000 "ab ")) -1) }}', '1'],
] as const;

describe('Go-template regular expressions keep linear time', () => {
  it.each(catastrophicRegexes)('%s', (_name, template, expected) => {
    expect(renderGoTemplate(template, 't.tpl', {})).toBe(expected);
  });
});
