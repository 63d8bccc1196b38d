/** The plain objects launch writes and delete removes, and how messages name them. */

export interface ManifestMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  [field: string]: unknown;
}

/** The types a group is made of, with the plural RBAC and URLs use. */
export const GROUP_KINDS = {
  Secret: { apiVersion: 'v1', resource: 'secrets' },
  ConfigMap: { apiVersion: 'v1', resource: 'configmaps' },
  ServiceAccount: { apiVersion: 'v1', resource: 'serviceaccounts' },
  Pod: { apiVersion: 'v1', resource: 'pods' },
  Role: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles' },
  RoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings' },
  Job: { apiVersion: 'batch/v1', resource: 'jobs' },
  CronJob: { apiVersion: 'batch/v1', resource: 'cronjobs' },
} as const;

export type GroupKind = keyof typeof GROUP_KINDS;

/** An object by type, name and namespace. */
export interface ObjectRef {
  kind: GroupKind;
  name: string;
  namespace: string;
}

export function apiGroupOf(kind: GroupKind): string {
  const apiVersion: string = GROUP_KINDS[kind].apiVersion;
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** `secret/canary-default-experiment`, `cronjob.batch/canary-default`: kubectl's way. */
export function describeRef(ref: Pick<ObjectRef, 'kind' | 'name'>): string {
  const group = apiGroupOf(ref.kind);
  return `${ref.kind.toLowerCase()}${group === '' ? '' : `.${group}`}/${ref.name}`;
}

export function isGroupKind(kind: string): kind is GroupKind {
  return Object.hasOwn(GROUP_KINDS, kind);
}
