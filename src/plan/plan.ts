import type { Experiment } from '../config/experiment.js';
import { parseDuration } from '../util/duration.js';
import { computeWaves } from './task-graph.js';

/** The execution plan: plain, serializable data (`canary run --dry-run` prints it). */
export interface Plan {
  experiment: { name: string; namespace?: string };
  versions: string[];
  schedule?: string;
  maxLoops?: number;
  concurrency: number;
  tasks: PlannedTask[];
  /** Tasks grouped by dependency depth, for people reading the plan. */
  waves: string[][];
}

export interface PlannedTask {
  id: string;
  task: string;
  with: Record<string, unknown>;
  needs: string[];
  if?: string;
  timeoutMs?: number;
  retries: number;
}

/** Compile a valid, normalized experiment into a plan. Pure: no I/O. */
export function compilePlan(experiment: Experiment): Plan {
  const tasks = experiment.spec.tasks.map((t): PlannedTask => ({
    id: t.id,
    task: t.task,
    with: t.with,
    needs: [...t.needs],
    ...(t.if !== undefined ? { if: t.if } : {}),
    ...(t.timeout !== undefined ? { timeoutMs: parseDuration(t.timeout) } : {}),
    retries: t.retries ?? 0,
  }));
  return {
    experiment: {
      name: experiment.metadata.name,
      ...(experiment.metadata.namespace ? { namespace: experiment.metadata.namespace } : {}),
    },
    versions: experiment.spec.versions ?? [],
    ...(experiment.spec.schedule !== undefined ? { schedule: experiment.spec.schedule } : {}),
    ...(experiment.spec.maxLoops !== undefined ? { maxLoops: experiment.spec.maxLoops } : {}),
    concurrency: experiment.spec.concurrency,
    tasks,
    waves: computeWaves(tasks),
  };
}
