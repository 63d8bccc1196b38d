/**
 * Iter8's experiment file shape, as `iter8 launch` and its chart wrote it: a top-level `spec` that
 * is the task list, an optional `result` (the record of an earlier run), no apiVersion, kind or
 * metadata. Turned into a canary/v1 document, with a map from each canonical path back to the
 * path in the original file, so diagnostics still point at the user's lines.
 *
 * Iter8 decoded these files with sigs.k8s.io/yaml into Go structs: encoding/json matches a key
 * to a field case-insensitively when no exact match exists (so `Upper` is `upper`). That rule
 * applies here, guided by canary's input schemas; canary/v1 files keep their strict keys.
 */
import type { TSchema } from '@sinclair/typebox';
import type { PathSegment } from './diagnostics.js';
import { TaskEntrySchema } from './experiment-schema.js';
import { builtinTasks } from '../tasks/registry.js';
import {
  hasGrpcEndpoints,
  iter8GrpcEndpointsHint,
  iter8GrpcEndpointsNote,
  iter8HttpEdits,
  withIter8HttpEdits,
  type Iter8HttpEdits,
} from './iter8-http-defaults.js';

/** Iter8's condition function, canary's spelling of it. */
const ITER8_CONDITIONS: ReadonlyArray<[RegExp, string]> = [[/\bSLOs\(\)/g, 'slos()']];

/** The keys of Iter8's experiment struct (`spec`, `result`), matched as Go matched them. */
const TOP_LEVEL_KEYS = ['spec', 'result'];

export interface Iter8Note {
  /** Path in the original file. */
  path: PathSegment[];
  message: string;
  hint?: string;
  atKey?: boolean;
}

export interface Iter8Conversion {
  /** The canary/v1 document. */
  value: Record<string, unknown>;
  /** Path in the original file of a path in `value` (the nearest one that exists there). */
  originalPath(path: readonly PathSegment[]): PathSegment[];
  notes: Iter8Note[];
  /** Task indexes whose `if:` used an Iter8 spelling that was rewritten. */
  rewrittenConditions: number[];
  /** The tasks with canary's key spellings, before `httpEdits` (what `migrate` respells from). */
  respelledTasks: unknown[];
  /** Per task index: the inputs an http task gets or loses to keep Iter8's meaning. */
  httpEdits: Map<number, Iter8HttpEdits>;
}

/**
 * Iter8-shaped: a map whose `spec` (any case) is a list and which has no key of canary's
 * envelope. A canary/v1 file with a list for `spec` keeps its own diagnostics.
 */
export function isIter8Shaped(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  if (keys.some((k) => ['apiversion', 'kind', 'metadata'].includes(k.toLowerCase()))) return false;
  const spec = keys.find((k) => k.toLowerCase() === 'spec');
  return spec !== undefined && Array.isArray(value[spec]);
}

export function fromIter8Shape(value: Record<string, unknown>, name: string): Iter8Conversion {
  const renames = new Map<string, string>();
  const notes: Iter8Note[] = [];
  const specKey = Object.keys(value).find((k) => k.toLowerCase() === 'spec')!;
  for (const key of Object.keys(value)) {
    const canonical = TOP_LEVEL_KEYS.find((k) => k === key.toLowerCase());
    if (canonical === 'result') {
      notes.push({
        path: [key],
        atKey: true,
        message: "ignored: Iter8's record of an earlier run, not part of the experiment",
        hint: 'canary records each run in canary-results/; `canary migrate FILE` drops this section',
      });
    } else if (canonical === undefined) {
      notes.push({
        path: [key],
        atKey: true,
        message: `ignored: Iter8 experiment files have only spec and result, not ${JSON.stringify(key)}`,
        hint: '`canary migrate FILE` prints the experiment as canary/v1, where such settings have a place',
      });
    }
  }
  const rewrittenConditions: number[] = [];
  const respelledTasks = (value[specKey] as unknown[]).map((task, i) => {
    const base = ['spec', 'tasks', i];
    const entry = canonicalKeys(task, TaskEntrySchema, base, renames);
    if (!isRecord(entry)) return entry;
    if (typeof entry.if === 'string') {
      const rewritten = ITER8_CONDITIONS.reduce((text, [from, to]) => text.replace(from, to), entry.if);
      if (rewritten !== entry.if) rewrittenConditions.push(i);
      entry.if = rewritten;
    }
    const taskName = typeof entry.task === 'string' ? entry.task : undefined;
    const definition =
      taskName !== undefined && Object.hasOwn(builtinTasks, taskName) ? builtinTasks[taskName] : undefined;
    if (definition && isRecord(entry.with)) {
      entry.with = canonicalKeys(entry.with, definition.inputSchema as TSchema, [...base, 'with'], renames);
    }
    return entry;
  });
  const httpEdits = new Map<number, Iter8HttpEdits>();
  const tasks = respelledTasks.map((entry, i) => {
    if (isRecord(entry) && hasGrpcEndpoints(entry.task, entry.with)) {
      notes.push({
        path: originalPathOf(['spec', 'tasks', i, 'with', 'endpoints'], specKey, renames),
        atKey: true,
        message: iter8GrpcEndpointsNote,
        hint: iter8GrpcEndpointsHint,
      });
    }
    if (!isRecord(entry) || entry.task !== 'http' || !isRecord(entry.with)) return entry;
    const edits = iter8HttpEdits(entry.with, 'file');
    httpEdits.set(i, edits);
    for (const key of edits.drop) {
      notes.push({
        path: originalPathOf(['spec', 'tasks', i, 'with', key], specKey, renames),
        atKey: true,
        message: `ignored, as Iter8's http task ignored it (its chart rendered ${key} as a warmup: true task)`,
        hint: 'to warm up, put an http task with warmup: true before this one',
      });
    }
    return { ...entry, with: withIter8HttpEdits(entry.with, edits) };
  });
  return {
    value: { apiVersion: 'canary/v1', kind: 'Experiment', metadata: { name }, spec: { tasks } },
    originalPath: (path) => originalPathOf(path, specKey, renames),
    notes,
    rewrittenConditions,
    respelledTasks,
    httpEdits,
  };
}

/** canary/v1 path -> the Iter8 file's path: `spec.tasks[i]...` is `spec[i]...`, renamed keys restored. */
function originalPathOf(
  path: readonly PathSegment[],
  specKey: string,
  renames: ReadonlyMap<string, string>,
): PathSegment[] {
  if (path[0] !== 'spec' || path[1] !== 'tasks') return path[0] === 'spec' ? [specKey] : [];
  const original: PathSegment[] = [specKey];
  for (let i = 2; i < path.length; i++) {
    const segment = path[i]!;
    original.push(renames.get(pathKey(path.slice(0, i + 1))) ?? segment);
  }
  return original;
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

/**
 * A copy of `node` whose map keys are spelled as `schema` spells them, where the node's own
 * spelling differs only in case and the exact spelling is absent (encoding/json's rule).
 */
function canonicalKeys(
  node: unknown,
  schema: TSchema | undefined,
  path: PathSegment[],
  renames: Map<string, string>,
): unknown {
  if (schema === undefined) return node;
  if (Array.isArray(node)) {
    const items = arrayItems(schema);
    return node.map((item, i) => canonicalKeys(item, items, [...path, i], renames));
  }
  if (!isRecord(node)) return node;
  const { properties, rest } = objectShape(schema);
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    let canonical = key;
    if (!Object.hasOwn(properties, key)) {
      const match = Object.keys(properties).find(
        (p) => p.toLowerCase() === key.toLowerCase() && !Object.hasOwn(node, p),
      );
      if (match !== undefined) {
        canonical = match;
        renames.set(pathKey([...path, match]), key);
      }
    }
    const childSchema = Object.hasOwn(properties, canonical) ? properties[canonical] : rest;
    copy[canonical] = canonicalKeys(child, childSchema, [...path, canonical], renames);
  }
  return copy;
}

/** Named properties of every object branch of `schema`, and the schema of other keys (records). */
function objectShape(schema: TSchema): { properties: Record<string, TSchema>; rest?: TSchema } {
  const properties: Record<string, TSchema> = {};
  let rest: TSchema | undefined;
  for (const branch of branches(schema)) {
    if (isRecord(branch.properties)) Object.assign(properties, branch.properties);
    if (isRecord(branch.patternProperties)) rest ??= Object.values(branch.patternProperties)[0] as TSchema;
    if (isRecord(branch.additionalProperties)) rest ??= branch.additionalProperties as TSchema;
  }
  return rest !== undefined ? { properties, rest } : { properties };
}

function arrayItems(schema: TSchema): TSchema | undefined {
  for (const branch of branches(schema)) {
    if (isRecord(branch.items)) return branch.items as TSchema;
  }
  return undefined;
}

function branches(schema: TSchema): TSchema[] {
  const alternatives = (schema.anyOf ?? schema.oneOf) as TSchema[] | undefined;
  return Array.isArray(alternatives) ? alternatives.flatMap(branches) : [schema];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
