/**
 * `canary migrate`: an Iter8-shaped experiment file rewritten as canary/v1, meaning and comments
 * kept. The task list's own YAML nodes move under `spec.tasks` (so their comments, quoting and
 * order stay); keys Iter8 matched case-insensitively get canary's spelling, `SLOs()` becomes
 * `slos()`, and the `result` section (the record of an earlier run) is dropped.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  YAMLMap,
} from 'yaml';
import { fromIter8Shape, isIter8Shaped } from './iter8-shape.js';
import type { Iter8HttpEdits } from './iter8-http-defaults.js';

export type MigrateOutcome =
  { ok: true; text: string; changes: string[] } | { ok: false; message: string; hint?: string };

export function migrateIter8(text: string, name: string): MigrateOutcome {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    return { ok: false, message: `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isIter8Shaped(value) || !isMap(doc.contents)) {
    const canary = value !== null && typeof value === 'object' && 'apiVersion' in value;
    return canary
      ? { ok: false, message: 'already a canary experiment (it has apiVersion)', hint: 'nothing to migrate' }
      : {
          ok: false,
          message: 'not an Iter8 experiment file: expected a top-level `spec` that is a list of tasks',
        };
  }
  const converted = fromIter8Shape(value, name);
  const changes: string[] = [];
  const root = doc.contents;
  const specPair = root.items.find((p) => keyText(p).toLowerCase() === 'spec')!;
  const tasksNode = specPair.value as Node;
  respell(tasksNode, converted.respelledTasks, 'spec', changes);
  if (isSeq(tasksNode)) applyHttpEdits(doc, tasksNode.items, converted.httpEdits, changes);

  const dropped = root.items.filter((p) => p !== specPair).map(keyText);
  for (const key of dropped)
    changes.push(`dropped ${key} (${key === 'result' ? 'a record of an earlier run' : 'not read by Iter8'})`);

  const envelope = new YAMLMap();
  envelope.commentBefore = root.commentBefore;
  envelope.add(doc.createPair('apiVersion', 'canary/v1'));
  envelope.add(doc.createPair('kind', 'Experiment'));
  envelope.add(doc.createPair('metadata', { name }));
  const spec = new YAMLMap();
  const tasksPair = doc.createPair('tasks', null);
  tasksPair.value = tasksNode;
  spec.add(tasksPair);
  const specKey = doc.createNode('spec');
  if (isScalar(specPair.key)) specKey.commentBefore = specPair.key.commentBefore;
  envelope.add(doc.createPair(specKey, spec));
  (doc as { contents: unknown }).contents = envelope;
  changes.unshift(`named the experiment ${JSON.stringify(name)}`);
  const out = doc.toString({ lineWidth: 0 });
  return { ok: true, text: out.endsWith('\n') ? out : `${out}\n`, changes };
}

/** Gives map keys and `if:` conditions of the node tree the spelling of `canonical`, pair by pair. */
function respell(node: unknown, canonical: unknown, where: string, changes: string[]): void {
  if (isSeq(node) && Array.isArray(canonical)) {
    node.items.forEach((item, i) => respell(item, canonical[i], `${where}[${i}]`, changes));
    return;
  }
  if (!isMap(node) || canonical === null || typeof canonical !== 'object') return;
  const keys = Object.keys(canonical);
  const record = canonical as Record<string, unknown>;
  node.items.forEach((pair: Pair, i) => {
    const key = keys[i];
    if (key === undefined || !isPair(pair)) return;
    const original = keyText(pair);
    if (original !== key && isScalar(pair.key)) {
      pair.key.value = key;
      changes.push(`${where}: ${original} -> ${key}`);
    }
    if (key === 'if' && isScalar(pair.value) && pair.value.value !== record.if) {
      changes.push(`${where}.if: ${String(pair.value.value)} -> ${String(record.if)}`);
      pair.value.value = record.if;
    }
    respell(pair.value, record[key], `${where}.${key}`, changes);
  });
}

/** Writes out Iter8's meaning of each http task's absent inputs, and drops those its task ignored. */
function applyHttpEdits(
  doc: Document,
  taskNodes: unknown[],
  httpEdits: ReadonlyMap<number, Iter8HttpEdits>,
  changes: string[],
): void {
  for (const [i, edits] of httpEdits) {
    const task = taskNodes[i];
    const withNode = isMap(task) ? task.get('with', true) : undefined;
    if (!isMap(withNode)) continue;
    for (const key of edits.drop) {
      withNode.delete(key);
      changes.push(`spec[${i}].with: dropped ${key} (Iter8's http task ignored it)`);
    }
    for (const [key, value] of Object.entries(edits.set)) {
      withNode.add(doc.createPair(key, value));
      changes.push(`spec[${i}].with: ${key}: ${String(value)} (Iter8's ${iter8Meaning[key] ?? 'default'})`);
    }
  }
}

const iter8Meaning: Record<string, string> = {
  allowInitialErrors: 'default: an error on the first request of a connection fails the task',
  endpointsAre: 'endpoints map is named endpoints, metrics http-<id>/...',
};

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}
