/**
 * The result store of an experiment group in its Secret: read it, change it with optimistic
 * concurrency (read, change, replace with the resourceVersion read; again on 409 Conflict), and
 * poll it for `k assert`. Errors name what the caller lacks (a permission, the Secret, the server).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchV1Api, CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { CanaryError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { abortableOptions } from './abortable-requests.js';
import { classifyApiFailure } from './api-failure.js';
import { checkGroupName, groupLabels, groupNames, resultsKey, type GroupNames } from './group-names.js';
import { KubeConfigError, loadKubeClient, type KubeClient } from './kube-client.js';
import { decodeStore, fitStore, storeBudgetBytes } from '../results/cluster-store-codec.js';
import { toResultHistory, type ClusterStore } from '../results/cluster-store.js';
import {
  assertConditions,
  experimentState,
  type AssertionOutcome,
  type AssertionRequest,
} from '../results/assertions.js';
import { findDeadlineExceeded, formatDeadlineExceeded } from './job-deadline.js';

/** One experiment group in one namespace of one cluster. */
export interface GroupTarget {
  client: KubeClient;
  namespace: string;
  names: GroupNames;
}

export interface ConnectOptions {
  group: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The group and a client for its cluster, from the flags every `k` command shares. */
export function connectGroup(options: ConnectOptions): GroupTarget {
  const problem = checkGroupName(options.group);
  if (problem) throw new UsageError(problem);
  let client: KubeClient;
  try {
    client = loadKubeClient({
      env: options.env,
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context !== undefined ? { context: options.context } : {}),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    });
  } catch (error) {
    if (error instanceof KubeConfigError) {
      throw new UsageError(error.message, ['pass --kubeconfig FILE or --context NAME, or set KUBECONFIG']);
    }
    throw error;
  }
  return { client, namespace: client.namespace, names: groupNames(options.group) };
}

/** How the report names the store, in place of a result file path. */
export function storeLabel(target: GroupTarget): string {
  return `secret ${target.namespace}/${target.names.resultsSecret}`;
}

/** The results Secret does not exist (yet): `k assert --timeout` waits for it. */
export class MissingGroupResultsError extends CanaryError {}

export interface ApiAction {
  verb: string;
  /** Plural, with the subresource: `secrets`, `pods/log`. */
  resource: string;
  name?: string;
  /** What the call was for, in the message: "read the result store". */
  purpose: string;
}

/**
 * A failed API call as a CanaryError that says what to fix: the RBAC rule missing, the server
 * that did not answer, or the server's own message. Anything that is not an API failure is rethrown.
 */
export function explainApiError(error: unknown, target: GroupTarget, action: ApiAction): CanaryError {
  const failure = classifyApiFailure(error);
  if (!failure) throw error;
  const object = `${action.resource}${action.name ? ` "${action.name}"` : ''} in namespace "${target.namespace}"`;
  switch (failure.type) {
    case 'aborted':
      return new CanaryError(`could not ${action.purpose}: the request to ${target.client.server} timed out`);
    case 'transport':
      return new CanaryError(
        `could not ${action.purpose}: the API server ${target.client.server} did not answer (${failure.message})`,
        { hints: [`check the cluster is reachable with context "${target.client.contextName}"`] },
      );
    case 'status':
      if (failure.code === 403) {
        return new CanaryError(
          `could not ${action.purpose}: permission "${action.verb}" on ${object} is missing (forbidden)`,
          {
            hints: [
              `grant it with a Role rule: apiGroups [""], resources ["${action.resource}"], verbs ["${action.verb}"]${action.name ? `, resourceNames ["${action.name}"]` : ''}`,
              `the API server said: ${failure.message}`,
            ],
          },
        );
      }
      if (failure.code === 401) {
        return new CanaryError(`could not ${action.purpose}: the API server rejected the credentials`, {
          hints: [`from ${target.client.source}; log in to the cluster again`],
        });
      }
      return new CanaryError(
        `could not ${action.purpose}: ${failure.message} (HTTP ${failure.code}${failure.reason ? ` ${failure.reason}` : ''})`,
      );
  }
}

function statusCodeOf(error: unknown): number | undefined {
  const failure = classifyApiFailure(error);
  return failure?.type === 'status' ? failure.code : undefined;
}

async function readResultsSecret(
  target: GroupTarget,
  signal: AbortSignal,
  options: { markTransient?: boolean } = {},
): Promise<V1Secret | undefined> {
  const core = target.client.config.makeApiClient(CoreV1Api);
  const name = target.names.resultsSecret;
  try {
    return await core.readNamespacedSecret({ name, namespace: target.namespace }, abortableOptions(signal));
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    const explained = explainApiError(error, target, {
      verb: 'get',
      resource: 'secrets',
      name,
      purpose: 'read the result store',
    });
    throw options.markTransient && isTransient(error) ? new TransientApiFailure(explained) : explained;
  }
}

function storeOf(secret: V1Secret | undefined): ClusterStore {
  const data = secret?.data?.[resultsKey];
  return decodeStore(data === undefined ? undefined : Buffer.from(data, 'base64'));
}

/** The group's store; MissingGroupResultsError when its Secret does not exist. */
export async function readGroupStore(target: GroupTarget, signal: AbortSignal): Promise<ClusterStore> {
  const secret = await readResultsSecret(target, signal);
  if (!secret) {
    throw new MissingGroupResultsError(
      `no results for group "${target.names.group}" in namespace "${target.namespace}" (secret ${target.names.resultsSecret} not found)`,
      {
        exitCode: ExitCode.usage,
        hints: [
          `launch the experiment first: canary k launch -g ${target.names.group} -n ${target.namespace}`,
        ],
      },
    );
  }
  return storeOf(secret);
}

/** The group's store, or an empty one when its Secret does not exist yet. */
export async function readGroupStoreOrEmpty(target: GroupTarget, signal: AbortSignal): Promise<ClusterStore> {
  return storeOf(await readResultsSecret(target, signal));
}

/** A write lost to a concurrent writer; retried with a fresh read. */
class WriteConflict extends Error {
  constructor() {
    super('the result store was changed by another writer');
    this.name = 'WriteConflict';
  }
}

/** An answer that may be different next time: the API server (or etcd behind it) is briefly unwell. */
class TransientApiFailure extends Error {
  constructor(readonly original: unknown) {
    super('the API server failed for a moment');
    this.name = 'TransientApiFailure';
  }
}

/** 5xx, 429, and no answer at all: worth another read-change-write; 4xx other than 409 are not. */
function isTransient(error: unknown): boolean {
  const failure = classifyApiFailure(error);
  if (!failure) return false;
  if (failure.type === 'transport') return true;
  return failure.type === 'status' && (failure.code === 429 || failure.code >= 500);
}

export interface UpdateOptions {
  signal: AbortSignal;
  /** Attempts after the first on conflict (default 8: 50 ms doubling to 2 s, about 6 s in all). */
  retries?: number;
  budget?: number;
}

export interface UpdateOutcome {
  store: ClusterStore;
  /** Writes tried: 1 unless another writer got in between. */
  attempts: number;
  /** Full loops folded into the aggregates to keep the store within its budget. */
  folded: number;
}

/**
 * Read the store, apply `change`, and replace it with the resourceVersion read (create it when its
 * Secret does not exist). A 409 means another writer got there first: read and change again.
 * `change` must be pure: it may run several times.
 */
export async function updateGroupStore(
  target: GroupTarget,
  change: (store: ClusterStore) => ClusterStore,
  options: UpdateOptions,
): Promise<UpdateOutcome> {
  const core = target.client.config.makeApiClient(CoreV1Api);
  const name = target.names.resultsSecret;
  const namespace = target.namespace;
  let attempts = 0;
  const attempt = async (): Promise<UpdateOutcome> => {
    attempts += 1;
    const secret = await readResultsSecret(target, options.signal, { markTransient: true });
    const changed = { ...change(storeOf(secret)), updated: new Date().toISOString() };
    const { store, bytes, folded } = fitStore(changed, options.budget ?? storeBudgetBytes);
    const value = bytes.toString('base64');
    const requestOptions = abortableOptions(options.signal);
    try {
      if (secret) {
        // The resourceVersion read travels back in metadata: the server refuses the write if it moved on.
        const body: V1Secret = { ...secret, data: { ...secret.data, [resultsKey]: value } };
        await core.replaceNamespacedSecret({ name, namespace, body }, requestOptions);
      } else {
        const body: V1Secret = {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace, labels: groupLabels(target.names.group) },
          type: 'Opaque',
          data: { [resultsKey]: value },
        };
        await core.createNamespacedSecret({ namespace, body }, requestOptions);
      }
    } catch (error) {
      // Conflict on replace, AlreadyExists on create: both mean someone else wrote first.
      if (statusCodeOf(error) === 409) throw new WriteConflict();
      // The write may have been applied before the failure: `change` is run again on what is
      // read next, and must notice its record is already there (see ClusterStoreObserver).
      if (isTransient(error))
        throw new TransientApiFailure(explainApiError(error, target, writeAction(secret)));
      throw explainApiError(error, target, {
        verb: secret ? 'update' : 'create',
        resource: 'secrets',
        ...(secret ? { name } : {}),
        purpose: 'write the result store',
      });
    }
    return { store, attempts, folded };
  };
  try {
    return await pRetry(attempt, {
      retries: options.retries ?? 8,
      minTimeout: 50,
      maxTimeout: 2000,
      factor: 2,
      randomize: true,
      signal: options.signal,
      shouldRetry: ({ error }) => error instanceof WriteConflict || error instanceof TransientApiFailure,
    });
  } catch (error) {
    if (error instanceof WriteConflict) {
      throw new CanaryError(
        `could not write the result store: it kept changing under ${attempts} attempts (other writers)`,
        { hints: ['more than one pod is writing; the Job or CronJob should have concurrencyPolicy: Forbid'] },
      );
    }
    if (error instanceof TransientApiFailure) {
      const original = error.original;
      const message = original instanceof Error ? original.message : String(original);
      throw new CanaryError(`${message} (gave up after ${attempts} attempts)`, {
        hints: ['the API server kept failing; the loop ran but its record was not stored'],
        cause: original,
      });
    }
    throw error;
  }
}

function writeAction(secret: V1Secret | undefined): ApiAction {
  return {
    verb: secret ? 'update' : 'create',
    resource: 'secrets',
    ...(secret?.metadata?.name ? { name: secret.metadata.name } : {}),
    purpose: 'write the result store',
  };
}

/** Whether more loops may still come: a CronJob never ends; a Job ends when it completes or fails. */
export type WorkloadState = 'job-running' | 'job-finished' | 'cronjob' | 'none' | 'unknown';

export async function readWorkloadState(target: GroupTarget, signal: AbortSignal): Promise<WorkloadState> {
  const batch = target.client.config.makeApiClient(BatchV1Api);
  const ref = { name: target.names.workload, namespace: target.namespace };
  try {
    const job = await batch.readNamespacedJob(ref, abortableOptions(signal));
    const done = (job.status?.conditions ?? []).some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    return done ? 'job-finished' : 'job-running';
  } catch (error) {
    if (statusCodeOf(error) !== 404) return 'unknown';
  }
  try {
    await batch.readNamespacedCronJob(ref, abortableOptions(signal));
    return 'cronjob';
  } catch (error) {
    return statusCodeOf(error) === 404 ? 'none' : 'unknown';
  }
}

async function deadlineWarnings(target: GroupTarget, signal: AbortSignal): Promise<string[]> {
  return (await findDeadlineExceeded(target, signal)).map(formatDeadlineExceeded);
}

export interface GroupAssertionOutcome extends AssertionOutcome {
  warnings: string[];
  /** Why polling stopped: the conditions hold, nothing more will come, or time ran out. */
  stopped: 'holds' | 'finished' | 'timeout';
}

/**
 * `canary assert` on the group's store. With a timeout, poll until the conditions hold, the run
 * is over (a finished Job, no workload left, or spec.maxLoops reached), or time runs out; a
 * CronJob never finishes, so only the timeout stops the wait for it.
 */
export async function pollGroupAssertions(
  target: GroupTarget,
  request: AssertionRequest,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<GroupAssertionOutcome> {
  const deadline = Date.now() + timeoutMs;
  const signal = AbortSignal.timeout(Math.max(timeoutMs, 0) + 30_000);
  for (;;) {
    let store: ClusterStore | undefined;
    try {
      store = await readGroupStore(target, signal);
    } catch (error) {
      if (!(error instanceof MissingGroupResultsError) || Date.now() >= deadline) throw error;
    }
    if (store) {
      const history = toResultHistory(store, storeLabel(target));
      const outcome = assertConditions(experimentState(history), request);
      const result = async (stopped: GroupAssertionOutcome['stopped']) => ({
        ...outcome,
        warnings: await deadlineWarnings(target, signal),
        stopped,
      });
      if (outcome.exitCode === 0) return { ...outcome, warnings: [], stopped: 'holds' };
      if (Date.now() >= deadline) return result('timeout');
      if (store.end) return result('finished');
      const workload = await readWorkloadState(target, signal);
      if (workload === 'job-finished' || workload === 'none') {
        // The pod may have recorded its loop just before the Job finished: judge the final store.
        const final = await readGroupStore(target, signal);
        const last = assertConditions(experimentState(toResultHistory(final, storeLabel(target))), request);
        return { ...last, warnings: await deadlineWarnings(target, signal), stopped: 'finished' };
      }
    }
    await sleep(Math.max(0, Math.min(intervalMs, deadline - Date.now())));
  }
}
