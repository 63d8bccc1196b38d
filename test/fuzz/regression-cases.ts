import type { FuzzDocument, Outcome } from './validate-document.js';
import { aliasBomb } from './yaml-mutations.js';

export interface RegressionCase {
  name: string;
  document: FuzzDocument;
  expected: Outcome['kind'];
  /** Matched against `line:column path: message` of every diagnostic (or the usage message). */
  message?: RegExp;
}

const header = 'apiVersion: canary/v1\nkind: Experiment\nmetadata:\n  name: x\nspec:\n';

export const regressionCases: readonly RegressionCase[] = [
  {
    name: 'custommetrics without templates, next to an SLO (produces() on bad inputs)',
    document: {
      text: `${header}  tasks:\n    - task: custommetrics\n      with: {value: 1}\n    - task: assess\n      with: {SLOs: {upper: {a/b: 1}}}\n`,
    },
    expected: 'invalid',
    message: /^8:13 spec.tasks\[0\].with: missing required key "templates"/m,
  },
  {
    name: 'alias bomb (billion laughs) is refused, not expanded or thrown',
    document: { text: aliasBomb(9) },
    expected: 'invalid',
    message: /alias/i,
  },
  {
    name: '20000 keys: duplicate-key check and positions are linear, not quadratic',
    document: { text: Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n') + '\nk7: 1' },
    expected: 'invalid',
    message: /^20001:1 : YAML: duplicate key "k7"$/,
  },
  {
    name: 'duplicate keys that differ only in quoting',
    document: { text: 'a: 1\n"a": 2' },
    expected: 'invalid',
    message: /^2:1 : YAML: duplicate key "a"$/,
  },
  {
    name: 'an alias with no anchor',
    document: { text: 'apiVersion: *nope' },
    expected: 'invalid',
    message: /^1:13 : YAML: alias \*nope has no anchor &nope before it$/,
  },
  {
    name: 'an alias inside the map it names',
    document: { text: 'a: &a\n  b: *a' },
    expected: 'invalid',
    message: /^2:6 : YAML: alias \*a is inside the value it names/,
  },
  {
    name: 'a merge key that names its own map',
    document: { text: '&a {<<: *a}' },
    expected: 'invalid',
    message: /alias \*a is inside the value it names/,
  },
  {
    name: 'a list as a map key',
    document: { text: '[a]: 1' },
    expected: 'invalid',
    message: /^1:1 : YAML: a map key must be a name, not a list or a map$/,
  },
  {
    name: '100,000 unclosed brackets',
    document: { text: '['.repeat(100_000) },
    expected: 'invalid',
    message: /^1:101 : YAML: nested more than 100 levels deep$/,
  },
  {
    name: 'a block map 400 levels deep',
    document: { text: Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') },
    expected: 'invalid',
    message: /^101:101 : YAML: nested more than 100 levels deep$/,
  },
  {
    name: 'many documents in one file',
    document: { text: 'a: 1\n---\nb: 2\n---\nc: 3' },
    expected: 'invalid',
    message: /^2:1 : YAML: the file holds more than one YAML document$/,
  },
  {
    name: 'a values file whose alias names its own list',
    document: { valuesFiles: ['a: &a [*a]'] },
    expected: 'usage',
    message:
      /^values file experiments\/values-0.yaml:1:8 is not valid YAML: alias \*a is inside the value it names/,
  },
  {
    name: 'a plugin whose name is empty and whose path is not a string',
    document: { text: `${header}  plugins:\n    "": false\n  tasks:\n    - run: "true"\n` },
    expected: 'invalid',
    message: /^7:5 spec.plugins\[""\]: "" is not a valid name here$/,
  },
  {
    name: 'a custommetrics template whose name is not a name',
    document: {
      text: `${header}  tasks:\n    - task: custommetrics\n      with:\n        templates: {"a b": 5}\n`,
    },
    expected: 'invalid',
    message: /^9:21 spec.tasks\[0\].with.templates\["a b"\]: "a b" is not a valid name here$/,
  },
  {
    name: 'a binary file (NUL bytes)',
    document: { text: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]) },
    expected: 'invalid',
    message: /^3:1 : the file contains NUL bytes: it is binary, not YAML text$/,
  },
  {
    name: 'a UTF-16 file',
    document: { text: Uint8Array.from([0xff, 0xfe, 0x61, 0x00, 0x3a, 0x00, 0x20, 0x00, 0x31, 0x00]) },
    expected: 'invalid',
    message: /^1:1 : the file is UTF-16 text; canary reads UTF-8$/,
  },
  {
    name: 'invalid UTF-8',
    document: { text: Uint8Array.from([...Buffer.from('a: 1\nb: '), 0xc3, 0x28]) },
    expected: 'invalid',
    message: /^2:4 : the file is not valid UTF-8 text$/,
  },
  {
    name: 'a file over the size limit',
    document: { text: `# ${'x'.repeat(1024 * 1024)}\n` },
    expected: 'invalid',
    message: /^0:0 : larger than 1 MiB/,
  },
  {
    name: 'a device that never ends',
    document: { path: '/dev/zero' },
    expected: 'invalid',
    message: /^0:0 : larger than 1 MiB/,
  },
  {
    name: 'a directory',
    document: { path: 'experiments' },
    expected: 'invalid',
    message: /^0:0 : is a directory, not a file$/,
  },
  {
    name: 'an empty file',
    document: { text: '' },
    expected: 'invalid',
    message: /^1:1 : an experiment file is a YAML map/,
  },
  {
    name: 'a values file that is binary',
    document: { valuesFiles: ['a: \u0000'] },
    expected: 'usage',
    message: /^cannot read values file experiments\/values-0.yaml:1:4: the file contains NUL bytes/,
  },
  {
    name: 'a template loop over range(0, 1e8) (blocked the process for seconds)',
    document: {
      text: `${header}  maxLoops: "{% for i in range(0, 100000000) %}{% endfor %}1"\n  tasks:\n    - run: "true"\n`,
    },
    expected: 'invalid',
    message: /^6:13 spec.maxLoops: template: range\(\) of 100000000 items is longer than the limit of 10000$/,
  },
  {
    name: 'a value set to null where a filter needs a string',
    document: {
      text: `${header}  tasks:\n    - run: "{{ values.rate | default(0) | string }}"\n`,
      valuesFiles: ['rate: null\n'],
    },
    expected: 'invalid',
    message:
      /^7:12 spec.tasks\[0\].run: template: a filter or lookup got null; `default\(x, true\)` also replaces null$/,
  },
  {
    name: 'an unclosed {% (the template parser failed with a TypeError)',
    document: { text: `${header}  maxLoops: "{%"\n  tasks:\n    - run: "true"\n` },
    expected: 'invalid',
    message: /^6:13 spec.maxLoops: template: syntax: the template cannot be parsed/,
  },
  {
    name: 'an include of a file from a template',
    document: { text: `${header}  maxLoops: '{% include "/etc/passwd" %}'\n  tasks:\n    - run: "true"\n` },
    expected: 'invalid',
    message: /templates here cannot include, import or extend other templates$/,
  },
  {
    name: 'a block map indented one level deeper on every line, then broken',
    document: {
      text:
        Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') +
        `\n${' '.repeat(37)}${'a'.repeat(300)}`,
    },
    expected: 'invalid',
    message: /^101:101 : YAML: nested more than 100 levels deep$/,
  },
  {
    name: 'two bad entries in one map of unions (their errors cancelled out, and the check crashed)',
    document: {
      text: `${header}  tasks:\n    - task: custommetrics\n      with:\n        templates: {a: 0, b: 1}\n`,
    },
    expected: 'invalid',
    message:
      /^9:24 spec.tasks\[0\].with.templates.a: does not match any allowed form \(got 0\)\n9:30 spec.tasks\[0\].with.templates.b: does not match any allowed form \(got 1\)$/,
  },
  {
    name: '5000 bad entries in one map of unions (error pruning was quadratic: 87 s)',
    document: {
      text: `${header}  tasks:\n    - task: custommetrics\n      with:\n        templates:\n${Array.from({ length: 5000 }, (_, i) => `          k${i}: ${i}`).join('\n')}\n`,
    },
    expected: 'invalid',
    message: /^10:15 spec.tasks\[0\].with.templates.k0: does not match any allowed form \(got 0\)$/m,
  },
  {
    name: 'a ready resource named like an Object.prototype member',
    document: {
      text: `${header}  tasks:\n    - task: ready\n      with: {group: apps, version: v1, resource: constructor, name: x}\n`,
    },
    expected: 'valid',
  },
  {
    name: 'values naming a task after an Object.prototype member (called Object as a chart check)',
    document: { sets: ['tasks={constructor,toString}'] },
    expected: 'invalid',
    message: /^0:0 spec.tasks\[0\].task: unknown task "constructor"/m,
  },
];
