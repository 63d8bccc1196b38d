import { Type, type Static } from '@sinclair/typebox';
import { defineTask, type TaskProblem } from '../task-definition.js';
import { metricNamePattern } from '../../metrics/metric-board.js';
import type { SloOperator, SloVerdict } from '../../results/records.js';
import type { MetricBoard } from '../../metrics/metric-board.js';

const Limit = Type.Number({ description: "Limit in the metric's units" });
/** canary's map form `{metric: limit}` or Iter8's list form `[{metric, limit}]`. */
const SloSet = Type.Union([
  Type.Record(Type.String(), Limit),
  Type.Array(Type.Object({ metric: Type.String(), limit: Limit }, { additionalProperties: false })),
]);

export const AssessInputSchema = Type.Object(
  {
    SLOs: Type.Optional(
      Type.Object(
        {
          upper: Type.Optional(SloSet),
          lower: Type.Optional(SloSet),
        },
        { additionalProperties: false, description: 'upper: value <= limit; lower: value >= limit' },
      ),
    ),
  },
  { additionalProperties: false },
);

export type AssessInput = Static<typeof AssessInputSchema>;

export interface Slo {
  metric: string;
  op: SloOperator;
  limit: number;
}

/** Both SLO forms, flattened in file order: upper limits first, then lower. */
export function listSlos(input: AssessInput): Array<Slo & { path: Array<string | number> }> {
  const slos: Array<Slo & { path: Array<string | number> }> = [];
  for (const [side, op] of [
    ['upper', '<='],
    ['lower', '>='],
  ] as const) {
    const set = input.SLOs?.[side];
    if (Array.isArray(set)) {
      set.forEach((slo, i) =>
        slos.push({ metric: slo.metric, op, limit: slo.limit, path: ['SLOs', side, i, 'metric'] }),
      );
    } else if (set) {
      for (const [metric, limit] of Object.entries(set))
        slos.push({ metric, op, limit, path: ['SLOs', side, metric] });
    }
  }
  return slos;
}

export function judgeSlo(slo: Slo, version: number, metrics: MetricBoard): SloVerdict {
  const observed = metrics.get(version, slo.metric);
  const base = { metric: slo.metric, op: slo.op, limit: slo.limit, version };
  if (!observed) return { ...base, value: null, status: 'nodata', reason: 'metric not observed' };
  if (observed.value === null)
    return { ...base, value: null, status: 'nodata', reason: observed.reason ?? 'no value' };
  const holds = slo.op === '<=' ? observed.value <= slo.limit : observed.value >= slo.limit;
  return { ...base, value: observed.value, status: holds ? 'pass' : 'fail' };
}

export const assessTask = defineTask<AssessInput>({
  name: 'assess',
  description: 'Check SLOs (upper and lower limits on metrics) for every version',
  // It judges the metrics the loop recorded, whatever time they describe.
  supportsRetrospective: true,
  inputSchema: AssessInputSchema,
  check(input) {
    const problems: TaskProblem[] = [];
    const seen = new Set<string>();
    for (const slo of listSlos(input)) {
      if (!metricNamePattern.test(slo.metric)) {
        problems.push({
          severity: 'error',
          path: slo.path,
          message: `metric name must be <provider>/<metric> (got ${JSON.stringify(slo.metric)})`,
          hint: 'for example kserve-prometheus/latency-mean',
          atKey: true,
        });
      }
      const key = `${slo.op} ${slo.metric}`;
      if (seen.has(key)) {
        problems.push({
          severity: 'error',
          path: slo.path,
          message: `duplicate SLO ${slo.metric} ${slo.op}`,
          atKey: true,
        });
      }
      seen.add(key);
    }
    return problems;
  },
  async run(input, context) {
    const slos = listSlos(input);
    const versionCount = Math.max(context.versions.length, context.metrics.versionCount, 1);
    for (let version = 0; version < versionCount; version++) {
      for (const slo of slos) context.slos.push(judgeSlo(slo, version, context.metrics));
    }
  },
});
