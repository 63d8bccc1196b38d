/**
 * The `ready` task: wait until a Kubernetes object exists and, when a
 * condition is named, until `status.conditions[type == condition]` is "True"
 * — e.g. an InferenceService is Ready or a Deployment Available — before the
 * experiment goes on. See describe-observation.ts for which outcomes are
 * failures (the resource is not ready) and which are errors (canary could not
 * look).
 */
import { defineTask } from '../task-definition.js';
import { checkReadyInput } from './check-ready-input.js';
import { DEFAULT_READY_TIMEOUT, ReadyInputSchema } from './ready-input.js';

export { readyShortcuts, type ReadyShortcut, type ReadyShortcutKey } from './ready-shortcuts.js';
export { ReadyInputSchema, type ReadyInput } from './ready-input.js';

export const readyTask = defineTask({
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
    // The Kubernetes client is loaded when a loop waits for an object, not by `canary validate`.
    const { runReady } = await import('./run-ready.js');
    return runReady(input, context);
  },
});
