import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../../config/experiment-schema.js';
import { secretSourceSchema } from '../../metrics/backend/secret-source-schema.js';

const SecretSourceSchema = secretSourceSchema(
  'A header value from an environment variable, a file (relative to the experiment), or a literal',
);

const TemplateReferenceSchema = Type.Union([
  Type.String({
    minLength: 1,
    description:
      'builtin:NAME, a file path relative to the experiment, an https:// URL, or fixture:PATH (recorded answers, see --record-fixtures)',
    examples: [
      'builtin:kserve-prometheus',
      './templates/my-provider.tpl',
      'fixture:fixtures/kserve-prometheus.fixture.json',
    ],
  }),
  Type.Object(
    {
      url: Type.String({ pattern: '^https?://' }),
      sha256: Type.Optional(Type.String({ pattern: '^(sha256:)?[0-9a-fA-F]{64}$' })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ builtin: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object(
    { fixture: Type.String({ minLength: 1 }) },
    {
      additionalProperties: false,
      description: 'A fixture file written by `canary run --record-fixtures`, relative to the experiment',
    },
  ),
]);

export const CustomMetricsInputSchema = Type.Object(
  {
    templates: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), TemplateReferenceSchema, {
      minProperties: 1,
      additionalProperties: false,
      description: 'Provider name -> template; metrics are stored as <provider>/<metric>',
    }),
    values: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Values for every version' }),
    ),
    versionValues: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Unknown()), {
        description: 'One map per version, deep-merged over `values`; their number is the number of versions',
      }),
    ),
    timeout: Type.Optional(DurationSchema),
    retries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 10, description: 'Retries per query (default 2)' }),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 256,
        description:
          'Queries in flight (default 32). Higher hides more network latency; lower spares a busy Prometheus, which runs 20 queries at once and queues the rest',
      }),
    ),
    headersFrom: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), SecretSourceSchema, {
        additionalProperties: false,
      }),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          bearer: Type.Optional(SecretSourceSchema),
          basic: Type.Optional(
            Type.Object(
              { username: SecretSourceSchema, password: SecretSourceSchema },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    tls: Type.Optional(
      Type.Object(
        { ca: Type.Optional(Type.String({ minLength: 1 })), insecure: Type.Optional(Type.Boolean()) },
        {
          additionalProperties: false,
          description: 'ca: PEM file relative to the experiment; insecure: skip verification',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export type CustomMetricsInput = Static<typeof CustomMetricsInputSchema>;
