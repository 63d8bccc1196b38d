/**
 * A KServe InferenceService in Serverless mode mid-canary, in the shape KServe
 * v1beta1 writes it (kserve/kserve pkg/apis/serving/v1beta1: component.go
 * `canaryTrafficPercent`; inference_service_status.go ComponentStatusSpec with
 * Knative TrafficTarget entries; docs/samples/v1beta1/rollout/canary.yaml), and
 * a stand-in for its controller: it routes status traffic as the spec says.
 */
import type { FakeCluster, ObjectRef } from '../../support/fake-kube-api/index.js';

export const ISVC_REF: ObjectRef = {
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  name: 'sklearn-iris',
  namespace: 'default',
};

const PREVIOUS = 'sklearn-iris-predictor-00001';
const LATEST = 'sklearn-iris-predictor-00002';

export function inferenceService(canaryTrafficPercent: number | undefined) {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: 'sklearn-iris',
      namespace: 'default',
      generation: 2,
      annotations: { 'serving.kserve.io/deploymentMode': 'Serverless' },
    },
    spec: {
      predictor: {
        ...(canaryTrafficPercent !== undefined ? { canaryTrafficPercent } : {}),
        model: {
          modelFormat: { name: 'sklearn' },
          storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model-2',
        },
      },
    },
    status: {
      observedGeneration: 2,
      url: 'http://sklearn-iris.default.example.com',
      deploymentMode: 'Serverless',
      conditions: [
        { type: 'IngressReady', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' },
        { type: 'PredictorReady', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' },
      ],
      components: {
        predictor: {
          latestCreatedRevision: LATEST,
          latestReadyRevision: LATEST,
          latestRolledoutRevision: PREVIOUS,
          previousRolledoutRevision: PREVIOUS,
          traffic: trafficFor(canaryTrafficPercent),
          url: 'http://sklearn-iris-predictor.default.example.com',
        },
      },
    },
  };
}

/** Knative TrafficTargets as KServe sets them for a canary share (none: all to the latest). */
function trafficFor(percent: number | undefined) {
  if (percent === undefined) return [{ latestRevision: true, percent: 100, revisionName: LATEST }];
  return [
    { latestRevision: true, percent, revisionName: LATEST, tag: 'latest' },
    { latestRevision: false, percent: 100 - percent, revisionName: PREVIOUS, tag: 'prev' },
  ];
}

/** What KServe's controller does after a spec change: route traffic as configured (bumps resourceVersion). */
export function reconcile(cluster: FakeCluster): void {
  cluster.api.mutate(ISVC_REF, (object) => {
    const spec = object['spec'] as { predictor: { canaryTrafficPercent?: number } };
    const status = object['status'] as { components: { predictor: { traffic: unknown } } };
    status.components.predictor.traffic = trafficFor(spec.predictor.canaryTrafficPercent);
  });
}

export function canaryPercentOf(cluster: FakeCluster): number | undefined {
  const object = cluster.api.get(ISVC_REF) as unknown as {
    spec: { predictor: { canaryTrafficPercent?: number } };
  };
  return object.spec.predictor.canaryTrafficPercent;
}
