import { Type, type Static } from '@sinclair/typebox';

/** The JSON report: a documented, stable contract (`schemas/report.schema.json`). */
const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

export const RewardEntrySchema = Type.Object(
  {
    metric: Type.String({ description: 'Fully qualified metric name, <provider>/<metric>' }),
    direction: Type.Union([Type.Literal('max'), Type.Literal('min')], {
      description: 'max: more is better; min: less is better',
    }),
    best: Type.Union([Type.String(), Type.Null()], {
      description: 'Name of the best version (the first on a tie); null when no version has a value',
    }),
    value: Type.Union([Type.Number(), Type.Null()], { description: "The best version's value" }),
  },
  { additionalProperties: false },
);

export const SloEntrySchema = Type.Object(
  {
    metric: Type.String({ description: 'Fully qualified metric name, <provider>/<metric>' }),
    op: Type.Union([Type.Literal('<='), Type.Literal('>=')]),
    limit: Type.Union([Type.Number(), Type.Null()]),
    value: Nullable(Type.Number()),
    status: Type.Union(
      ['pass', 'fail', 'nodata', 'insufficient-data', 'inconclusive'].map((s) => Type.Literal(s)),
    ),
    reason: Type.Optional(Type.String({ description: 'Why there is no data, too little, or no decision' })),
    kind: Type.Optional(
      Type.Union([Type.Literal('absolute'), Type.Literal('relative'), Type.Literal('compare')]),
    ),
    gate: Type.Optional(
      Type.Union(
        ['pass', 'fail', 'inconclusive', 'warn', 'observe'].map((s) => Type.Literal(s)),
        {
          description: 'How the verdict counts for the exit code, after onNoData, failAfter and mode',
        },
      ),
    ),
    rule: Type.Optional(
      Type.String({ description: 'The SLO in words, e.g. "x/latency-mean <= baseline + 10%"' }),
    ),
    baseline: Type.Optional(
      Type.Object(
        {
          name: Type.String({ description: 'Baseline version, or "loop N pinned as NAME"' }),
          value: Nullable(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    samples: Type.Optional(
      Type.Object(
        { metric: Type.String(), value: Nullable(Type.Number()), min: Type.Number() },
        { additionalProperties: false },
      ),
    ),
    comparison: Type.Optional(
      Type.Unknown({ description: 'The statistical test: n, effect and CI, p-value, rule' }),
    ),
    policy: Type.Optional(
      Type.Unknown({ description: 'mode, onNoData, failAfter and the violating streak' }),
    ),
    history: Type.Optional(
      Type.Object(
        {
          loops: Type.Integer({ minimum: 0, description: 'Loops that judged this SLO for this version' }),
          violations: Type.Integer({
            minimum: 0,
            description: 'Loops where it was violated (would have failed)',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    explanation: Type.Optional(
      Type.Array(Type.String(), { description: 'Why, line by line (non-passing SLOs)' }),
    ),
  },
  { additionalProperties: false },
);

export const HistogramBucketSchema = Type.Object(
  {
    upperMs: Type.Number({
      description: "Inclusive upper bound; the bucket starts at the previous one's bound",
    }),
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const RetrospectiveSchema = Type.Object(
  { at: Type.String({ format: 'date-time', description: 'The past time the loop evaluated' }) },
  {
    additionalProperties: false,
    description: 'Set when the loop was retrospective (canary run --at/--from)',
  },
);

export const ReportSchema = Type.Object(
  {
    format: Type.Literal('canary.report/v1'),
    experiment: Type.Object(
      {
        name: Type.String(),
        namespace: Type.Optional(Type.String()),
        hash: Type.Optional(Type.String()),
        schedule: Type.Optional(Type.String()),
        maxLoops: Type.Optional(Type.Integer()),
        source: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    resultsFile: Type.String(),
    toolVersion: Type.Optional(Type.String({ description: 'canary version that wrote the results' })),
    loops: Type.Integer({ minimum: 0, description: 'Loops recorded' }),
    completed: Type.Boolean({ description: 'The latest loop ran every task' }),
    failure: Type.Boolean({ description: 'A task of the latest loop failed or could not run' }),
    finished: Type.Boolean({ description: 'The run has ended; no more loops will be appended' }),
    endReason: Type.Optional(
      Type.String({
        description:
          'Why the run ended (done, max-loops, interrupted, terminated, error; promoted or rolled-back by a rollout task), when it has',
      }),
    ),
    verdict: Type.Union(
      [
        Type.Literal('pass'),
        Type.Literal('fail'),
        Type.Literal('inconclusive'),
        Type.Literal('error'),
        Type.Literal('none'),
      ],
      {
        description:
          'none: no loop yet; error: a task could not run; fail: a task failed or an SLO was violated',
      },
    ),
    exitCode: Type.Integer({ description: 'What `canary assert --completed --nofailure --slos` exits with' }),
    unjudgedSlos: Type.Optional(
      Type.Object(
        {
          defined: Type.Integer({ minimum: 0, description: 'SLOs the experiment defines' }),
          unjudged: Type.Integer({ minimum: 0, description: 'Of them, not judged in the latest loop' }),
          reasons: Type.Array(Type.String(), { description: 'Why: each assess task that did not complete' }),
        },
        {
          additionalProperties: false,
          description: 'Present when the latest loop left defined SLOs unjudged',
        },
      ),
    ),
    latestLoop: Type.Optional(
      Type.Object(
        {
          loop: Type.Integer(),
          start: Type.String({ format: 'date-time' }),
          end: Type.String({ format: 'date-time' }),
          durationMs: Type.Number(),
          status: Type.String(),
          skippedTicks: Type.Optional(Type.Array(Type.String())),
          retrospective: Type.Optional(RetrospectiveSchema),
        },
        { additionalProperties: false },
      ),
    ),
    tasks: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          task: Type.String(),
          status: Type.String(),
          durationMs: Type.Optional(Type.Number()),
          message: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { description: 'Tasks of the latest loop' },
    ),
    metricInfo: Type.Record(
      Type.String(),
      Type.Object(
        {
          description: Type.Optional(Type.String()),
          units: Type.Optional(Type.String()),
          type: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    versions: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          metrics: Type.Record(Type.String(), Nullable(Type.Number()), {
            description: 'Fully qualified metric name -> latest value (null: no value)',
          }),
          metricErrors: Type.Record(Type.String(), Type.String(), {
            description: 'Why a metric has no value',
          }),
          slos: Type.Array(SloEntrySchema),
          queries: Type.Optional(
            Type.Record(Type.String(), Type.String(), {
              description:
                'Fully qualified metric name -> the query asked for it in the latest loop, secrets redacted',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    rewards: Type.Optional(
      Type.Array(RewardEntrySchema, {
        description:
          "assess rewards (Iter8's): the best version per reward metric in the latest loop; never gates",
      }),
    ),
    histograms: Type.Optional(
      Type.Record(Type.String(), Type.Array(HistogramBucketSchema), {
        description:
          'Version name -> latency histogram of the latest loop, in fixed buckets, when a task recorded one',
      }),
    ),
    history: Type.Array(
      Type.Object(
        {
          loop: Type.Integer(),
          start: Type.String(),
          status: Type.String(),
          retrospective: Type.Optional(RetrospectiveSchema),
          versions: Type.Array(Type.String(), { description: 'Version names of this loop, by index' }),
          metrics: Type.Array(Type.Record(Type.String(), Nullable(Type.Number())), {
            description: 'Per version index',
          }),
        },
        { additionalProperties: false },
      ),
      {
        description:
          'Every loop held in full and not marked invalid, oldest first: metric values per version, for trends',
      },
    ),
    pins: Type.Optional(
      Type.Record(Type.String(), Type.Integer(), { description: 'Pin name -> loop (`canary results pin`)' }),
    ),
    invalidLoops: Type.Optional(
      Type.Array(
        Type.Object({ loop: Type.Integer(), reason: Type.String() }, { additionalProperties: false }),
        { description: 'Loops marked invalid: left out of `history` and comparisons' },
      ),
    ),
    compactedLoops: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Earlier loops retention folded into aggregates (not in `history`; text reports show them)',
      }),
    ),
    warnings: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export type Report = Static<typeof ReportSchema>;
export type SloEntry = Static<typeof SloEntrySchema>;
export type RewardEntry = Static<typeof RewardEntrySchema>;
export type HistogramBucket = Static<typeof HistogramBucketSchema>;
