import { Type, type Static } from '@sinclair/typebox';

/** What a rendered provider template must be: where to ask, and how to read each metric's answer. */
export const ProviderMetricSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9_.%-]+$',
      description: 'Metric name; stored as <template-name>/<name>',
    }),
    type: Type.Optional(
      Type.Union([Type.Literal('counter'), Type.Literal('gauge'), Type.Literal('histogram')], {
        description: 'histogram: jq gives cumulative buckets [{le, count}]; the value is their total count',
      }),
    ),
    description: Type.Optional(Type.String()),
    units: Type.Optional(Type.String()),
    params: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String({ minLength: 1 }), value: Type.String() },
          { additionalProperties: false },
        ),
        {
          description: 'Query parameters, e.g. Prometheus `query`',
        },
      ),
    ),
    body: Type.Optional(Type.String()),
    jqExpression: Type.String({ minLength: 1, description: 'jq expression whose first output is the value' }),
  },
  { additionalProperties: false },
);

export const ProviderSpecSchema = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'HTTP endpoint of the metrics API' }),
    provider: Type.Optional(Type.String()),
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')])),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    metrics: Type.Array(ProviderMetricSchema),
  },
  { additionalProperties: false },
);

export type ProviderSpec = Static<typeof ProviderSpecSchema>;
export type ProviderMetric = Static<typeof ProviderMetricSchema>;

/** A metric whose query goes to Prometheus's query API (checked with the PromQL parser). */
export function promqlQueryOf(spec: ProviderSpec, metric: ProviderMetric): string | undefined {
  if (!/\/api\/v1\/query(_range)?\/?$/.test(new URL(spec.url).pathname)) return undefined;
  return metric.params?.find((p) => p.name === 'query')?.value;
}
