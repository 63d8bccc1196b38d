/**
 * Two KServe LLMInferenceServices in one route group, in the shape KServe
 * v1alpha2 writes them (kserve/kserve pkg/apis/serving/v1alpha2/
 * llm_inference_service_types.go: spec.router.route.{group,weight},
 * status.router.group.members[{name, weight, stopped}]), and a stand-in for the
 * controller that reports the effective weights.
 */
import type { FakeCluster, ObjectRef } from '../../support/fake-kube-api/index.js';
import { ALL_VERBS } from '../../support/fake-kube-api/index.js';

export const LLM_RESOURCE = {
  group: 'serving.kserve.io',
  version: 'v1alpha2',
  name: 'llminferenceservices',
  singularName: 'llminferenceservice',
  kind: 'LLMInferenceService',
  namespaced: true,
  verbs: ALL_VERBS,
  shortNames: ['llmisvc'],
  subresources: ['status' as const],
  custom: true,
};

export const refOf = (name: string): ObjectRef => ({
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
  name,
  namespace: 'default',
});

export function llmInferenceService(name: string, weight: number) {
  return {
    apiVersion: 'serving.kserve.io/v1alpha2',
    kind: 'LLMInferenceService',
    metadata: { name, namespace: 'default', generation: 1 },
    spec: {
      model: { uri: 'hf://meta-llama/Llama-3.1-8B-Instruct', name: 'meta-llama/Llama-3.1-8B-Instruct' },
      replicas: 1,
      router: { route: { group: 'llama', weight }, gateway: {}, scheduler: {} },
    },
    status: {
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T10:00:00Z' }],
    },
  };
}

interface Llm {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { router: { route: { weight: number } } };
  status: Record<string, unknown>;
}

/** What the controller reports after a change: each member's effective weight (0 when stopped). */
export function reconcileGroup(cluster: FakeCluster, names: readonly string[]): void {
  const members = names.map((name) => {
    const object = cluster.api.get(refOf(name)) as unknown as Llm;
    const stopped = object.metadata.annotations?.['serving.kserve.io/stop'] === 'true';
    return { name, weight: stopped ? 0 : object.spec.router.route.weight, ...(stopped ? { stopped } : {}) };
  });
  for (const name of names) {
    cluster.api.mutate(refOf(name), (object) => {
      (object as unknown as Llm).status['router'] = { group: { name: 'llama', members } };
    });
  }
}

export function weightOf(cluster: FakeCluster, name: string): number {
  return (cluster.api.get(refOf(name)) as unknown as Llm).spec.router.route.weight;
}

export function annotationsOf(cluster: FakeCluster, name: string): Record<string, string> | undefined {
  return (cluster.api.get(refOf(name)) as unknown as Llm).metadata.annotations;
}
