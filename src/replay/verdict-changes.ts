/**
 * What a replay changed in one loop: verdicts matched by `verdictKey` (kind, metric, operator and
 * version name), compared field by field as the result file stores them.
 */
import { isDeepStrictEqual } from 'node:util';
import { versionName } from '../config/experiment.js';
import { verdictKey, type LoopRecord, type SloVerdict, type TaskStatus } from '../results/records.js';
import { replayedTaskName } from './replay-loops.js';

/**
 * changed: the status or the gate differs (what the exit code sees); revised: the same verdict with
 * other fields changed (limit, value, policy, comparison...); new / gone: an SLO only one side has.
 */
export type VerdictChange =
  | {
      change: 'changed' | 'revised';
      version: string;
      before: SloVerdict;
      after: SloVerdict;
      fields: string[];
    }
  | { change: 'new'; version: string; after: SloVerdict }
  | { change: 'gone'; version: string; before: SloVerdict };

/** An assess task that ran differently (skipped by its `if:` now, added, removed...). */
export interface TaskChange {
  id: string;
  before: TaskStatus | null;
  after: TaskStatus | null;
  message?: string;
}

export interface LoopChanges {
  loop: number;
  iteration: number;
  versions: string[];
  verdicts: VerdictChange[];
  unchanged: number;
  tasks: TaskChange[];
}

export function compareLoops(recorded: LoopRecord, replayed: LoopRecord): LoopChanges {
  const before = byKey(recorded);
  const verdicts: VerdictChange[] = [];
  let unchanged = 0;
  for (const after of replayed.slos) {
    const version = versionName(replayed.versions, after.version);
    const earlier = before.get(verdictKey(after, version))?.shift();
    if (!earlier) {
      verdicts.push({ change: 'new', version, after });
      continue;
    }
    const fields = differentFields(earlier, after);
    if (fields.length === 0) unchanged++;
    else {
      const change = fields.includes('status') || fields.includes('gate') ? 'changed' : 'revised';
      verdicts.push({ change, version, before: earlier, after, fields });
    }
  }
  for (const left of before.values())
    for (const verdict of left)
      verdicts.push({
        change: 'gone',
        version: versionName(recorded.versions, verdict.version),
        before: verdict,
      });
  return {
    loop: recorded.loop,
    iteration: replayed.iteration ?? replayed.loop,
    versions: replayed.versions,
    verdicts,
    unchanged,
    tasks: taskChanges(recorded, replayed),
  };
}

/** Verdicts in file order per key; a key twice (two assess tasks judging one SLO) pairs in order. */
function byKey(loop: LoopRecord): Map<string, SloVerdict[]> {
  const map = new Map<string, SloVerdict[]>();
  for (const verdict of loop.slos) {
    const key = verdictKey(verdict, versionName(loop.versions, verdict.version));
    map.set(key, [...(map.get(key) ?? []), verdict]);
  }
  return map;
}

/** Compared as stored: through JSON (no NaN, no undefined fields), key order ignored. */
function differentFields(before: SloVerdict, after: SloVerdict): string[] {
  const a = asStored(before);
  const b = asStored(after);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((key) => !isDeepStrictEqual(a[key], b[key]));
}

function asStored(verdict: SloVerdict): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(verdict, (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? null : value,
    ),
  ) as Record<string, unknown>;
}

function taskChanges(recorded: LoopRecord, replayed: LoopRecord): TaskChange[] {
  const changes: TaskChange[] = [];
  const isAssess = (task: { task: string }) => task.task === replayedTaskName;
  for (const task of replayed.tasks.filter(isAssess)) {
    const earlier = recorded.tasks.find((t) => t.id === task.id);
    if (earlier?.status === task.status) continue;
    changes.push({
      id: task.id,
      before: earlier?.status ?? null,
      after: task.status,
      ...(task.message !== undefined ? { message: task.message } : {}),
    });
  }
  for (const task of recorded.tasks.filter(isAssess))
    if (!replayed.tasks.some((t) => t.id === task.id))
      changes.push({ id: task.id, before: task.status, after: null });
  return changes;
}
