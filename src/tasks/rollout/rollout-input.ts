import { Type, type Static } from '@sinclair/typebox';

const NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

export const RolloutTargetSchema = Type.Object(
  {
    resource: Type.Literal('inferenceservices', {
      description:
        'What carries the traffic split: a KServe InferenceService in Serverless mode (spec.predictor.canaryTrafficPercent)',
    }),
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: NAME_PATTERN,
      description: 'Name of the InferenceService',
    }),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        description: "Namespace (default: the experiment's namespace, else the kubeconfig context's)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const RolloutInputSchema = Type.Object(
  {
    target: RolloutTargetSchema,
    steps: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), {
        minItems: 1,
        description: "The candidate's traffic share (percent) at each step, rising; 100 promotes",
        examples: [[10, 50, 100]],
      }),
    ),
    passesPerStep: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Consecutive loops with every gating SLO passing before the next step (default 1)',
      }),
    ),
    onFailure: Type.Optional(
      Type.Union([Type.Literal('rollback'), Type.Literal('hold')], {
        description:
          'When a gating SLO fails: rollback sends no traffic to the candidate and ends the run; hold keeps the traffic where it is (default rollback)',
      }),
    ),
    maxStepsPerHour: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'At most this many traffic moves in any hour; a rollback is never held back',
      }),
    ),
  },
  { additionalProperties: false },
);

export type RolloutInput = Static<typeof RolloutInputSchema>;
export type RolloutTarget = Static<typeof RolloutTargetSchema>;

export const DEFAULT_STEPS: readonly number[] = [10, 50, 100];
export const DEFAULT_PASSES_PER_STEP = 1;
