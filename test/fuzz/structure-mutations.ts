/**
 * Structure-level mutations: parse a seed, change its data (nodes of other types, dropped or
 * misspelled keys, injected templates), and write it back as YAML. These documents are well-formed
 * YAML, so they reach the schema, the rules and the tasks' own checks.
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { TEMPLATE_STRINGS, YAML_SCALARS } from './yaml-mutations.js';

type Path = Array<string | number>;

export type StructureMutation =
  | { op: 'replace'; node: number; value: unknown }
  | { op: 'drop'; node: number }
  | { op: 'rename'; node: number; typo: Typo }
  | { op: 'addKey'; node: number; key: string; value: unknown }
  | { op: 'move'; node: number; to: number }
  | { op: 'wrap'; node: number; inList: boolean };

type Typo =
  | { kind: 'dropChar'; at: number }
  | { kind: 'doubleChar'; at: number }
  | { kind: 'swapChars'; at: number }
  | { kind: 'case' }
  | { kind: 'suffix'; text: string }
  | { kind: 'replace'; text: string };

/** Keys the experiment format and its tasks know, so added keys are near the real ones. */
const KNOWN_KEYS = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'spec',
  'tasks',
  'task',
  'run',
  'with',
  'id',
  'needs',
  'if',
  'timeout',
  'retries',
  'schedule',
  'maxLoops',
  'versions',
  'plugins',
  'concurrency',
  'SLOs',
  'upper',
  'lower',
  'metric',
  'limit',
  'url',
  'endpoints',
  'numRequests',
  'duration',
  'qps',
  'connections',
  'payload',
  'payloadFile',
  'headers',
  'percentiles',
  'templates',
  'values',
  'versionValues',
  'labels',
  'group',
  'version',
  'resource',
  'condition',
  'namespace',
  'script',
  'env',
  'webhook',
  'slack',
  'github',
  '__proto__',
  '',
];

/** JSON values of every type, plus what JSON lacks (non-finite numbers, huge integers, templates). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...YAML_SCALARS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      NaN,
      Infinity,
      -Infinity,
      -0,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      2 ** 53 + 2,
      -(2 ** 31),
      1e21,
      0.1,
      null,
      true,
      false,
      '',
      [],
      {},
      [[]],
      { '': null },
      'x'.repeat(20_000),
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(...TEMPLATE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }) },
);

const typo: fc.Arbitrary<Typo> = fc.oneof(
  fc.record({ kind: fc.constant('dropChar' as const), at: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('doubleChar' as const), at: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('swapChars' as const), at: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('case' as const) }),
  fc.record({
    kind: fc.constant('suffix' as const),
    text: fc.constantFrom('s', '_', ' ', ':', '.', '\u00a0'),
  }),
  fc.record({ kind: fc.constant('replace' as const), text: fc.constantFrom(...KNOWN_KEYS) }),
);

const node = fc.nat({ max: 1000 });

export const structureMutation: fc.Arbitrary<StructureMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), node, value: anyValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), node }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), node, typo }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      node,
      key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 8 })),
      value: anyValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), node, to: node }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), node, inList: fc.boolean() }) },
);

export type Serialization = 'block' | 'flow' | 'json';
export const serialization: fc.Arbitrary<Serialization> = fc.constantFrom('block', 'block', 'flow', 'json');

export function applyStructureMutations(
  text: string,
  mutations: readonly StructureMutation[],
  style: Serialization,
): string {
  const root: unknown = { document: parse(text) as unknown };
  for (const m of mutations) {
    const paths = allPaths(root);
    if (paths.length === 0) break; // the whole document was dropped
    const at = paths[m.node % paths.length]!;
    const parentPath = at.slice(0, -1);
    const key = at[at.length - 1]!;
    const parent = valueAt(root, parentPath) as Record<string | number, unknown>;
    switch (m.op) {
      case 'replace':
        parent[key] = structuredCloneSafe(m.value);
        break;
      case 'drop':
        if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
        else delete parent[key];
        break;
      case 'rename': {
        if (Array.isArray(parent) || typeof key !== 'string') break;
        const renamed = applyTypo(key, m.typo);
        const entries = Object.entries(parent).map(([k, v]) => [k === key ? renamed : k, v] as const);
        for (const k of Object.keys(parent)) delete parent[k];
        for (const [k, v] of entries)
          Object.defineProperty(parent, k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        break;
      }
      case 'addKey': {
        const target = parent[key];
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
          Object.defineProperty(target, m.key, {
            value: structuredCloneSafe(m.value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else if (Array.isArray(target)) {
          target.push({ [m.key]: structuredCloneSafe(m.value) });
        }
        break;
      }
      case 'move': {
        const source = paths[m.to % paths.length]!;
        parent[key] = structuredCloneSafe(valueAt(root, source));
        break;
      }
      case 'wrap':
        parent[key] = m.inList ? [parent[key]] : { value: parent[key] };
        break;
    }
  }
  const document = (root as { document: unknown }).document;
  if (style === 'json') return JSON.stringify(document, null, 1) ?? '';
  // Both give undefined for a dropped document: that is an empty file.
  return stringify(document, { collectionStyle: style === 'flow' ? 'flow' : 'any', lineWidth: 0 }) ?? '';
}

/** Paths of every node below the root wrapper (the wrapper lets a mutation replace the whole document). */
function allPaths(root: unknown): Path[] {
  const paths: Path[] = [];
  const walk = (value: unknown, p: Path, depth: number) => {
    if (p.length > 0) paths.push(p);
    if (depth > 50 || value === null || typeof value !== 'object' || value instanceof Date) return;
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...p, i], depth + 1));
    else for (const [k, v] of Object.entries(value)) walk(v, [...p, k], depth + 1);
  };
  walk(root, [], 0);
  return paths;
}

function valueAt(root: unknown, p: Path): unknown {
  let value = root;
  for (const segment of p) value = (value as Record<string | number, unknown>)[segment];
  return value;
}

function applyTypo(key: string, t: Typo): string {
  const at =
    key.length === 0
      ? 0
      : t.kind === 'case' || t.kind === 'suffix' || t.kind === 'replace'
        ? 0
        : t.at % key.length;
  switch (t.kind) {
    case 'dropChar':
      return key.slice(0, at) + key.slice(at + 1);
    case 'doubleChar':
      return key.slice(0, at + 1) + key.slice(at);
    case 'swapChars':
      return key.length < 2
        ? key
        : key.slice(0, at) + (key[at + 1] ?? '') + (key[at] ?? '') + key.slice(at + 2);
    case 'case':
      return key === key.toLowerCase() ? key.toUpperCase() : key.toLowerCase();
    case 'suffix':
      return key + t.text;
    case 'replace':
      return t.text;
  }
}

/** fast-check shares generated values between runs; never let a mutation alter one. */
function structuredCloneSafe(value: unknown): unknown {
  if (typeof value === 'number' || value === null || typeof value !== 'object') return value;
  return value instanceof Date ? new Date(value.getTime()) : (JSON.parse(JSON.stringify(value)) as unknown);
}
