/**
 * A KServe InferenceService in Standard mode with a named canary, in the shape
 * of KServe's v1beta1 types (kserve/kserve pkg/apis/serving/v1beta1:
 * inference_service.go `canary: [{predictor, trafficPercent}]`,
 * inference_service_status.go `canaryStatuses: [{name, ready, trafficPercent}]`),
 * and a stand-in for its controller.
 */
import type { FakeCluster, ObjectRef } from '../../support/fake-kube-api/index.js';

export const STANDARD_REF: ObjectRef = {
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  name: 'sklearn-std',
  namespace: 'default',
};

export function standardInferenceService(trafficPercent: number) {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      name: 'sklearn-std',
      namespace: 'default',
      generation: 3,
      annotations: { 'serving.kserve.io/deploymentMode': 'Standard' },
    },
    spec: {
      predictor: {
        name: 'sklearn-v1',
        minReplicas: 2,
        model: {
          modelFormat: { name: 'sklearn' },
          runtime: 'kserve-sklearnserver',
          storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
        },
      },
      canary: [
        {
          predictor: {
            name: 'sklearn-v2',
            minReplicas: 1,
            model: {
              modelFormat: { name: 'sklearn' },
              storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model-2',
            },
          },
          trafficPercent,
        },
      ],
    },
    status: {
      observedGeneration: 3,
      deploymentMode: 'Standard',
      conditions: [
        { type: 'CanaryPredictorReady', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' },
      ],
      canaryStatuses: [{ name: 'sklearn-v2', ready: true, trafficPercent }],
    },
  };
}

interface Standard {
  spec: {
    predictor: Record<string, unknown>;
    canary?: Array<{ predictor: { name: string }; trafficPercent: number }>;
  };
  status: { canaryStatuses?: unknown[] };
}

/** The controller: canaryStatuses follow spec.canary. */
export function reconcileStandard(cluster: FakeCluster): void {
  cluster.api.mutate(STANDARD_REF, (object) => {
    const isvc = object as unknown as Standard;
    isvc.status.canaryStatuses = (isvc.spec.canary ?? []).map((c) => ({
      name: c.predictor.name,
      ready: true,
      trafficPercent: c.trafficPercent,
    }));
  });
}

export function standardSpecOf(cluster: FakeCluster): Standard['spec'] {
  return (cluster.api.get(STANDARD_REF) as unknown as Standard).spec;
}
