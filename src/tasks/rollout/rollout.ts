/**
 * The `rollout` task: acts on the loop's verdicts. It runs after `assess`,
 * reads where a KServe canary stands, and moves its traffic one step when
 * every gating SLO has passed enough loops in a row, rolls it back when one
 * fails, and holds otherwise. Promotion and rollback end the experiment.
 */
import { defineTask } from '../task-definition.js';
import { checkRolloutInput } from './check-rollout-input.js';
import { canaryPatch } from './inference-service-traffic.js';
import {
  DEFAULT_PASSES_PER_STEP,
  DEFAULT_STEPS,
  RolloutInputSchema,
  type RolloutInput,
} from './rollout-input.js';

export { RolloutInputSchema, type RolloutInput } from './rollout-input.js';

export const rolloutTask = defineTask<RolloutInput>({
  name: 'rollout',
  description:
    "Ramp a KServe canary on the loop's verdicts: advance a traffic step after passing loops, promote at 100, roll back on a failed SLO",
  inputSchema: RolloutInputSchema,
  check(input) {
    return checkRolloutInput(input);
  },
  async preview(input) {
    const steps = input.steps ?? DEFAULT_STEPS;
    const mergePatch = 'application/merge-patch+json';
    // The resourceVersion read at run time is added to each patch (a changed object refuses it).
    return {
      target: {
        resource: 'inferenceservices.serving.kserve.io',
        name: input.target.name,
        namespace: input.target.namespace ?? "(the experiment's namespace, else the kubeconfig context's)",
      },
      passesPerStep: input.passesPerStep ?? DEFAULT_PASSES_PER_STEP,
      onFailure: input.onFailure ?? 'rollback',
      ...(input.maxStepsPerHour !== undefined ? { maxStepsPerHour: input.maxStepsPerHour } : {}),
      patches: {
        ...Object.fromEntries(
          steps
            .filter((step) => step < 100)
            .map((step) => [`step ${step}%`, { type: mergePatch, body: canaryPatch(step, undefined) }]),
        ),
        ...(steps.at(-1) === 100
          ? { promote: { type: mergePatch, body: canaryPatch(null, undefined) } }
          : {}),
        rollback: { type: mergePatch, body: canaryPatch(0, undefined) },
      },
    };
  },
  async run(input, context) {
    // The Kubernetes client is loaded when a loop acts, not by `canary validate`.
    const { runRollout } = await import('./run-rollout.js');
    return runRollout(input, context);
  },
});
