import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentRunOptions } from '../../../src/engine/run-experiment.js';
import { clearDiscoveryCache } from '../../../src/k8s/discovery.js';
import { rolloutTask, type RolloutInput } from '../../../src/tasks/rollout/rollout.js';
import { startFakeCluster, type FakeCluster } from '../../support/fake-kube-api/index.js';
import {
  annotationsOf,
  LLM_RESOURCE,
  llmInferenceService,
  reconcileGroup,
  weightOf,
} from './llm-inference-service.js';
import { decisions, rolloutExperiment } from './rollout-experiment.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
  cluster.api.addResource(LLM_RESOURCE);
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  clearDiscoveryCache();
  cluster.api.requests.length = 0;
  // llama-v1 serves 90% of the group, llama-v2 (the candidate) 10%.
  cluster.api.set(llmInferenceService('llama-v1', 90));
  cluster.api.set(llmInferenceService('llama-v2', 10));
});

const TARGET = { resource: 'llminferenceservices', candidate: 'llama-v2', baseline: 'llama-v1' } as const;

function experiment(errorRates: ReadonlyArray<number>, rollout: Partial<RolloutInput>): ExperimentRunOptions {
  return rolloutExperiment({
    cluster,
    errorRates,
    target: TARGET,
    rollout,
    reconcile: () => reconcileGroup(cluster, ['llama-v1', 'llama-v2']),
    experiment: { name: 'llm', namespace: 'default' },
    hash: 'sha256:llm',
  });
}

describe('rollout of an LLMInferenceService route group', () => {
  it("ramps the candidate's weight, then promotes by stopping the baseline", async () => {
    const outcome = await runExperiment(experiment([0.001, 0.001, 0.001], { steps: [10, 50, 100] }));
    expect(decisions(outcome.loops).map((d) => `${d.action} ${d.from}->${d.to}`)).toEqual([
      'advance 10->50',
      'promote 50->100',
    ]);
    expect(outcome.reason).toBe('promoted');
    // 50% next to the baseline's 90: weight 90.
    expect(weightOf(cluster, 'llama-v2')).toBe(90);
    expect(annotationsOf(cluster, 'llama-v1')).toEqual({ 'serving.kserve.io/stop': 'true' });
    // The baseline's weight is left alone: the annotation alone takes its traffic away.
    expect(weightOf(cluster, 'llama-v1')).toBe(90);
    expect(cluster.api.requests.filter((r) => r.method === 'PATCH').map((r) => r.url.split('?')[0])).toEqual([
      '/apis/serving.kserve.io/v1alpha2/namespaces/default/llminferenceservices/llama-v2',
      '/apis/serving.kserve.io/v1alpha2/namespaces/default/llminferenceservices/llama-v1',
    ]);
  });

  it("rolls back to the candidate's starting weight, not to zero", async () => {
    const outcome = await runExperiment(experiment([0.001, 0.5], { steps: [10, 50, 100] }));
    expect(decisions(outcome.loops).map((d) => `${d.action} ${d.from}->${d.to}`)).toEqual([
      'advance 10->50',
      'rollback 50->10',
    ]);
    expect(decisions(outcome.loops).map((d) => d.startWeight)).toEqual([10, 10]);
    expect(outcome.reason).toBe('rolled-back');
    expect(weightOf(cluster, 'llama-v2')).toBe(10);
    expect(annotationsOf(cluster, 'llama-v1')).toBeUndefined();
  });

  it('refuses a pair that is not in one route group', async () => {
    cluster.api.set({
      ...llmInferenceService('llama-v2', 10),
      spec: {
        ...llmInferenceService('llama-v2', 10).spec,
        router: { route: { group: 'other', weight: 10 } },
      },
    });
    const outcome = await runExperiment(experiment([0.001], {}));
    const task = outcome.loops[0]!.tasks.find((t) => t.id === 'rollout')!;
    expect(task.status).toBe('error');
    expect(task.message).toMatch(/"llama-v2" and "llama-v1" are not in one route group/);
    expect(cluster.api.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('validate refuses a baseline that is the candidate', async () => {
    const problems = await rolloutTask.check!(
      { target: { resource: 'llminferenceservices', candidate: 'llama-v2', baseline: 'llama-v2' } },
      { experimentDir: '.', env: {} },
    );
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        path: ['target', 'baseline'],
        message: 'the baseline is the candidate ("llama-v2")',
      }),
    ]);
  });
});
