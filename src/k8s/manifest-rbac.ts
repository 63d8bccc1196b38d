/**
 * Least privilege for the runner's ServiceAccount: `get` on its experiment
 * Secret; `get`/`update`/`patch` on its results Secret (which launch creates
 * empty, so no `create`: RBAC cannot limit `create` to a name); `get` on each
 * object a ready task watches, by name, in that object's namespace (a Role and
 * RoleBinding per extra namespace); `get` and `patch` on each object a
 * rollout task moves, by name. Nothing for API discovery: `/api` and
 * `/apis` are readable by every authenticated user through the default
 * `system:discovery` ClusterRoleBinding.
 */
import { groupLabels, type GroupNames } from './group-names.js';
import type { ReadyAccess } from './manifest-ready-access.js';
import type { Manifest } from './manifest-types.js';

const RBAC_API = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  verbs: string[];
}

/** Role + RoleBinding in the launch namespace, then a pair per other namespace a ready task reads in. */
export function buildRbacManifests(
  names: GroupNames,
  namespace: string,
  readyAccess: readonly ReadyAccess[],
): Manifest[] {
  const own: PolicyRule[] = [
    secretRule(names.experimentSecret, ['get']),
    secretRule(names.resultsSecret, ['get', 'patch', 'update']),
  ];
  const byNamespace = new Map<string, ReadyAccess[]>([[namespace, []]]);
  for (const access of readyAccess) {
    byNamespace.set(access.namespace, [...(byNamespace.get(access.namespace) ?? []), access]);
  }
  const others = [...byNamespace.keys()].filter((n) => n !== namespace).sort();
  return [namespace, ...others].flatMap((ns) => {
    const rules = [...(ns === namespace ? own : []), ...readRules(byNamespace.get(ns) ?? [])];
    const name = ns === namespace ? names.workload : extraRbacName(names, namespace);
    return [role(names, name, ns, rules), roleBinding(names, name, ns, namespace)];
  });
}

/**
 * The Role and RoleBinding in another namespace: named after the launch
 * namespace too, so the same group launched from two namespaces does not share
 * (and overwrite) them. `.` cannot occur in a group or namespace name, so the
 * name is unambiguous, and RBAC names may contain it.
 */
export function extraRbacName(names: GroupNames, launchNamespace: string): string {
  return `${names.workload}.${launchNamespace}`;
}

function secretRule(name: string, verbs: string[]): PolicyRule {
  return { apiGroups: [''], resources: ['secrets'], resourceNames: [name], verbs };
}

/** One rule per group, resource and verbs, listing every name of that type the runner may touch. */
function readRules(accesses: readonly ReadyAccess[]): PolicyRule[] {
  const names = new Map<string, { group: string; resource: string; verbs: string[]; names: Set<string> }>();
  for (const { group, resource, name, verbs = ['get'] } of accesses) {
    const key = `${group}/${resource}/${verbs.join(',')}`;
    const entry = names.get(key) ?? { group, resource, verbs: [...verbs], names: new Set<string>() };
    entry.names.add(name);
    names.set(key, entry);
  }
  return [...names.keys()].sort().map((key) => {
    const { group, resource, verbs, names: touched } = names.get(key)!;
    return { apiGroups: [group], resources: [resource], resourceNames: [...touched].sort(), verbs };
  });
}

function role(names: GroupNames, name: string, namespace: string, rules: PolicyRule[]): Manifest {
  return {
    apiVersion: `${RBAC_API}/v1`,
    kind: 'Role',
    metadata: { name, namespace, labels: groupLabels(names.group) },
    rules,
  };
}

/** Binds the Role in `namespace` to the runner's ServiceAccount, which lives in the launch namespace. */
function roleBinding(names: GroupNames, name: string, namespace: string, launchNamespace: string): Manifest {
  return {
    apiVersion: `${RBAC_API}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace, labels: groupLabels(names.group) },
    roleRef: { apiGroup: RBAC_API, kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: names.workload, namespace: launchNamespace }],
  };
}
