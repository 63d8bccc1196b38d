/**
 * What the in-cluster runner reads on behalf of `ready` tasks, and reads and
 * patches on behalf of `rollout` tasks: one named object per task, in its
 * namespace. The Role grants `get` (and `patch` for a rollout) on exactly
 * these, so the resource must be the plural RBAC names. A launch against a cluster
 * resolves each through API discovery, as the task itself will; `--dry-run`
 * talks to no cluster and knows only well-known types.
 */
import type { Experiment } from '../config/experiment.js';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { KubeClient } from './kube-client.js';
import { resolveResource, type ResourceQuery } from './resolve-resource.js';
import type { RolloutTarget } from '../tasks/rollout/rollout-input.js';

/** One object a ready task watches, as RBAC names it. */
export interface ReadyAccess {
  namespace: string;
  /** API group; '' is the core group. */
  group: string;
  /** Plural resource name. */
  resource: string;
  name: string;
  /** RBAC verbs on the object; default `get` (a rollout also patches). */
  verbs?: readonly string[];
}

/** A ready task's target before its resource type is resolved. */
export interface ReadyTarget {
  taskId: string;
  query: ResourceQuery;
  name: string;
  namespace: string;
  verbs?: readonly string[];
}

/** The rollout task's target: the object whose traffic it moves (read each loop, merge-patched). */
const ROLLOUT_QUERY: ResourceQuery = {
  resource: 'inferenceservices',
  group: 'serving.kserve.io',
  version: 'v1beta1',
};
/** An LLMInferenceService rollout patches the candidate's weight and annotates the baseline: both. */
const LLM_ROLLOUT_QUERY: ResourceQuery = {
  resource: 'llminferenceservices',
  group: 'serving.kserve.io',
  version: 'v1alpha2',
};

/**
 * Each ready task's target. The namespace defaults as the task defaults it in
 * the pod: the task's, else the experiment's, else the pod's (the launch namespace).
 */
export function readyTargetsOf(experiment: Experiment, namespace: string): ReadyTarget[] {
  const rollouts = experiment.spec.tasks
    .filter((task) => task.task === 'rollout')
    .flatMap((task) => {
      const target = (task.with as { target: RolloutTarget }).target;
      const where = target.namespace ?? experiment.metadata.namespace ?? namespace;
      const names =
        target.resource === 'inferenceservices' ? [target.name] : [target.candidate, target.baseline];
      const query = target.resource === 'inferenceservices' ? ROLLOUT_QUERY : LLM_ROLLOUT_QUERY;
      return names.map((name) => ({
        taskId: task.id,
        query,
        name,
        namespace: where,
        verbs: ['get', 'patch'],
      }));
    });
  return [...readyTargetsOfReadyTasks(experiment, namespace), ...rollouts];
}

function readyTargetsOfReadyTasks(experiment: Experiment, namespace: string): ReadyTarget[] {
  return experiment.spec.tasks
    .filter((task) => task.task === 'ready')
    .map((task) => {
      const input = task.with as {
        group?: string;
        version?: string;
        resource: string;
        name: string;
        namespace?: string;
      };
      return {
        taskId: task.id,
        query: {
          resource: input.resource,
          ...(input.group !== undefined ? { group: input.group } : {}),
          ...(input.version !== undefined ? { version: input.version } : {}),
        },
        name: input.name,
        namespace: input.namespace ?? experiment.metadata.namespace ?? namespace,
      };
    });
}

/** Namespaces other than `namespace` that ready tasks read in (each gets its own Role and RoleBinding). */
export function extraNamespacesOf(experiment: Experiment, namespace: string): string[] {
  const namespaces = readyTargetsOf(experiment, namespace).map((t) => t.namespace);
  return [...new Set(namespaces)].filter((n) => n !== namespace).sort();
}

/** Through API discovery, exactly as the ready task will resolve it in the pod. */
export async function resolveReadyAccess(
  client: KubeClient,
  targets: readonly ReadyTarget[],
  signal: AbortSignal,
): Promise<ReadyAccess[]> {
  return Promise.all(
    targets.map(async (target) => {
      const resolved = await resolveResource(client, target.query, signal);
      return {
        namespace: target.namespace,
        group: resolved.group,
        resource: resolved.name,
        name: target.name,
        ...(target.verbs ? { verbs: target.verbs } : {}),
      };
    }),
  );
}

interface KnownResource {
  group: string;
  name: string;
  kind: string;
  shortNames?: readonly string[];
}

/** Types `--dry-run` can name without discovery: built-ins and the ready shortcuts' CRDs. */
const WELL_KNOWN: readonly KnownResource[] = [
  { group: '', name: 'services', kind: 'Service', shortNames: ['svc'] },
  { group: '', name: 'pods', kind: 'Pod', shortNames: ['po'] },
  { group: '', name: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
  { group: '', name: 'secrets', kind: 'Secret' },
  { group: '', name: 'endpoints', kind: 'Endpoints', shortNames: ['ep'] },
  { group: '', name: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] },
  { group: '', name: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'] },
  { group: 'apps', name: 'deployments', kind: 'Deployment', shortNames: ['deploy'] },
  { group: 'apps', name: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'] },
  { group: 'apps', name: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'] },
  { group: 'apps', name: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'] },
  { group: 'batch', name: 'jobs', kind: 'Job' },
  { group: 'batch', name: 'cronjobs', kind: 'CronJob', shortNames: ['cj'] },
  { group: 'networking.k8s.io', name: 'ingresses', kind: 'Ingress', shortNames: ['ing'] },
  { group: 'serving.kserve.io', name: 'inferenceservices', kind: 'InferenceService', shortNames: ['isvc'] },
  {
    group: 'serving.kserve.io',
    name: 'llminferenceservices',
    kind: 'LLMInferenceService',
    shortNames: ['llmisvc'],
  },
  { group: 'serving.knative.dev', name: 'services', kind: 'Service', shortNames: ['ksvc', 'kservice'] },
  { group: 'serving.knative.dev', name: 'revisions', kind: 'Revision', shortNames: ['rev'] },
  { group: 'serving.knative.dev', name: 'routes', kind: 'Route', shortNames: ['rt'] },
  { group: 'litmuschaos.io', name: 'chaosengines', kind: 'ChaosEngine' },
];

/**
 * Without a cluster: well-known types by plural, singular, kind or short name
 * (core group first, as kubectl orders them); in any other group, a lower-case
 * resource is taken to be the plural already.
 */
export function resolveReadyAccessStatically(targets: readonly ReadyTarget[]): ReadyAccess[] {
  return targets.map((target) => {
    const { resource, group } = target.query;
    const known = matchKnown(resource, group);
    const verbs = target.verbs ? { verbs: target.verbs } : {};
    if (known)
      return {
        namespace: target.namespace,
        group: known.group,
        resource: known.name,
        name: target.name,
        ...verbs,
      };
    if (group !== undefined && /^[a-z][a-z0-9-]*$/.test(resource)) {
      return { namespace: target.namespace, group, resource, name: target.name, ...verbs };
    }
    throw new CanaryError(
      `task ${target.taskId}: --dry-run cannot tell which API resource "${resource}" is without asking a cluster, so it cannot write the Role that lets the runner read it`,
      {
        exitCode: ExitCode.usage,
        hints: [
          'give the ready task `group` and the plural `resource` (e.g. group: example.com, resource: widgets)',
          'or launch without --dry-run: the resource is then resolved through API discovery',
        ],
      },
    );
  });
}

function matchKnown(resource: string, group: string | undefined): KnownResource | undefined {
  // `isvc.serving.kserve.io`, as kubectl accepts it.
  const dot = resource.indexOf('.');
  if (group === undefined && dot > 0) return matchKnown(resource.slice(0, dot), resource.slice(dot + 1));
  const wanted = resource.toLowerCase();
  const candidates = WELL_KNOWN.filter((r) => group === undefined || r.group === group);
  return (
    candidates.find((r) => r.name === wanted || r.kind.toLowerCase() === wanted) ??
    candidates.find((r) => r.shortNames?.includes(wanted))
  );
}
