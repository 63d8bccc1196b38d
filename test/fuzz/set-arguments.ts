/**
 * `--set`, `--set-string` and `-f` values files in Helm syntax: well-formed assignments on the
 * keys the experiments read, near-misses of them (escapes, indexes, lists, empty keys), and noise.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { valueNamesInSeeds, valuesOnlySeedSets } from './fuzz-seeds.js';
import { YAML_SCALARS } from './yaml-mutations.js';

/** Keys the values-only (Iter8 chart) builder reads, plus the ones the seed experiments read. */
const VALUE_KEYS = [
  ...valueNamesInSeeds,
  'tasks',
  'name',
  'runner',
  'cronjobSchedule',
  'ready',
  'ready.isvc',
  'ready.deploy',
  'ready.service',
  'ready.ksvc',
  'ready.chaosengine',
  'ready.timeout',
  'ready.namespace',
  'http',
  'http.url',
  'http.numRequests',
  'http.duration',
  'http.qps',
  'http.connections',
  'http.endpoints.a.url',
  'http.payloadStr',
  'http.headers.x',
  'grpc.host',
  'grpc.call',
  'slack.url',
  'assess.SLOs.upper.http/latency-mean',
  'assess.SLOs.lower.http/request-count',
  'assess.SLOs.upper[0].metric',
  'custommetrics.templates.kserve-prometheus',
  'custommetrics.values.labels.service_name',
  'custommetrics.versionValues[0].labels.revision_name',
  'custommetrics.versionValues[1]',
  'notify.url',
  '__proto__',
  '__proto__.polluted',
  'constructor.prototype.x',
];

const TASK_NAMES = [
  'http',
  'assess',
  'ready',
  'custommetrics',
  'notify',
  'run',
  'grpc',
  'slack',
  'nope',
  '',
  'constructor',
  '__proto__',
  'toString',
];

const SET_SCALARS = [
  'true',
  'false',
  'null',
  'NULL',
  '0',
  '-1',
  '007',
  '1e3',
  '1e999',
  '9007199254740993',
  '0.005',
  '25ms',
  '180s',
  'http://127.0.0.1:1/x',
  'builtin:kserve-prometheus',
  'https://example.invalid/t.tpl',
  '*/1 * * * *',
  '*/0 * * * *',
  '{{ values.x }}',
  "{{ range(0, 10) | join(',') }}",
  '{% for x in y %}',
  'a\\,b',
  'a\\.b',
  'a\\=b',
  '\\{a}',
  '\\\\',
  '',
  ' ',
  'é🐤',
  'x'.repeat(5000),
];

const escapedChar = fc.constantFrom('\\,', '\\.', '\\=', '\\[', '\\]', '\\{', '\\}', '\\\\', '\\a');

/** A key path: known keys, indexes, escapes and the mistakes people make typing them. */
const setPath = fc
  .tuple(
    fc.constantFrom(...VALUE_KEYS),
    fc.array(
      fc.oneof(
        fc.nat({ max: 3 }).map((i) => `[${i}]`),
        fc.constantFrom('[70000]', '[-1]', '[]', '[a]', '[', ']', '..', '.', '.x', '[0]x', '[0][1]'),
        escapedChar,
        fc.string({ unit: fc.constantFrom(...'ab_-/.[]\\'.split('')), maxLength: 4 }),
      ),
      { maxLength: 2 },
    ),
  )
  .map(([key, extras]) => key + extras.join(''));

const setValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SET_SCALARS) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...TASK_NAMES), fc.constantFrom(...SET_SCALARS)), { maxLength: 4 })
      .map((items) => `{${items.join(',')}}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('{', '}', '{a,b}c', '{a', '{}', '{,}', '{{}}') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'a1=,.{}[]\\ "\''.split('')), maxLength: 8 }),
  },
);

const assignment = fc
  .tuple(setPath, fc.constantFrom('=', '=', '=', '', '==', ' = '), setValue)
  .map(([p, eq, v]) => `${p}${eq}${v}`);

/** One `--set` argument: assignments joined by commas, the Iter8 seed mutated, or noise. */
export const setArgument: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(assignment, { minLength: 1, maxLength: 3 }).map((a) => a.join(',')) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...valuesOnlySeedSets),
        fc.nat(),
        fc.constantFrom('', ',', '.', '=', '[', ']', '{', '}', '\\'),
      )
      .map(
        ([seed, at, insert]) =>
          seed.slice(0, at % (seed.length + 1)) + insert + seed.slice(at % (seed.length + 1)),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(...'ab.=,[]{}\\0 -_/'.split('')), maxLength: 24 }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
);

/** A `-f` values file: YAML of any shape, or text that is not YAML. */
export const valuesFileText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(...VALUE_KEYS.filter((k) => !/[.[]/.test(k))),
        fc.jsonValue({ maxDepth: 2 }),
        {
          maxKeys: 4,
        },
      )
      .map((values) => stringify(values)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom(...YAML_SCALARS, '', 'a: [', 'a: &a [*a]', 'tasks: {a: 1}') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

export interface ValueArguments {
  sets: string[];
  setStrings: string[];
  valuesFiles: string[];
}

export const valueArguments: fc.Arbitrary<ValueArguments> = fc.record({
  sets: fc.array(setArgument, { maxLength: 4 }),
  setStrings: fc.array(setArgument, { maxLength: 2 }),
  valuesFiles: fc.array(valuesFileText, { maxLength: 2 }),
});

/** The values-only seed's `--set`s with some replaced, dropped or added: mostly-right Iter8 command lines. */
export const mutatedSeedSets: fc.Arbitrary<string[]> = fc.oneof(
  fc.constant<string[]>([...valuesOnlySeedSets]),
  fc
    .tuple(fc.subarray([...valuesOnlySeedSets]), fc.array(setArgument, { maxLength: 3 }))
    .map(([kept, added]) => [...kept, ...added]),
);

export const noValueArguments: ValueArguments = { sets: [], setStrings: [], valuesFiles: [] };
