import { Type, type Static } from '@sinclair/typebox';

/** `10%` (of the baseline) or a number in the metric's units. */
const Amount = Type.Union(
  [
    Type.Number({ minimum: 0 }),
    Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?%$', description: 'a percentage of the baseline, e.g. 10%' }),
  ],
  { description: 'A percentage of the baseline (e.g. 10%) or an amount in the metric units (e.g. 5)' },
);

const NoDataRule = Type.Union([Type.Literal('fail'), Type.Literal('inconclusive'), Type.Literal('pass')], {
  description: 'What a verdict without data counts as (default inconclusive: exit 5 unless something failed)',
});

const Mode = Type.Union([Type.Literal('gate'), Type.Literal('warn'), Type.Literal('observe')], {
  description:
    'gate: a violation fails the experiment (default); warn: reported, exit code unaffected; ' +
    'observe: recorded only, the report counts how often it would have failed',
});

const MinSamples = Type.Union(
  [
    Type.String({
      pattern: '^\\s*[A-Za-z0-9_.-]+/[A-Za-z0-9_.%-]+\\s*>=\\s*[0-9]+\\s*$',
      description: 'e.g. "kserve-prometheus/request-count >= 100"',
    }),
    Type.Object(
      {
        metric: Type.String({
          description: 'The metric that counts samples, e.g. kserve-prometheus/request-count',
        }),
        min: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Below this many samples the verdict is insufficient-data' },
);

/** Options every SLO kind takes; `defaults` sets them for all SLOs of the task. */
const policyFields = {
  onNoData: Type.Optional(NoDataRule),
  minSamples: Type.Optional(MinSamples),
  mode: Type.Optional(Mode),
  failAfter: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Fail only after this many consecutive violating loops' }),
  ),
};

const Limit = Type.Number({ description: "Limit in the metric's units" });
const AbsoluteSlo = Type.Union(
  [Limit, Type.Object({ limit: Limit, ...policyFields }, { additionalProperties: false })],
  {
    description: 'a number (the limit) or {limit, onNoData, minSamples, mode, failAfter}',
  },
);
/** canary's map form `{metric: limit}` or Iter8's list form `[{metric, limit}]`. */
const SloSet = Type.Union([
  Type.Record(Type.String(), AbsoluteSlo),
  Type.Array(
    Type.Object({ metric: Type.String(), limit: Limit, ...policyFields }, { additionalProperties: false }),
  ),
]);

const Baseline = Type.Union(
  [
    Type.String({ minLength: 1, description: 'a version name' }),
    Type.Integer({ minimum: 0, description: 'a version index' }),
    Type.Object(
      { pinned: Type.String({ minLength: 1, description: 'a loop pinned with `canary results pin`' }) },
      { additionalProperties: false },
    ),
  ],
  {
    description:
      'The version the others are compared with (default: the version named "baseline", else the first)',
  },
);

const RelativeSlo = Type.Object(
  {
    maxIncrease: Type.Optional(Amount),
    maxDecrease: Type.Optional(Amount),
    units: Type.Optional(Type.String({ description: 'Units of a numeric maxIncrease/maxDecrease, e.g. ms' })),
    floor: Type.Optional(
      Type.Number({ minimum: 0, description: 'Differences up to this amount (metric units) always pass' }),
    ),
    ...policyFields,
  },
  { additionalProperties: false },
);

const alpha = Type.Optional(
  Type.Number({
    exclusiveMinimum: 0,
    maximum: 0.5,
    description: 'False-alarm rate over all loops (default 0.05)',
  }),
);

const LatencyComparison = Type.Object(
  {
    latency: Type.String({
      description: 'A histogram metric, e.g. http/latency or kserve-prometheus/latency',
    }),
    maxIncrease: Amount,
    units: Type.Optional(Type.String()),
    alpha,
    baseline: Type.Optional(Baseline),
    ...policyFields,
  },
  { additionalProperties: false },
);

const RateComparison = Type.Object(
  {
    errors: Type.String({ description: 'The metric counting failures, e.g. kserve-prometheus/error-count' }),
    requests: Type.String({
      description: 'The metric counting trials, e.g. kserve-prometheus/request-count',
    }),
    maxIncrease: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Tolerated increase of the rate, e.g. 0.005',
    }),
    alpha,
    baseline: Type.Optional(Baseline),
    ...policyFields,
  },
  { additionalProperties: false },
);

export const AssessInputSchema = Type.Object(
  {
    SLOs: Type.Optional(
      Type.Object(
        { upper: Type.Optional(SloSet), lower: Type.Optional(SloSet) },
        { additionalProperties: false, description: 'upper: value <= limit; lower: value >= limit' },
      ),
    ),
    relative: Type.Optional(
      Type.Object(
        {
          baseline: Type.Optional(Baseline),
          SLOs: Type.Record(Type.String(), RelativeSlo, {
            description: 'metric -> {maxIncrease | maxDecrease, units?, floor?}',
          }),
        },
        { additionalProperties: false, description: 'SLOs relative to a baseline version' },
      ),
    ),
    compare: Type.Optional(
      Type.Array(Type.Union([LatencyComparison, RateComparison]), {
        description: 'Statistical comparisons of each version with the baseline',
      }),
    ),
    baseline: Type.Optional(Baseline),
    rewards: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(Type.Array(Type.String(), { description: 'Metrics where more is better' })),
          min: Type.Optional(Type.Array(Type.String(), { description: 'Metrics where less is better' })),
        },
        {
          additionalProperties: false,
          description:
            "Iter8's rewards: reports name the best version per metric (the first on a tie). Never gates",
        },
      ),
    ),
    defaults: Type.Optional(
      Type.Object(policyFields, { additionalProperties: false, description: 'Policy for every SLO' }),
    ),
  },
  { additionalProperties: false },
);

export type AssessInput = Static<typeof AssessInputSchema>;
export type BaselineRef = Static<typeof Baseline>;
export type Amount = Static<typeof Amount>;
export type PolicyInput = Static<ReturnType<typeof Type.Object<typeof policyFields>>>;
