import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentRunOptions } from '../../src/engine/run-experiment.js';
import type { Plan } from '../../src/plan/plan.js';
import { createRegistry } from '../../src/tasks/registry.js';
import type { TaskContext, TaskDefinition } from '../../src/tasks/task-definition.js';
import { makePlan, Recorder, withTempDir } from './helpers.js';

const times = ['2026-11-01T10:00:00.000Z', '2026-11-01T10:10:00.000Z', '2026-11-01T10:20:00.000Z'].map(
  (t) => new Date(t),
);

/** An in-memory task that notes the context it ran with; `past` says whether it can evaluate the past. */
function noting(name: string, seen: TaskContext[], past: boolean): TaskDefinition<never> {
  return {
    name,
    description: `test task ${name}`,
    inputSchema: { type: 'object' },
    ...(past ? { supportsRetrospective: true } : {}),
    run: async (_input: never, context: TaskContext) => void seen.push(context),
  } as unknown as TaskDefinition<never>;
}

function options(plan: Plan, extra: Partial<ExperimentRunOptions>): ExperimentRunOptions {
  return {
    plan,
    registry: createRegistry(),
    experimentHash: 'sha256:exp',
    experimentDir: process.cwd(),
    firstLoop: 1,
    signal: new AbortController().signal,
    observers: [],
    ...extra,
  };
}

describe('a retrospective run (evaluationTimes)', () => {
  it('runs one loop per time, in order, each marked with its time, and passes the time to tasks', async () => {
    const seen: TaskContext[] = [];
    const recorder = new Recorder();
    // A schedule and maxLoops would make a live run wait and stop at 1: the window decides instead.
    const plan = makePlan([{ id: 'metrics' }], { schedule: '0 0 1 1 *', maxLoops: 1 });
    const outcome = await runExperiment(
      options(plan, {
        registry: createRegistry(new Map([['metrics', noting('metrics', seen, true)]])),
        evaluationTimes: times,
        observers: [recorder],
      }),
    );
    expect(outcome.reason).toBe('done');
    expect(outcome.loops.map((l) => l.retrospective)).toEqual(times.map((t) => ({ at: t.toISOString() })));
    expect(outcome.loops.map((l) => l.status)).toEqual(['completed', 'completed', 'completed']);
    expect(seen.map((c) => c.evaluationTime?.toISOString())).toEqual(times.map((t) => t.toISOString()));
    // The experiment starts at the first evaluation time: elapsed time counts from there.
    expect(new Set(seen.map((c) => c.experimentStart.toISOString()))).toEqual(
      new Set([times[0]!.toISOString()]),
    );
    expect(new Set(outcome.loops.map((l) => l.experimentStart))).toEqual(new Set([times[0]!.toISOString()]));
    // start and end stay wall-clock: the loops ran now, not in 2026-11.
    for (const loop of outcome.loops) expect(Date.now() - Date.parse(loop.start)).toBeLessThan(60_000);
    expect(recorder.of('wait')).toEqual([]);
    expect(recorder.of('loop-start').map((e) => e.evaluationTime?.toISOString())).toEqual(
      times.map((t) => t.toISOString()),
    );
    expect(recorder.of('experiment-end')[0]).toMatchObject({ reason: 'done', loops: 3 });
  });

  it('an explicit experiment start wins over the first time', async () => {
    const seen: TaskContext[] = [];
    const start = new Date('2026-10-31T00:00:00Z');
    await runExperiment(
      options(makePlan([{ id: 'metrics' }]), {
        registry: createRegistry(new Map([['metrics', noting('metrics', seen, true)]])),
        evaluationTimes: times.slice(1),
        experimentStart: start,
      }),
    );
    expect(seen.map((c) => c.experimentStart)).toEqual([start, start]);
  });

  it('skips tasks that act on the present, with the reason, and still runs what needs them', async () => {
    const seen: TaskContext[] = [];
    await withTempDir(async (dir) => {
      const plan = makePlan([
        { id: 'script', task: 'run', with: { script: 'touch ran' } },
        { id: 'present', needs: ['script'] },
        { id: 'metrics', needs: ['present'] },
        { id: 'assess', task: 'assess', with: { SLOs: { upper: { 'm/x': 1 } } }, needs: ['metrics'] },
      ]);
      const outcome = await runExperiment(
        options(plan, {
          experimentDir: dir,
          registry: createRegistry(
            new Map([
              ['present', noting('present', seen, false)],
              ['metrics', noting('metrics', seen, true)],
            ]),
          ),
          evaluationTimes: times.slice(0, 1),
        }),
      );
      const [loop] = outcome.loops;
      expect(loop!.tasks.map((t) => `${t.id} ${t.status}`)).toEqual([
        'script skipped',
        'present skipped',
        'metrics completed',
        'assess completed',
      ]);
      expect(loop!.tasks[0]!.message).toBe(
        'retrospective loop (evaluating 2026-11-01T10:00:00.000Z): the run task acts on the present, so it does not run',
      );
      expect(loop!.tasks[1]!.message).toContain('the present task acts on the present');
      expect(loop!.status).toBe('completed');
      // The script really did not run.
      await expect(access(path.join(dir, 'ran'))).rejects.toThrow();
      expect(seen.map((c) => c.taskId)).toEqual(['metrics']);
      // assess judged the (absent) metric: it ran, so the SLO has a verdict.
      expect(loop!.slos.map((s) => s.status)).toEqual(['nodata']);
    });
  });

  it('a live loop has no evaluation time and no retrospective mark', async () => {
    const seen: TaskContext[] = [];
    const outcome = await runExperiment(
      options(makePlan([{ id: 'present' }]), {
        registry: createRegistry(new Map([['present', noting('present', seen, false)]])),
      }),
    );
    expect(outcome.loops[0]!.retrospective).toBeUndefined();
    expect(outcome.loops[0]!.tasks[0]!.status).toBe('completed');
    expect(seen[0]!.evaluationTime).toBeUndefined();
  });
});
