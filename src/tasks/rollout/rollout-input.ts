import { Type, type Static } from '@sinclair/typebox';

const NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

const NamespaceSchema = Type.String({
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  description: "Namespace (default: the experiment's namespace, else the kubeconfig context's)",
});

const ObjectName = (description: string) =>
  Type.String({ minLength: 1, maxLength: 253, pattern: NAME_PATTERN, description });

export const InferenceServiceTargetSchema = Type.Object(
  {
    resource: Type.Literal('inferenceservices', {
      description:
        'A KServe InferenceService in Serverless mode: steps set spec.predictor.canaryTrafficPercent',
    }),
    name: ObjectName('Name of the InferenceService'),
    canary: Type.Optional(
      ObjectName(
        'Standard mode: the spec.canary[] entry (by predictor.name) whose trafficPercent the steps set; omit for Serverless mode (canaryTrafficPercent)',
      ),
    ),
    namespace: Type.Optional(NamespaceSchema),
  },
  { additionalProperties: false },
);

export const LlmGroupTargetSchema = Type.Object(
  {
    resource: Type.Literal('llminferenceservices', {
      description:
        "Two KServe LLMInferenceServices in one route group: steps set the candidate's share through its spec.router.route.weight",
    }),
    candidate: ObjectName('The LLMInferenceService rolled out'),
    baseline: ObjectName('The LLMInferenceService it replaces; promotion stops it (serving.kserve.io/stop)'),
    namespace: Type.Optional(NamespaceSchema),
  },
  { additionalProperties: false },
);

export const RolloutTargetSchema = Type.Union([InferenceServiceTargetSchema, LlmGroupTargetSchema]);

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
export type LlmGroupTarget = Static<typeof LlmGroupTargetSchema>;

export const DEFAULT_STEPS: readonly number[] = [10, 50, 100];
export const DEFAULT_PASSES_PER_STEP = 1;
