/**
 * `canary k delete`: removes every object of a group — the CronJob, Jobs
 * (with their pods: propagation Background), leftover pods, RBAC (also in the
 * other namespaces its ready tasks read in, found through the experiment
 * Secret), the ServiceAccount and the Secrets — by the group's labels.
 * Archived results Secrets are kept unless `--all`: they exist so that old
 * results are not lost by accident.
 */
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';
import { checkGroupName, groupNames, groupSelector } from './group-names.js';
import { loadKubeClient, type KubeClient } from './kube-client.js';
import { isArchive } from './manifest-archive.js';
import { extraRbacName } from './manifest-rbac.js';
import { extraNamespacesOf } from './manifest-ready-access.js';
import { kubeConfigProblem } from './manifest-request-error.js';
import { GroupObjects } from './manifest-requests.js';
import { describeRef, type GroupKind, type ObjectRef } from './manifest-types.js';
import { experimentInSecret } from './manifests.js';

const DELETE_TIMEOUT_MS = 120_000;

export interface RemovedObject {
  ref: ObjectRef;
  detail?: string;
}

export interface DeleteReport {
  group: string;
  namespace: string;
  server: string;
  contextName: string;
  removed: RemovedObject[];
  /** Archived results Secrets left in place (without `all`). */
  kept: ObjectRef[];
}

export interface DeleteOptions {
  client: KubeClient;
  group: string;
  namespace: string;
  /** Archived results Secrets too. */
  all: boolean;
  signal: AbortSignal;
}

/** The runner first (so no new pod starts), then what it used. */
const ORDER: ReadonlyArray<{ kind: GroupKind; detail?: string }> = [
  { kind: 'CronJob', detail: 'with its Jobs and their pods' },
  { kind: 'Job', detail: 'with its pods' },
  { kind: 'Pod' },
  { kind: 'RoleBinding' },
  { kind: 'Role' },
  { kind: 'ServiceAccount' },
  { kind: 'Secret' },
];

export async function deleteGroup(options: DeleteOptions): Promise<DeleteReport> {
  const { client, group, namespace, all } = options;
  const names = groupNames(group);
  const objects = new GroupObjects(client, options.signal);
  const selector = groupSelector(group);
  const report: DeleteReport = {
    group,
    namespace,
    server: client.server,
    contextName: client.contextName,
    removed: [],
    kept: [],
  };
  const experiment = experimentInSecret(
    (await objects.read({ kind: 'Secret', name: names.experimentSecret, namespace })) as V1Secret | undefined,
  );

  for (const { kind, detail } of ORDER) {
    for (const object of await objects.list(kind, namespace, selector)) {
      const ref: ObjectRef = { kind, name: object.metadata?.name ?? '', namespace };
      if (!belongsHere(kind, object, names.workload)) continue;
      if (kind === 'Secret' && isArchive(object.metadata?.labels) && !all) {
        report.kept.push(ref);
        continue;
      }
      if (await objects.remove(ref, 'Background'))
        report.removed.push({ ref, ...(detail ? { detail } : {}) });
    }
  }
  // RBAC in the namespaces the ready tasks read in, named for this launch namespace.
  for (const other of experiment ? extraNamespacesOf(experiment, namespace) : []) {
    for (const kind of ['RoleBinding', 'Role'] as const) {
      const ref: ObjectRef = { kind, name: extraRbacName(names, namespace), namespace: other };
      if (await objects.remove(ref)) report.removed.push({ ref });
    }
  }
  return report;
}

/**
 * The group's labels also mark RBAC that the same group launched from another
 * namespace keeps here (named `canary-<group>.<namespace>`): that is not ours.
 * A pod already terminating is going with its Job.
 */
function belongsHere(kind: GroupKind, object: KubernetesObject, workload: string): boolean {
  if (kind === 'Role' || kind === 'RoleBinding' || kind === 'ServiceAccount') {
    return object.metadata?.name === workload;
  }
  if (kind === 'Pod') return !object.metadata?.deletionTimestamp;
  return true;
}

// ---- the command ------------------------------------------------------------------------------

export interface DeleteFlags {
  group: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  all: boolean;
  output?: 'text' | 'json';
}

export interface DeleteRequest {
  flags: DeleteFlags;
  env: Readonly<Record<string, string | undefined>>;
  output: { log(text: string): void };
  signal?: AbortSignal;
}

export async function deleteFromCli(request: DeleteRequest): Promise<void> {
  const { flags, env } = request;
  const problem = checkGroupName(flags.group);
  if (problem !== undefined) throw new UsageError(`invalid group: ${problem}`);
  let client: KubeClient;
  try {
    client = loadKubeClient({
      env,
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    });
  } catch (error) {
    throw kubeConfigProblem(error);
  }
  const signal = AbortSignal.any([
    AbortSignal.timeout(DELETE_TIMEOUT_MS),
    ...(request.signal ? [request.signal] : []),
  ]);
  const report = await deleteGroup({
    client,
    group: flags.group,
    namespace: client.namespace,
    all: flags.all,
    signal,
  });
  request.output.log(flags.output === 'json' ? JSON.stringify(report, null, 2) : formatDeleteReport(report));
}

export function formatDeleteReport(report: DeleteReport): string {
  const lines: string[] = [];
  const where = `namespace "${report.namespace}" (context "${report.contextName}", ${report.server})`;
  if (report.removed.length === 0) {
    lines.push(`nothing to delete: group "${report.group}" has no objects in ${where}`);
  } else {
    lines.push(`deleted group "${report.group}" from ${where}:`);
    for (const { ref, detail } of report.removed) {
      const elsewhere = ref.namespace !== report.namespace ? ` (namespace ${ref.namespace})` : '';
      lines.push(`  ${describeRef(ref)}${elsewhere}${detail ? ` ${detail}` : ''}`);
    }
  }
  if (report.kept.length > 0) {
    const count =
      report.kept.length === 1
        ? '1 archived results Secret'
        : `${report.kept.length} archived results Secrets`;
    lines.push(
      `kept ${count}: ${report.kept.map((r) => r.name).join(', ')} (canary k delete -g ${report.group} --all deletes them too)`,
    );
  }
  return lines.join('\n');
}
