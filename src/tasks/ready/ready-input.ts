import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../../config/experiment-schema.js';

export const DEFAULT_READY_TIMEOUT = '60s';

export const ReadyInputSchema = Type.Object(
  {
    group: Type.Optional(
      Type.String({
        description:
          'API group of the resource; "" is the core group (Services, Pods). Omit to search every group, as kubectl does',
        examples: ['serving.kserve.io', 'apps', ''],
      }),
    ),
    version: Type.Optional(
      Type.String({
        pattern: '^v[0-9]+((alpha|beta)[0-9]+)?$',
        description: 'API version within the group; omit for the version the server prefers',
        examples: ['v1', 'v1beta1'],
      }),
    ),
    resource: Type.String({
      minLength: 1,
      pattern: '^[A-Za-z][A-Za-z0-9.-]*$',
      description:
        'Resource type: plural, singular, kind or short name (inferenceservices, InferenceService, isvc)',
      examples: ['inferenceservices', 'isvc', 'deployments'],
    }),
    name: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
      description: 'Name of the object to wait for',
    }),
    namespace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        description:
          "Namespace of the object (default: the experiment's namespace, else the kubeconfig context's)",
      }),
    ),
    condition: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'status.conditions type that must be "True" (matched case-insensitively); omit to wait only for the object to exist',
        examples: ['Ready', 'Available'],
      }),
    ),
    timeout: Type.Optional(
      Type.String({
        pattern: DurationSchema.pattern,
        description: `How long to wait, as a Go duration (default ${DEFAULT_READY_TIMEOUT})`,
        examples: ['60s', '5m'],
      }),
    ),
  },
  { additionalProperties: false },
);

export type ReadyInput = Static<typeof ReadyInputSchema>;
