/**
 * Jobs of a group that Kubernetes stopped at their activeDeadlineSeconds (condition Failed,
 * reason DeadlineExceeded): their pod was killed, so its loop may be missing or interrupted.
 * `k assert` and `k log` say so in words instead of leaving the user to guess from a gap.
 */
import { BatchV1Api, type V1Job } from '@kubernetes/client-node';
import { abortableOptions } from './abortable-requests.js';
import { groupSelector } from './group-names.js';
import type { GroupTarget } from './group-results.js';

export interface DeadlineExceeded {
  job: string;
  deadlineSeconds?: number;
  /** The Job controller's message. */
  message?: string;
}

/** The group's Jobs past their deadline; none when they cannot be listed (that is no reason to fail). */
export async function findDeadlineExceeded(
  target: GroupTarget,
  signal: AbortSignal,
): Promise<DeadlineExceeded[]> {
  const batch = target.client.config.makeApiClient(BatchV1Api);
  let jobs: V1Job[];
  try {
    const list = await batch.listNamespacedJob(
      { namespace: target.namespace, labelSelector: groupSelector(target.names.group) },
      abortableOptions(signal),
    );
    jobs = list.items;
  } catch {
    return [];
  }
  return jobs.flatMap((job) => {
    const condition = (job.status?.conditions ?? []).find(
      (c) => c.type === 'Failed' && c.status === 'True' && c.reason === 'DeadlineExceeded',
    );
    if (!condition) return [];
    const deadline = job.spec?.activeDeadlineSeconds;
    return [
      {
        job: job.metadata?.name ?? '',
        ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
        ...(condition.message ? { message: condition.message } : {}),
      },
    ];
  });
}

export function formatDeadlineExceeded(hit: DeadlineExceeded): string {
  const limit = hit.deadlineSeconds !== undefined ? ` of ${hit.deadlineSeconds}s` : '';
  return (
    `job ${hit.job} hit its deadline${limit} (DeadlineExceeded${hit.message ? `: ${hit.message}` : ''}); ` +
    'its pod was stopped, so its loop is missing or interrupted. Find the slow task with `canary k log`; ' +
    "raise the limit with `canary k launch --set activeDeadlineSeconds=N`, or lower the tasks' timeouts"
  );
}
