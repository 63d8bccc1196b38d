/**
 * The hang family: templates and expressions built to run forever (nested loops, recursion, macro
 * self-calls, catastrophic regexes, huge ranges and strings), placed where validate renders them. Each
 * must end within its budget: invalid with a positioned diagnostic, or valid where the work is
 * linear (RE2 regexes).
 */
import fc from 'fast-check';
import type { FuzzFamily } from './fuzz-families.js';

const nunjucksLoops = fc
  .record({ depth: fc.integer({ min: 2, max: 4 }), size: fc.constantFrom(2000, 10000, 100000) })
  .map(
    ({ depth, size }) => `${`{% for i in range(${size}) %}`.repeat(depth)}x${'{% endfor %}'.repeat(depth)}`,
  );
const nunjucksRecursion = fc
  .integer({ min: 25, max: 60 })
  .map(
    (n) => `{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(${n}) }}`,
  );
const nunjucksSelfCall = fc.constant('{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}');
const nunjucksDoubling = fc
  .integer({ min: 30, max: 60 })
  .map((n) => `{% set s = "xy" %}{% for i in range(${n}) %}{% set s = s ~ s %}{% endfor %}{{ s | length }}`);
const nunjucksRange = fc.constantFrom(
  '{{ range(1000000000000) | length }}',
  '{{ range(0, 1, 0.0000001) | length }}',
);

const goLoops = fc
  .record({ depth: fc.integer({ min: 2, max: 4 }), size: fc.constantFrom(2000, 10000, 100000) })
  .map(({ depth, size }) => `${`{{ range until ${size} }}`.repeat(depth)}x${'{{ end }}'.repeat(depth)}`);
const goRecursion = fc
  .integer({ min: 25, max: 60 })
  .map(
    (n) =>
      `{{ define "f" }}{{ if . }}{{ template "f" (sub . 1) }}{{ template "f" (sub . 1) }}{{ end }}{{ end }}{{ template "f" ${n} }}`,
  );
const goSelfCall = fc.constant('{{ define "f" }}{{ template "f" . }}{{ end }}{{ template "f" 1 }}');
const goHugeLists = fc.constantFrom('{{ len (until 2000000000) }}', '{{ repeat 2000000000 "ab" | len }}');
/** Patterns that backtrack exponentially in JS RegExp; RE2 answers them in linear time. */
const goRegexes = fc
  .record({
    pattern: fc.constantFrom('^(a+)+$', '(a|aa)+c', '(a*)*b', '(x+x+)+y', '^(\\\\w+\\\\s?)+$'),
    fn: fc.constantFrom('regexMatch', 'regexFind', 'regexReplaceAll', 'regexSplit', 'regexFindAll'),
    length: fc.integer({ min: 30, max: 5000 }),
  })
  .map(({ pattern, fn, length }) => {
    const text = `(printf "%s!" (repeat ${length} "a"))`;
    if (fn === 'regexReplaceAll') return `{{ regexReplaceAll "${pattern}" ${text} "z" | len }}`;
    if (fn === 'regexSplit' || fn === 'regexFindAll') return `{{ ${fn} "${pattern}" ${text} -1 | len }}`;
    return `{{ ${fn} "${pattern}" ${text} }}`;
  });

/** jq programs that never end or grow without bound; validate only compiles them. */
export const jqGenerators = fc.oneof(
  fc.constantFrom(
    'last(range(1e11))',
    '[limit(1e8; repeat(1))] | length',
    'def f: f; f',
    'def f: [f, f]; f',
    'last(repeat(.))',
    '[recurse(. + 1)] | length',
    'until(false; .)',
    '[range(1e9)] | add',
  ),
  fc.integer({ min: 8, max: 12 }).map((n) => `reduce range(1e${n}) as $i (0; . + $i)`),
);

type HangCase = { where: 'value' | 'nunjucks file' | 'go file'; template: string; jq: string };

const hangCase: fc.Arbitrary<HangCase> = fc.oneof(
  fc.record({
    where: fc.constantFrom('value' as const, 'nunjucks file' as const),
    template: fc.oneof(nunjucksLoops, nunjucksRecursion, nunjucksSelfCall, nunjucksDoubling, nunjucksRange),
    jq: jqGenerators,
  }),
  fc.record({
    where: fc.constant('go file' as const),
    template: fc.oneof(goLoops, goRecursion, goSelfCall, goHugeLists, goRegexes),
    jq: jqGenerators,
  }),
);

/** A block scalar keeps the template's quotes and braces as they are. */
const indented = (text: string, spaces: number) => text.replace(/^/gm, ' '.repeat(spaces));

function toDocument(hang: HangCase): { text: string; files?: Record<string, string> } {
  const head = 'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: hang}\nspec:\n  tasks:\n';
  if (hang.where === 'value')
    return { text: `${head}    - run: |\n${indented(`echo ${hang.template}`, 8)}\n` };
  const file = hang.where === 'go file' ? 't.tpl' : 't.njk';
  const header = hang.where === 'go file' ? '' : '# canary-template: nunjucks\n';
  return {
    text: `${head}    - task: custommetrics\n      with:\n        templates: {t: ${file}}\n`,
    files: {
      [file]: `${header}url: http://127.0.0.1:1/q\n# ${hang.template}\nmetrics:\n- name: m\n  jqExpression: ${JSON.stringify(hang.jq)}\n`,
    },
  };
}

export const hangingTemplates: FuzzFamily<HangCase> = {
  name: 'hang family (loops, recursion, macro self-calls, catastrophic regexes)',
  // Each document costs up to a render budget (about a second), not milliseconds.
  share: 0.002,
  arbitrary: hangCase,
  toDocument,
  expectKinds: ['invalid', 'valid'],
};
