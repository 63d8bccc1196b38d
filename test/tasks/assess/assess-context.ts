import { MetricBoard } from '../../../src/metrics/metric-board.js';
import type { LoopRecord, SloVerdict } from '../../../src/results/records.js';
import type { TaskContext } from '../../../src/tasks/task-definition.js';

/** A task context for assess tests: metrics per version given as plain objects. */
export function assessContext(
  metrics: Array<Record<string, number | null>>,
  options: Partial<
    Pick<TaskContext, 'versions' | 'iteration' | 'plannedLoops' | 'previousLoop' | 'pinnedLoop'>
  > = {},
): TaskContext & { slos: SloVerdict[]; metrics: MetricBoard } {
  const board = new MetricBoard();
  metrics.forEach((values, version) => {
    for (const [name, value] of Object.entries(values)) board.record(version, name, value);
  });
  return {
    taskId: 'assess',
    loop: options.iteration ?? 1,
    iteration: options.iteration ?? 1,
    experiment: { name: 't' },
    versions: options.versions ?? metrics.map((_, i) => (i === 0 ? 'baseline' : `candidate-${i}`)),
    experimentDir: '.',
    experimentStart: new Date(),
    env: {},
    workDir: '.',
    signal: new AbortController().signal,
    metrics: board,
    slos: [],
    log: () => {},
    ...(options.plannedLoops !== undefined ? { plannedLoops: options.plannedLoops } : {}),
    ...(options.previousLoop ? { previousLoop: options.previousLoop } : {}),
    ...(options.pinnedLoop ? { pinnedLoop: options.pinnedLoop } : {}),
  };
}

/** A loop record holding these verdicts (for failAfter streaks) or these metrics (for pinned baselines). */
export function loopWith(fields: Partial<LoopRecord>): LoopRecord {
  return {
    kind: 'loop',
    loop: 1,
    experimentHash: 'sha256:x',
    experimentStart: '2026-01-01T00:00:00.000Z',
    start: '2026-01-01T00:00:00.000Z',
    end: '2026-01-01T00:00:01.000Z',
    durationMs: 1000,
    status: 'completed',
    versions: ['baseline', 'candidate-1'],
    tasks: [],
    metrics: [],
    slos: [],
    ...fields,
  };
}
