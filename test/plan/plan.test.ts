import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/config/experiment.js';
import { compilePlan } from '../../src/plan/plan.js';

function experiment(spec: Partial<Experiment['spec']> = {}): Experiment {
  return {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { name: 'demo', namespace: 'ns' },
    spec: {
      concurrency: 2,
      tasks: [
        { id: 'load', task: 'run', with: { script: 'true' }, needs: [] },
        { id: 'metrics', task: 'file-metrics', with: {}, needs: ['load'], timeout: '1m30s', retries: 2 },
        { id: 'assess', task: 'assess', with: {}, needs: ['metrics'], if: 'loop > 1' },
      ],
      ...spec,
    },
  };
}

describe('compilePlan', () => {
  it('compiles tasks with parsed timeouts, default retries and waves', () => {
    const plan = compilePlan(experiment({ schedule: '*/5 * * * *', maxLoops: 3, versions: ['v1', 'v2'] }));
    expect(plan).toEqual({
      experiment: { name: 'demo', namespace: 'ns' },
      versions: ['v1', 'v2'],
      schedule: '*/5 * * * *',
      maxLoops: 3,
      concurrency: 2,
      tasks: [
        { id: 'load', task: 'run', with: { script: 'true' }, needs: [], retries: 0 },
        { id: 'metrics', task: 'file-metrics', with: {}, needs: ['load'], timeoutMs: 90_000, retries: 2 },
        { id: 'assess', task: 'assess', with: {}, needs: ['metrics'], if: 'loop > 1', retries: 0 },
      ],
      waves: [['load'], ['metrics'], ['assess']],
    });
  });

  it('leaves out what the experiment does not set, and stays JSON-serializable', () => {
    const plan = compilePlan(experiment());
    expect(plan).not.toHaveProperty('schedule');
    expect(plan).not.toHaveProperty('maxLoops');
    expect(plan.versions).toEqual([]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('copies needs rather than sharing them with the experiment', () => {
    const source = experiment();
    const plan = compilePlan(source);
    plan.tasks[1]!.needs.push('x');
    expect(source.spec.tasks[1]!.needs).toEqual(['load']);
  });
});
