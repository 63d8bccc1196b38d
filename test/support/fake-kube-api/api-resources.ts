/**
 * The resource types the fake API server serves, in the shape discovery
 * (`/api/v1`, `/apis/<group>/<version>`) describes them.
 */

export type Subresource = 'status' | 'log';

export interface ApiResourceDefinition {
  /** '' is the core group (served under /api/v1). */
  group: string;
  version: string;
  /** Plural, as in URLs: `inferenceservices`. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  subresources?: readonly Subresource[];
  /** A custom resource (CRD): deletes answer with a Status and list items carry apiVersion/kind. */
  custom?: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Cluster-scoped built-ins such as namespaces have no deletecollection. */
const CLUSTER_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function resource(
  group: string,
  version: string,
  name: string,
  kind: string,
  extra: Partial<ApiResourceDefinition> = {},
): ApiResourceDefinition {
  return {
    group,
    version,
    name,
    singularName: kind.toLowerCase(),
    kind,
    namespaced: true,
    verbs: ALL_VERBS,
    ...extra,
  };
}

/** What a small cluster with KServe and Knative Serving installed answers in discovery. */
export function defaultResources(): ApiResourceDefinition[] {
  return [
    resource('', 'v1', 'pods', 'Pod', {
      shortNames: ['po'],
      categories: ['all'],
      subresources: ['status', 'log'],
    }),
    resource('', 'v1', 'services', 'Service', {
      shortNames: ['svc'],
      categories: ['all'],
      subresources: ['status'],
    }),
    resource('', 'v1', 'secrets', 'Secret'),
    resource('', 'v1', 'configmaps', 'ConfigMap', { shortNames: ['cm'] }),
    resource('', 'v1', 'serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
    resource('', 'v1', 'events', 'Event', { shortNames: ['ev'] }),
    resource('', 'v1', 'namespaces', 'Namespace', {
      namespaced: false,
      shortNames: ['ns'],
      verbs: CLUSTER_VERBS,
      subresources: ['status'],
    }),
    resource('apps', 'v1', 'deployments', 'Deployment', {
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: ['status'],
    }),
    resource('batch', 'v1', 'jobs', 'Job', { categories: ['all'], subresources: ['status'] }),
    resource('batch', 'v1', 'cronjobs', 'CronJob', {
      shortNames: ['cj'],
      categories: ['all'],
      subresources: ['status'],
    }),
    resource('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
    resource('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
    resource('serving.knative.dev', 'v1', 'services', 'Service', {
      shortNames: ['kservice', 'ksvc'],
      categories: ['all', 'knative', 'serving'],
      subresources: ['status'],
      custom: true,
    }),
    resource('serving.knative.dev', 'v1', 'revisions', 'Revision', {
      shortNames: ['rev'],
      categories: ['all', 'knative', 'serving'],
      subresources: ['status'],
      custom: true,
    }),
    resource('serving.knative.dev', 'v1', 'routes', 'Route', {
      shortNames: ['rt'],
      categories: ['all', 'knative', 'serving'],
      subresources: ['status'],
      custom: true,
    }),
    resource('serving.kserve.io', 'v1beta1', 'inferenceservices', 'InferenceService', {
      shortNames: ['isvc'],
      subresources: ['status'],
      custom: true,
    }),
  ];
}

/** Subresource verbs, as discovery lists them. */
const SUBRESOURCE_VERBS: Readonly<Record<Subresource, readonly string[]>> = {
  status: ['get', 'patch', 'update'],
  log: ['get'],
};

export function subresourceVerbs(subresource: Subresource): readonly string[] {
  return SUBRESOURCE_VERBS[subresource];
}

export function apiVersionOf(definition: Pick<ApiResourceDefinition, 'group' | 'version'>): string {
  return definition.group === '' ? definition.version : `${definition.group}/${definition.version}`;
}

/** `pods` for the core group, `deployments.apps` otherwise: how Kubernetes names a resource in messages. */
export function qualifiedResource(definition: Pick<ApiResourceDefinition, 'group' | 'name'>): string {
  return definition.group === '' ? definition.name : `${definition.name}.${definition.group}`;
}

/** The served resource types, looked up by URL parts or by apiVersion and kind. */
export class ResourceCatalog {
  private readonly definitions: ApiResourceDefinition[];

  constructor(definitions: readonly ApiResourceDefinition[]) {
    this.definitions = [...definitions];
  }

  add(definition: ApiResourceDefinition): void {
    const existing = this.find(definition.group, definition.version, definition.name);
    if (existing) this.definitions.splice(this.definitions.indexOf(existing), 1);
    this.definitions.push(definition);
  }

  find(group: string, version: string, name: string): ApiResourceDefinition | undefined {
    return this.definitions.find((d) => d.group === group && d.version === version && d.name === name);
  }

  findByKind(apiVersion: string, kind: string): ApiResourceDefinition | undefined {
    return this.definitions.find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
  }

  inGroupVersion(group: string, version: string): ApiResourceDefinition[] {
    return this.definitions.filter((d) => d.group === group && d.version === version);
  }

  /** Named groups in registration order, each with its versions; the first version is preferred. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, string[]>();
    for (const d of this.definitions) {
      if (d.group === '') continue;
      const versions = groups.get(d.group) ?? [];
      if (!versions.includes(d.version)) versions.push(d.version);
      groups.set(d.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }
}
