/**
 * Text-level mutations of YAML documents: the mistakes an editor session makes (lines deleted,
 * duplicated, swapped, re-indented, stray tokens), plus hostile input (alias bombs, deep nesting,
 * control characters, huge scalars). Each mutation is plain data, so fast-check can shrink it.
 */
import fc from 'fast-check';

/** Fragments that mean something to YAML or to the nunjucks layer above it. */
export const YAML_TOKENS: readonly string[] = [
  '{{',
  '}}',
  '{%',
  '%}',
  '{{ values.x }}',
  '{{ values }}',
  '{{ loop }}',
  '{{ 1/0 }}',
  '{% for i in range(0, 3) %}{{ i }}{% endfor %}',
  "{{ values.loops | default('x') | int }}",
  '{{ [1, 2, 3] }}',
  "{{ {'a': 1} }}",
  '{# comment #}',
  '&anchor',
  '*anchor',
  '&a [1, 2]',
  '*nope',
  '<<: *a',
  '<<: [*a, *b]',
  '!!str',
  '!!int',
  '!!float',
  '!!binary',
  '!!map',
  '!!seq',
  '!!set',
  '!!omap',
  '!!timestamp',
  '!local',
  '!<tag:yaml.org,2002:str>',
  '%YAML 1.1',
  '%TAG ! tag:x,2000:',
  '---',
  '...',
  '? ',
  ': ',
  '- ',
  '|',
  '>-',
  '|+2',
  '#',
  "'",
  '"',
  '`',
  '@',
  '[',
  ']',
  '{',
  '}',
  ',',
  '\\',
  '\t',
  '\r',
  '\r\n',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\ufeff',
  '\u2028',
  '\u202e',
  '\ud800',
  'é',
  '名前',
  '🐤',
  '.nan',
  '.NaN',
  '.inf',
  '-.inf',
  '+.Inf',
  '1e999',
  '-1e999',
  '1e-999',
  '0x7fffffffffffffffffff',
  '0o777',
  '0b101',
  '123456789012345678901234567890',
  '-0',
  '~',
  'null',
  'true',
  'yes',
  'off',
  '2001-12-14t21:59:43.10-05:00',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

/** Expressions as the template layer sees them (the YAML quoting is the caller's). */
export const TEMPLATE_STRINGS: readonly string[] = [
  '{{ values.x }}',
  '{{ values.loops }}',
  '{{ values.loops | default(3) }}',
  "{{ values.schedule | default('*/3 * * * * *') }}",
  '{{ values }}',
  '{{ loop }}',
  '{{ 1/0 }}',
  '{{ [1, 2, 3] }}',
  "{{ {'a': 1} }}",
  '{{ none }}',
  '{{ true }}',
  '{{ 1e999 }}',
  "{{ range(0, 5) | join(',') }}",
  '{{ range(0, 1e12) | length }}',
  '{{ range(0, 10, 0) | length }}',
  "{{ 'a' | center(1e9) }}",
  "{{ 'a' | indent(1e9) }}",
  '{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}',
  '{% for i in range(0, 3) %}{{ i }}{% endfor %}',
  '{% if %}',
  '{{ }}',
  '{{ values.__proto__ }}',
  '{{ values.constructor }}',
  "{{ values.constructor.constructor('return 1')() }}",
  '{{ nosuchfunction() }}',
  '{% raw %}{{{% endraw %}',
  '{{ "{{" }}',
  '{# comment #}',
  'not (values.prometheus | default(false))',
  'loop > 1 and slos()',
  '(a',
];

/** Whole values that replace a scalar: other types, edge numbers, templates, YAML structure. */
export const YAML_SCALARS: readonly string[] = [
  ...YAML_TOKENS.filter((t) => !['\r', '\r\n', '\t', '---', '...', '%YAML 1.1'].includes(t)),
  "''",
  '""',
  '[]',
  '{}',
  '[[]]',
  '{a: {b: {c: 1}}}',
  '&x 1',
  '*x',
  '[*x, *x]',
  '&x [*x]',
  '-1',
  '0',
  '0.0001',
  '1.5',
  '-25',
  '9007199254740993',
  '"25ms"',
  '30s',
  '-5s',
  '99999999h',
  '1e3',
  '"*/0 * * * *"',
  '"* * * * * * *"',
  '"@reboot"',
  '"61 * * * *"',
  'http://',
  'http://[::1',
  'ftp://example.invalid/x',
  'file:///etc/passwd',
  'builtin:',
  'builtin:../../package.json',
  '../',
  '/dev/zero',
  '/',
  '.',
  '"${HOME}"',
  '"$(rm -rf /)"',
  ...TEMPLATE_STRINGS.map((t) => JSON.stringify(t)),
];

/**
 * Structures built whole: the hostile documents a text mutation would not find. `scale` 1 makes
 * them big enough to expose quadratic work; spliced into seeds they are built smaller, to keep
 * ten thousand documents within the suite's time.
 */
function buildHostileFragments(scale: number): ReadonlyArray<{ name: string; text: string }> {
  const n = (count: number) => Math.max(2, Math.round(count * scale));
  return [
    { name: 'alias bomb', text: aliasBomb(9) },
    { name: 'deep flow sequence', text: `${'['.repeat(n(2000))}${']'.repeat(n(2000))}` },
    { name: 'deep flow map', text: `${'{a: '.repeat(n(1000))}1${'}'.repeat(n(1000))}` },
    { name: 'deep block map', text: deepBlockMap(n(400)) },
    { name: 'unclosed deep flow', text: '['.repeat(n(5000)) },
    { name: 'long scalar', text: `x: ${'a'.repeat(n(200_000))}` },
    { name: 'long key', text: `${'k'.repeat(n(2000))}: 1` },
    { name: 'many keys', text: Array.from({ length: n(5000) }, (_, i) => `k${i}: ${i}`).join('\n') },
    { name: 'many documents', text: Array.from({ length: n(200) }, () => 'a: 1').join('\n---\n') },
    { name: 'only a comment', text: '# nothing here' },
    { name: 'only null', text: '~' },
    { name: 'null bytes', text: '\u0000\u0000\u0000' },
    { name: 'binary', text: '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR' },
    { name: 'BOM and map', text: '\ufeffapiVersion: canary/v1' },
    { name: 'self merge', text: '&a {<<: *a}' },
    { name: 'merge of scalar', text: 'a: &a 1\nb:\n  <<: *a' },
    { name: 'circular alias', text: 'a: &a\n  b: *a' },
  ];
}

export const hostileFragments = buildHostileFragments(1);
const splicedFragments = buildHostileFragments(0.1);

export function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++) {
    const refs = Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ');
    lines.push(`a${i}: &a${i} [${refs}]`);
  }
  return lines.join('\n');
}

function deepBlockMap(depth: number): string {
  return Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1';
}

export type TextMutation =
  | { op: 'delete'; line: number }
  | { op: 'duplicate'; line: number }
  | { op: 'swap'; line: number; other: number }
  | { op: 'indent'; line: number; by: number }
  | { op: 'insert'; line: number; column: number; text: string }
  | { op: 'replaceValue'; line: number; text: string }
  | { op: 'insertLine'; line: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; line: number; fragment: number }
  | { op: 'tabs'; line: number };

const line = fc.nat({ max: 400 });

/** Random text: any unicode, control characters, and YAML-significant characters. */
const noise = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...':-?[]{},#&*!|>\'"%@`\t\n \\'.split('')), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

const fragmentText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...YAML_TOKENS) },
  { weight: 2, arbitrary: noise },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(10_000), '9'.repeat(400), '🐤'.repeat(2000)) },
);

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), line }),
  fc.record({ op: fc.constant('duplicate' as const), line }),
  fc.record({ op: fc.constant('swap' as const), line, other: line }),
  fc.record({ op: fc.constant('indent' as const), line, by: fc.integer({ min: -8, max: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), line, column: fc.nat({ max: 200 }), text: fragmentText }),
  fc.record({
    op: fc.constant('replaceValue' as const),
    line,
    text: fc.oneof(fc.constantFrom(...YAML_SCALARS), noise),
  }),
  fc.record({
    op: fc.constant('insertLine' as const),
    line,
    text: fc.oneof(fc.constantFrom(...YAML_TOKENS, '  - task: assess', 'spec:', '  tasks: []'), noise),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat({ max: 100_000 }) }),
  fc.record({
    op: fc.constant('splice' as const),
    line,
    fragment: fc.nat({ max: splicedFragments.length - 1 }),
  }),
  fc.record({ op: fc.constant('tabs' as const), line }),
);

export function applyTextMutations(text: string, mutations: readonly TextMutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const n = lines.length;
    const at = 'line' in m ? m.line % Math.max(n, 1) : 0;
    const current = lines[at] ?? '';
    switch (m.op) {
      case 'delete':
        lines.splice(at, 1);
        break;
      case 'duplicate':
        lines.splice(at, 0, current);
        break;
      case 'swap': {
        const other = m.other % Math.max(n, 1);
        lines[at] = lines[other] ?? '';
        lines[other] = current;
        break;
      }
      case 'indent':
        lines[at] =
          m.by >= 0 ? ' '.repeat(m.by) + current : current.replace(new RegExp(`^ {0,${-m.by}}`), '');
        break;
      case 'insert': {
        const column = m.column % (current.length + 1);
        lines[at] = current.slice(0, column) + m.text + current.slice(column);
        break;
      }
      case 'replaceValue': {
        const colon = current.indexOf(': ');
        lines[at] = colon >= 0 ? `${current.slice(0, colon + 2)}${m.text}` : `${current}${m.text}`;
        break;
      }
      case 'insertLine': {
        const indent = /^\s*/.exec(current)?.[0] ?? '';
        lines.splice(at, 0, indent + m.text);
        break;
      }
      case 'truncate': {
        const joined = lines.join('\n');
        lines = joined.slice(0, m.at % (joined.length + 1)).split('\n');
        break;
      }
      case 'splice': {
        const indent = /^\s*/.exec(current)?.[0] ?? '';
        const fragment = splicedFragments[m.fragment]!.text.split('\n').map((l) => indent + l);
        lines.splice(at, 0, ...fragment);
        break;
      }
      case 'tabs':
        lines[at] = current.replace(/^( +)/, (spaces) => '\t'.repeat(Math.max(1, spaces.length / 2)));
        break;
    }
  }
  return lines.join('\n');
}
