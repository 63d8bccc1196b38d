import { describe, expect, it } from 'vitest';
import { experimentFromValues } from '../../src/config/from-values.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import type { Experiment, TaskSpec } from '../../src/config/experiment.js';
import { assertConditions, experimentState } from '../../src/results/assertions.js';
import { definedSlosByTask, unjudgedSlos } from '../../src/results/defined-slos.js';
import type { LoopRecord, TaskOutcome } from '../../src/results/records.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';
import { appendHeader, appendLoop, emptyStore, toResultHistory } from '../../src/results/cluster-store.js';
import { header, loopRecord, verdict } from './fixtures.js';

const task = (id: string, name: string, input: Record<string, unknown>): TaskSpec => ({
  id,
  task: name,
  with: input,
  needs: [],
});

/** Two assess tasks: 2 absolute (map and Iter8 list form), 1 relative and 2 comparisons; then 1. */
const experiment: Pick<Experiment, 'spec'> = {
  spec: {
    concurrency: 4,
    tasks: [
      task('metrics', 'custommetrics', {}),
      task('gate', 'assess', {
        SLOs: { upper: { 'p/latency-mean': 25 }, lower: [{ metric: 'p/request-count', limit: 10 }] },
        relative: { SLOs: { 'p/latency-p90': { maxIncrease: '10%' } } },
        compare: [
          { latency: 'p/latency', maxIncrease: '10%' },
          { errors: 'p/error-count', requests: 'p/request-count', maxIncrease: 0.01 },
        ],
      }),
      task('late', 'assess', { SLOs: { upper: { 'p/error-count': 0 } } }),
    ],
  },
};

function loop(statuses: Record<string, TaskOutcome['status']>, verdicts = 0): LoopRecord {
  return loopRecord(4, {
    tasks: Object.entries(statuses).map(([id, status]) => ({
      id,
      task: id === 'metrics' ? 'custommetrics' : 'assess',
      status,
      ...(status === 'skipped' ? { message: 'condition is false: loop > 5' } : {}),
      ...(status === 'not-run' ? { message: 'needs metrics, which failed' } : {}),
    })),
    slos: Array.from({ length: verdicts }, () => verdict('pass')),
  });
}

const judge = (record: LoopRecord) =>
  assertConditions(
    experimentState({
      file: 'r.jsonl',
      header: header({ experiment: experiment as Experiment }),
      loops: [record],
      warnings: [],
    }),
    { completed: false, nofailure: false, slos: true },
  );

describe('SLOs defined', () => {
  it('counts absolute, relative and comparison SLOs of every assess task', () => {
    expect(Object.fromEntries(definedSlosByTask(experiment))).toEqual({ gate: 5, late: 1 });
  });

  it('counts the SLOs of an experiment built from --set values', () => {
    const built = experimentFromValues(valuesFromSetArguments([...ITER8_SEED_SETS], [])).experiment;
    const tasks = built.spec.tasks.map((t, i) => ({ ...t, id: `t${i}`, needs: [] }) as unknown as TaskSpec);
    expect([...definedSlosByTask({ spec: { concurrency: 4, tasks } }).values()]).toEqual([3]);
  });

  it('says which assess tasks did not judge theirs, and why', () => {
    expect(
      unjudgedSlos(experiment, loop({ metrics: 'completed', gate: 'completed', late: 'failed' }, 9)),
    ).toEqual({
      defined: 6,
      unjudged: 1,
      reasons: ['late failed'],
    });
  });

  it('leaves out an assess task its `if:` skipped while another judged (alternatives)', () => {
    expect(
      unjudgedSlos(experiment, loop({ metrics: 'completed', gate: 'completed', late: 'skipped' }, 9)),
    ).toEqual({
      defined: 6,
      unjudged: 0,
      reasons: [],
    });
  });
});

describe('--slos when defined SLOs went unjudged', () => {
  it('does not hold when the assess tasks did not run: inconclusive, exit 5', () => {
    const outcome = judge(loop({ metrics: 'failed', gate: 'not-run', late: 'skipped' }));
    expect(outcome.lines).toEqual([
      {
        ok: false,
        text: 'slos: 6 defined, none judged in loop 4 (gate did not run: needs metrics, which failed; late skipped: condition is false: loop > 5)',
      },
    ]);
    expect(outcome.exitCode).toBe(5);
  });

  it('does not hold when one of two assess tasks failed', () => {
    const outcome = judge(loop({ metrics: 'completed', gate: 'completed', late: 'not-run' }, 9));
    expect(outcome.lines[0]).toEqual({
      ok: false,
      text: 'slos: 1 of 6 defined not judged in loop 4 (late did not run: needs metrics, which failed)',
    });
    expect(outcome.exitCode).toBe(5);
  });

  it('holds when every assess task judged its SLOs', () => {
    const outcome = judge(loop({ metrics: 'completed', gate: 'completed', late: 'completed' }, 9));
    expect(outcome.lines).toEqual([{ ok: true, text: 'slos: all 9 satisfied' }]);
    expect(outcome.exitCode).toBe(0);
  });
});

describe('k assert: the cluster store judges the same way', () => {
  it('a store whose latest loop did not run its assess tasks does not hold --slos (exit 5)', () => {
    let store = appendHeader(emptyStore(), header({ experiment: experiment as Experiment }));
    store = appendLoop(store, loop({ metrics: 'completed', gate: 'skipped', late: 'skipped' })).store;
    const outcome = assertConditions(experimentState(toResultHistory(store, 'secret ns/results')), {
      completed: false,
      nofailure: false,
      slos: true,
    });
    expect(outcome.lines[0]?.text).toMatch(/^slos: 6 defined, none judged in loop 4 \(gate skipped/);
    expect(outcome.exitCode).toBe(5);
  });
});
