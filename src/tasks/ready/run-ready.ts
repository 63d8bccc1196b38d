import { TaskError } from '../../errors.js';
import { KubeConfigError, loadKubeClient, type KubeClient } from '../../k8s/kube-client.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import type { TaskContext, TaskRunResult } from '../task-definition.js';
import { describeObservation } from './describe-observation.js';
import { DEFAULT_READY_TIMEOUT, type ReadyInput } from './ready-input.js';
import { waitUntilReady } from './wait-until-ready.js';

/** What the ready task does when a loop runs: poll the object until it is ready or the timeout passes. */
export async function runReady(input: ReadyInput, context: TaskContext): Promise<TaskRunResult> {
  const timeoutMs = parseDuration(input.timeout ?? DEFAULT_READY_TIMEOUT);
  const client = connect(context.env);
  const namespace = input.namespace ?? context.experiment.namespace ?? client.namespace;
  const result = await waitUntilReady({
    client,
    query: {
      resource: input.resource,
      ...(input.group !== undefined ? { group: input.group } : {}),
      ...(input.version !== undefined ? { version: input.version } : {}),
    },
    name: input.name,
    namespace,
    ...(input.condition !== undefined ? { condition: input.condition } : {}),
    timeoutMs,
    signal: context.signal,
    onChange: (description, observation) => {
      if (observation.state !== 'ready') context.log(`waiting: ${description}`);
    },
  });
  const checks = result.attempts === 1 ? '1 check' : `${result.attempts} checks`;
  const summary = `${describeObservation(result.observation, result.target, client.server)} (after ${formatDuration(Math.round(result.elapsedMs))}, ${checks})`;
  context.log(summary);
  return { output: summary };
}

/** The kubeconfig from the task's environment (KUBECONFIG, ~/.kube/config, in-cluster), never process.env. */
export function connect(env: Readonly<Record<string, string | undefined>>): KubeClient {
  try {
    return loadKubeClient({ env });
  } catch (error) {
    if (error instanceof KubeConfigError) throw new TaskError(error.message, 'error', { cause: error });
    throw error;
  }
}
