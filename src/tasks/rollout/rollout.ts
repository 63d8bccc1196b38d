/**
 * The `rollout` task: acts on the loop's verdicts. It runs after `assess`,
 * reads where a KServe canary stands (an InferenceService's
 * canaryTrafficPercent, or an LLMInferenceService's weight in its route
 * group), and moves its traffic one step when
 * every gating SLO has passed enough loops in a row, rolls it back when one
 * fails, and holds otherwise. Promotion and rollback end the experiment.
 */
import { defineTask } from '../task-definition.js';
import { checkRolloutInput } from './check-rollout-input.js';
import { canaryPatch } from './inference-service-traffic.js';
import { stopPatch } from './llm-inference-service-traffic.js';
import { DEFAULT_PASSES_PER_STEP, DEFAULT_STEPS, RolloutInputSchema } from './rollout-input.js';

export { RolloutInputSchema, type RolloutInput } from './rollout-input.js';

export const rolloutTask = defineTask({
  name: 'rollout',
  description:
    "Ramp a KServe canary on the loop's verdicts: advance a traffic step after passing loops, promote at 100, roll back on a failed SLO",
  inputSchema: RolloutInputSchema,
  check(input) {
    return checkRolloutInput(input);
  },
  async preview(input) {
    const steps = input.steps ?? DEFAULT_STEPS;
    const namespace = input.target.namespace ?? "(the experiment's namespace, else the kubeconfig context's)";
    // The resourceVersion read at run time is added to each patch (a changed object refuses it).
    return {
      target:
        input.target.resource === 'inferenceservices'
          ? { resource: 'inferenceservices.serving.kserve.io', name: input.target.name, namespace }
          : {
              resource: 'llminferenceservices.serving.kserve.io',
              candidate: input.target.candidate,
              baseline: input.target.baseline,
              namespace,
            },
      passesPerStep: input.passesPerStep ?? DEFAULT_PASSES_PER_STEP,
      onFailure: input.onFailure ?? 'rollback',
      ...(input.maxStepsPerHour !== undefined ? { maxStepsPerHour: input.maxStepsPerHour } : {}),
      patches:
        input.target.resource === 'llminferenceservices'
          ? llmGroupPatches(steps, input.target.candidate, input.target.baseline)
          : input.target.canary !== undefined
            ? standardCanaryPatches(steps, input.target.canary)
            : inferenceServicePatches(steps),
    };
  },
  async run(input, context) {
    // The Kubernetes client is loaded when a loop acts, not by `canary validate`.
    const { runRollout } = await import('./run-rollout.js');
    return runRollout(input, context);
  },
});

const MERGE_PATCH = 'application/merge-patch+json';

function inferenceServicePatches(steps: readonly number[]) {
  return {
    ...Object.fromEntries(
      steps
        .filter((step) => step < 100)
        .map((step) => [`step ${step}%`, { type: MERGE_PATCH, body: canaryPatch(step, undefined) }]),
    ),
    ...(steps.at(-1) === 100 ? { promote: { type: MERGE_PATCH, body: canaryPatch(null, undefined) } } : {}),
    rollback: { type: MERGE_PATCH, body: canaryPatch(0, undefined) },
  };
}

/** Weights depend on the baseline's, read at run time: the preview says how they are computed. */
function llmGroupPatches(steps: readonly number[], candidate: string, baseline: string) {
  return {
    ...Object.fromEntries(
      steps
        .filter((step) => step < 100)
        .map((step) => [
          `step ${step}%`,
          {
            type: MERGE_PATCH,
            object: candidate,
            body: {
              spec: { router: { route: { weight: `round(baseline weight * ${step} / ${100 - step})` } } },
            },
          },
        ]),
    ),
    ...(steps.at(-1) === 100
      ? { promote: { type: MERGE_PATCH, object: baseline, body: stopPatch(undefined) } }
      : {}),
    rollback: {
      type: MERGE_PATCH,
      object: candidate,
      body: { spec: { router: { route: { weight: "(the candidate's weight when the rollout began)" } } } },
    },
  };
}

/** Standard mode sends the whole (atomic) spec.canary list, read at run time: the preview describes it. */
function standardCanaryPatches(steps: readonly number[], canary: string) {
  const list = (percent: number) => ({
    spec: { canary: `(spec.canary as read, with "${canary}" at trafficPercent: ${percent})` },
  });
  return {
    ...Object.fromEntries(
      steps
        .filter((step) => step < 100)
        .map((step) => [`step ${step}%`, { type: MERGE_PATCH, body: list(step) }]),
    ),
    ...(steps.at(-1) === 100
      ? {
          promote: {
            type: MERGE_PATCH,
            body: {
              spec: {
                predictor: `(canary "${canary}"'s predictor, name included)`,
                canary: `(spec.canary without "${canary}"; null when it was the only one)`,
              },
            },
          },
        }
      : {}),
    rollback: { type: MERGE_PATCH, body: list(0) },
  };
}
