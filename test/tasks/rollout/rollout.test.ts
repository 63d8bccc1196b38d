import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentRunOptions } from '../../../src/engine/run-experiment.js';
import { clearDiscoveryCache } from '../../../src/k8s/discovery.js';
import type { LoopRecord } from '../../../src/results/records.js';
import { rolloutTask, type RolloutInput } from '../../../src/tasks/rollout/rollout.js';
import { startFakeCluster, type FakeCluster } from '../../support/fake-kube-api/index.js';
import { makePlan, Recorder } from '../../engine/helpers.js';
import { canaryPercentOf, inferenceService, ISVC_REF, reconcile } from './inference-service.js';
import { decisions, moves, rolloutExperiment } from './rollout-experiment.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  clearDiscoveryCache();
  cluster.api.requests.length = 0;
});

const TARGET = { resource: 'inferenceservices', name: 'sklearn-iris', namespace: 'default' } as const;

function experiment(
  errorRates: ReadonlyArray<number | null>,
  rollout: Partial<RolloutInput>,
  extra: Partial<ExperimentRunOptions> = {},
  { controller = true } = {},
): ExperimentRunOptions {
  return rolloutExperiment({
    cluster,
    errorRates,
    target: TARGET,
    rollout,
    reconcile: controller ? () => reconcile(cluster) : undefined,
    slo: { limit: 0.01, onNoData: 'inconclusive' },
    hash: 'sha256:rollout',
    extra,
  });
}

function patchRequests() {
  return cluster.api.requests.filter((r) => r.method === 'PATCH');
}

describe('rollout of a Serverless InferenceService', () => {
  it('ramps 10 -> 50 -> promoted after passesPerStep passing loops per step, then ends the run', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(
      experiment([0.001, 0.002, 0.001, 0.003, 0.001, 0.001], { steps: [10, 50, 100], passesPerStep: 2 }),
    );
    expect(moves(outcome.loops)).toEqual(['hold 10->10', 'advance 10->50', 'hold 50->50', 'promote 50->100']);
    expect(outcome.reason).toBe('promoted');
    // Promotion removes canaryTrafficPercent, as KServe documents: the latest revision takes all traffic.
    expect(canaryPercentOf(cluster)).toBeUndefined();
    expect(cluster.api.get(ISVC_REF)!['spec']).toMatchObject({
      predictor: { model: { modelFormat: { name: 'sklearn' } } },
    });
    expect(decisions(outcome.loops).map((d) => d.passes)).toEqual([1, 0, 1, 0]);
    const last = outcome.loops.at(-1)!.tasks.find((t) => t.id === 'rollout')!;
    expect(last.ends).toBe('promoted');
    expect(last.decision!.patch).toEqual({
      type: 'application/merge-patch+json',
      body: expect.objectContaining({ spec: { predictor: { canaryTrafficPercent: null } } }),
    });
    expect(last.decision!.why).toMatch(/every gating SLO passed \(2 of 2 at 50%\); promoting/);
    expect(patchRequests()).toHaveLength(2);
  });

  it('rolls back to 0% when a gating SLO fails, and ends the run rolled-back', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(experiment([0.001, 0.2, 0.001], { passesPerStep: 2 }));
    expect(moves(outcome.loops)).toEqual(['hold 10->10', 'rollback 10->0']);
    expect(outcome.reason).toBe('rolled-back');
    expect(canaryPercentOf(cluster)).toBe(0);
    expect(decisions(outcome.loops)[1]!.why).toMatch(
      /SLO failed: m\/error-rate <= 0.01 for candidate \(0.2\); rolling back/,
    );
  });

  it('holds the traffic on failure with onFailure: hold', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(experiment([0.2, 0.2], { onFailure: 'hold' }));
    expect(moves(outcome.loops)).toEqual(['hold 10->10', 'hold 10->10']);
    expect(outcome.reason).toBe('done');
    expect(canaryPercentOf(cluster)).toBe(10);
    expect(patchRequests()).toEqual([]);
  });

  it('holds on an inconclusive loop and counts passes again from there', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(experiment([0.001, null, 0.001, 0.001], { passesPerStep: 2 }));
    expect(moves(outcome.loops)).toEqual(['hold 10->10', 'hold 10->10', 'hold 10->10', 'advance 10->50']);
    expect(decisions(outcome.loops).map((d) => d.passes)).toEqual([1, 0, 1, 0]);
    expect(decisions(outcome.loops)[1]!.why).toMatch(/SLO inconclusive: m\/error-rate/);
    expect(canaryPercentOf(cluster)).toBe(50);
  });

  it('never acts when no SLO was judged in the loop', async () => {
    cluster.api.set(inferenceService(10));
    const plan = makePlan([{ id: 'rollout', with: { target: TARGET, passesPerStep: 1 } }]);
    const outcome = await runExperiment({ ...experiment([0.001], {}), plan });
    expect(moves(outcome.loops)).toEqual(['hold 10->10']);
    expect(decisions(outcome.loops)[0]!.why).toMatch(/no SLO was judged in this loop/);
    expect(patchRequests()).toEqual([]);
  });

  it('resumes after a restart: passes counted before it still count', async () => {
    cluster.api.set(inferenceService(10));
    const first = await runExperiment(experiment([0.001], { passesPerStep: 2 }));
    expect(moves(first.loops)).toEqual(['hold 10->10']);
    // The next run reads the previous loop back from the result file: a JSON round trip.
    const previousLoop = JSON.parse(JSON.stringify(first.loops.at(-1))) as LoopRecord;
    const second = await runExperiment(
      experiment([0.001, 0.001], { passesPerStep: 2 }, { firstLoop: 2, loops: 1, previousLoop }),
    );
    expect(second.loops.map((l) => l.loop)).toEqual([2]);
    expect(moves(second.loops)).toEqual(['advance 10->50']);
    expect(canaryPercentOf(cluster)).toBe(50);
  });

  it('holds for good when a person changed the traffic between loops, and never overrides it', async () => {
    cluster.api.set(inferenceService(10));
    // After loop 1 moved the canary to 50%, someone sets it to 20% by hand.
    const person = new Recorder((event) => {
      if (event.type === 'loop-end' && event.record.loop === 1)
        cluster.api.mutate(ISVC_REF, (object) => {
          (object['spec'] as { predictor: Record<string, unknown> }).predictor['canaryTrafficPercent'] = 20;
        });
    });
    const outcome = await runExperiment(
      experiment([0.001, 0.001, 0.001], { passesPerStep: 1 }, { observers: [person] }),
    );
    expect(moves(outcome.loops)).toEqual(['advance 10->50', 'hold 20->20', 'hold 20->20']);
    const [, seen, after] = decisions(outcome.loops);
    expect(seen!.driftSince).toBe(2);
    expect(seen!.why).toMatch(/changed by someone else since the last loop \(canary left at 50%, now 20%\)/);
    expect(after!.why).toMatch(/on hold since loop 2/);
    expect(canaryPercentOf(cluster)).toBe(20);
    expect(patchRequests()).toHaveLength(1);
  });

  it('holds for good when the patch meets a 409 Conflict (changed after it was read)', async () => {
    cluster.api.set(inferenceService(10));
    cluster.api.failNext({
      method: 'PATCH',
      path: '/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/sklearn-iris',
      status: 409,
      message:
        'Operation cannot be fulfilled on inferenceservices.serving.kserve.io "sklearn-iris": the object has been modified; please apply your changes to the latest version and try again',
    });
    const outcome = await runExperiment(experiment([0.001, 0.001], { passesPerStep: 1 }));
    expect(moves(outcome.loops)).toEqual(['hold 10->10', 'hold 10->10']);
    expect(decisions(outcome.loops)[0]!.why).toMatch(/changed while canary was patching it \(409 Conflict\)/);
    expect(decisions(outcome.loops)[1]!.why).toMatch(/on hold since loop 1/);
    expect(patchRequests()).toHaveLength(1);
    expect(canaryPercentOf(cluster)).toBe(10);
  });

  it('bounds moves with maxStepsPerHour', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(
      experiment([0.001, 0.001, 0.001], { steps: [10, 20, 30, 100], passesPerStep: 1, maxStepsPerHour: 1 }),
    );
    expect(moves(outcome.loops)).toEqual(['advance 10->20', 'hold 20->20', 'hold 20->20']);
    expect(decisions(outcome.loops)[1]!.why).toMatch(/reach maxStepsPerHour \(1\)/);
    expect(canaryPercentOf(cluster)).toBe(20);
  });

  it('waits while KServe has not yet routed the configured share', async () => {
    cluster.api.set(inferenceService(10));
    // The controller lags: the status still routes 0% to the latest revision.
    cluster.api.mutate(ISVC_REF, (object) => {
      const status = object['status'] as {
        components: { predictor: { traffic: Array<{ percent: number }> } };
      };
      status.components.predictor.traffic[0]!.percent = 0;
      status.components.predictor.traffic[1]!.percent = 100;
    });
    const outcome = await runExperiment(experiment([0.001], { passesPerStep: 1 }, {}, { controller: false }));
    expect(moves(outcome.loops)).toEqual(['hold 10->10']);
    expect(decisions(outcome.loops)[0]!.why).toMatch(
      /KServe routes 0% to the candidate, not the 10% configured/,
    );
  });

  it('with --no-act, decides as usual but sends no patch', async () => {
    cluster.api.set(inferenceService(10));
    const outcome = await runExperiment(
      experiment([0.001, 0.001, 0.2], { passesPerStep: 1 }, { noAct: true }),
    );
    expect(moves(outcome.loops)).toEqual(['advance 10->50', 'advance 10->50', 'rollback 10->0']);
    expect(decisions(outcome.loops).every((d) => !d.acted)).toBe(true);
    expect(decisions(outcome.loops)[0]!.patch).toMatchObject({
      body: { spec: { predictor: { canaryTrafficPercent: 50 } } },
    });
    expect(outcome.reason).toBe('done');
    expect(patchRequests()).toEqual([]);
    expect(canaryPercentOf(cluster)).toBe(10);
  });
});

describe('rollout --dry-run preview', () => {
  it('lists the merge patch of every step, the promotion and the rollback', async () => {
    const preview = (await rolloutTask.preview!(
      { target: TARGET, steps: [10, 50, 100] },
      {
        experimentDir: '.',
        env: {},
      },
    )) as { patches: Record<string, { type: string; body: unknown }> };
    expect(Object.keys(preview.patches)).toEqual(['step 10%', 'step 50%', 'promote', 'rollback']);
    expect(preview.patches['promote']).toEqual({
      type: 'application/merge-patch+json',
      body: { spec: { predictor: { canaryTrafficPercent: null } } },
    });
    expect(preview.patches['rollback']!.body).toEqual({ spec: { predictor: { canaryTrafficPercent: 0 } } });
  });
});

describe('patching an InferenceService (a custom resource)', () => {
  let api: CustomObjectsApi;
  beforeAll(() => {
    const config = new KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
    api = config.makeApiClient(CustomObjectsApi);
  });
  const coordinates = {
    group: 'serving.kserve.io',
    version: 'v1beta1',
    namespace: 'default',
    plural: 'inferenceservices',
    name: 'sklearn-iris',
  };

  it('refuses a strategic merge patch with 415', async () => {
    cluster.api.set(inferenceService(10));
    const error = await api
      .patchNamespacedCustomObject(
        { ...coordinates, body: { spec: { predictor: { canaryTrafficPercent: 50 } } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(415);
    // As a real API server answers for a CRD: strategic merge is not among the accepted types.
    expect(String((error as ApiException<unknown>).body)).toMatch(
      /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml"/,
    );
    expect(canaryPercentOf(cluster)).toBe(10);
  });

  it('applies a merge patch: null removes the field, other fields stay', async () => {
    cluster.api.set(inferenceService(10));
    await api.patchNamespacedCustomObject(
      { ...coordinates, body: { spec: { predictor: { canaryTrafficPercent: null } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const object = cluster.api.get(ISVC_REF) as unknown as { spec: { predictor: Record<string, unknown> } };
    expect('canaryTrafficPercent' in object.spec.predictor).toBe(false);
    expect(object.spec.predictor['model']).toMatchObject({ storageUri: expect.stringContaining('model-2') });
  });

  it('applies a JSON patch, and a merge patch with a stale resourceVersion gets 409', async () => {
    const stored = cluster.api.set(inferenceService(10));
    await api.patchNamespacedCustomObject(
      { ...coordinates, body: [{ op: 'replace', path: '/spec/predictor/canaryTrafficPercent', value: 50 }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(canaryPercentOf(cluster)).toBe(50);
    const stale = (stored['metadata'] as { resourceVersion: string }).resourceVersion;
    const error = await api
      .patchNamespacedCustomObject(
        {
          ...coordinates,
          body: { metadata: { resourceVersion: stale }, spec: { predictor: { canaryTrafficPercent: 100 } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as ApiException<unknown>).code).toBe(409);
    expect(canaryPercentOf(cluster)).toBe(50);
  });
});
