export {
  FakeKubeApi,
  DEFAULT_TOKEN,
  DEFAULT_USER,
  type Condition,
  type FakeKubeApiOptions,
  type InjectedFault,
  type ObjectRef,
  type RecordedRequest,
} from './fake-kube-api.js';
export { defaultResources, ALL_VERBS, type ApiResourceDefinition } from './api-resources.js';
export type { ForbidRule } from './access-rules.js';
export type { KubeObject } from './object-store.js';
export { kubeconfigDocument, writeKubeconfig, type KubeconfigOptions } from './kubeconfig-file.js';
export { startFakeCluster, type FakeCluster } from './fake-cluster.js';
