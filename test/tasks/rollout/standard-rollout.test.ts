import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentRunOptions } from '../../../src/engine/run-experiment.js';
import { clearDiscoveryCache } from '../../../src/k8s/discovery.js';
import type { RolloutInput } from '../../../src/tasks/rollout/rollout.js';
import { mergePatchFromTo } from '../../../src/tasks/rollout/standard-canary-traffic.js';
import { startFakeCluster, type FakeCluster } from '../../support/fake-kube-api/index.js';
import { decisions, moves, rolloutExperiment } from './rollout-experiment.js';
import { reconcileStandard, standardInferenceService, standardSpecOf } from './standard-inference-service.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  clearDiscoveryCache();
  cluster.api.set(standardInferenceService(10));
});

const TARGET = { resource: 'inferenceservices', name: 'sklearn-std', canary: 'sklearn-v2' } as const;

function experiment(
  errorRates: readonly number[],
  rollout: Partial<RolloutInput> = {},
): ExperimentRunOptions {
  return rolloutExperiment({
    cluster,
    errorRates,
    target: TARGET,
    rollout,
    reconcile: () => reconcileStandard(cluster),
    experiment: { name: 'std', namespace: 'default' },
    hash: 'sha256:std',
  });
}

describe('rollout of a Standard-mode InferenceService canary (spec.canary[])', () => {
  it("sets the named canary's trafficPercent, then promotes it to the stable predictor", async () => {
    const outcome = await runExperiment(experiment([0.001, 0.001, 0.001]));
    expect(moves(outcome.loops)).toEqual(['advance 10->50', 'promote 50->100']);
    expect(outcome.reason).toBe('promoted');
    const spec = standardSpecOf(cluster);
    // The canary's predictor, name included, replaces the stable one wholesale; the entry is gone.
    expect(spec.predictor).toEqual({
      name: 'sklearn-v2',
      minReplicas: 1,
      model: {
        modelFormat: { name: 'sklearn' },
        storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model-2',
      },
    });
    expect(spec.canary).toBeUndefined();
  });

  it('rolls back to trafficPercent 0, keeping the canary deployed', async () => {
    const outcome = await runExperiment(experiment([0.5]));
    expect(moves(outcome.loops)).toEqual(['rollback 10->0']);
    expect(outcome.reason).toBe('rolled-back');
    expect(standardSpecOf(cluster).canary).toEqual([
      expect.objectContaining({
        predictor: expect.objectContaining({ name: 'sklearn-v2' }),
        trafficPercent: 0,
      }),
    ]);
    expect(standardSpecOf(cluster).predictor['name']).toBe('sklearn-v1');
  });

  it('holds when no canary has that name', async () => {
    const outcome = await runExperiment(
      rolloutExperiment({
        cluster,
        errorRates: [0.001],
        target: { ...TARGET, canary: 'sklearn-v9' },
        reconcile: () => reconcileStandard(cluster),
        experiment: { name: 'std', namespace: 'default' },
        hash: 'sha256:std',
      }),
    );
    const decision = decisions(outcome.loops)[0]!;
    expect(decision.action).toBe('hold');
    expect(decision.why).toBe('no canary named "sklearn-v9" in spec.canary');
  });
});

describe('mergePatchFromTo', () => {
  it('nulls what only the old object has and replaces lists', () => {
    expect(mergePatchFromTo({ a: 1, b: { c: 2, d: 3 }, e: [1, 2] }, { b: { c: 5 }, e: [3], f: 'x' })).toEqual(
      { a: null, b: { d: null, c: 5 }, e: [3], f: 'x' },
    );
  });
});
