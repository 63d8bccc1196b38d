/**
 * The `ready` task: wait until a Kubernetes object exists and, when a
 * condition is named, until `status.conditions[type == condition]` is "True"
 * — e.g. an InferenceService is Ready or a Deployment Available — before the
 * experiment goes on. See describe-observation.ts for which outcomes are
 * failures (the resource is not ready) and which are errors (canary could not
 * look).
 */
import { TaskError } from '../../errors.js';
import { KubeConfigError, loadKubeClient, type KubeClient } from '../../k8s/kube-client.js';
import { formatDuration, parseDuration } from '../../util/duration.js';
import { defineTask } from '../task-definition.js';
import { checkReadyInput } from './check-ready-input.js';
import { describeObservation } from './describe-observation.js';
import { DEFAULT_READY_TIMEOUT, ReadyInputSchema, type ReadyInput } from './ready-input.js';
import { waitUntilReady } from './wait-until-ready.js';

export { readyShortcuts, type ReadyShortcut, type ReadyShortcutKey } from './ready-shortcuts.js';
export { ReadyInputSchema, type ReadyInput } from './ready-input.js';

export const readyTask = defineTask<ReadyInput>({
  name: 'ready',
  description:
    'Wait until a Kubernetes object exists and, if a condition is given, until that status condition is True',
  inputSchema: ReadyInputSchema,
  check(input) {
    return checkReadyInput(input);
  },
  async preview(input) {
    return {
      resource: [input.resource, input.version, input.group]
        .filter((p) => p !== undefined && p !== '')
        .join('.'),
      name: input.name,
      namespace: input.namespace ?? "(the experiment's namespace, else the kubeconfig context's)",
      condition: input.condition ?? '(none: the object only has to exist)',
      timeout: input.timeout ?? DEFAULT_READY_TIMEOUT,
    };
  },
  async run(input, context) {
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
  },
});

/** The kubeconfig from the task's environment (KUBECONFIG, ~/.kube/config, in-cluster), never process.env. */
function connect(env: Readonly<Record<string, string | undefined>>): KubeClient {
  try {
    return loadKubeClient({ env });
  } catch (error) {
    if (error instanceof KubeConfigError) throw new TaskError(error.message, 'error', { cause: error });
    throw error;
  }
}
