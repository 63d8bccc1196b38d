// Types only: the statistics (and their @stdlib distributions) load when an experiment compares.
import type * as Statistics from '../../stats/index.js';
import type { ComparisonResult, SloStatus } from '../../results/records.js';
import type { TaskContext } from '../task-definition.js';
import type { Baseline } from './baseline.js';
import { describeAllowance, type RawVerdict } from './judge-slo.js';
import type { LatencyComparisonRule, RateComparisonRule } from './slo-rules.js';

const statusOf: Record<ComparisonResult['decision'], SloStatus> = {
  worse: 'fail',
  'not-worse': 'pass',
  inconclusive: 'inconclusive',
};

/**
 * A statistical comparison of one version with the baseline on the data this loop holds. Each loop is
 * one look: alpha is spent over spec.maxLoops (or an open-ended sequence), so repeated looks do not
 * add false alarms.
 */
export function judgeComparison(
  rule: LatencyComparisonRule | RateComparisonRule,
  version: number,
  context: TaskContext,
  baseline: Baseline,
  stats: typeof Statistics,
): RawVerdict {
  const { binnedMedian, compareDistributions, compareRates } = stats;
  const look = { alpha: rule.alpha, look: context.iteration, looks: context.plannedLoops ?? null };
  const base = { kind: 'compare' as const, metric: rule.metric, op: rule.op, version };
  if (rule.kind === 'compare-rate') {
    const candidate = countsOf(rule, (metric) => context.metrics.get(version, metric));
    const reference = countsOf(rule, (metric) => baseline.value(metric, version));
    const baselineRate =
      'counts' in reference && reference.counts.trials > 0
        ? reference.counts.events / reference.counts.trials
        : null;
    const relative = {
      baseline: baseline.ref,
      baselineValue: baselineRate,
      rule: `rate <= baseline + ${rule.maxIncrease}`,
    };
    if ('missing' in candidate)
      return { ...base, limit: null, value: null, status: 'nodata', reason: candidate.missing, relative };
    if ('missing' in reference) {
      return {
        ...base,
        limit: null,
        value: null,
        status: 'nodata',
        reason: `baseline (${baseline.describe}): ${reference.missing}`,
        relative,
      };
    }
    const comparison = compareRates(reference.counts, candidate.counts, {
      ...look,
      maxIncrease: rule.maxIncrease,
    });
    const value = candidate.counts.trials > 0 ? candidate.counts.events / candidate.counts.trials : null;
    return {
      ...base,
      limit: baselineRate === null ? null : baselineRate + rule.maxIncrease,
      value,
      status: statusOf[comparison.decision],
      relative,
      comparison,
      ...(comparison.decision === 'inconclusive' ? { reason: comparison.rule } : {}),
    };
  }
  const candidateBins = context.metrics.distribution(version, rule.metric);
  const baselineBins = baseline.distribution(rule.metric, version);
  const tolerance =
    'fraction' in rule.amount ? { ratio: rule.amount.fraction } : { shift: rule.amount.amount };
  const units = rule.units ?? context.metrics.info.get(rule.metric)?.units;
  const describeTolerance = describeAllowance(rule.amount, units);
  const relative = {
    baseline: baseline.ref,
    baselineValue: null,
    rule: `median shift <= ${describeTolerance}`,
  };
  if (!candidateBins)
    return {
      ...base,
      limit: null,
      value: null,
      status: 'nodata',
      reason: `no histogram of ${rule.metric}`,
      relative,
    };
  if (!baselineBins) {
    return {
      ...base,
      limit: null,
      value: null,
      status: 'nodata',
      reason: `baseline (${baseline.describe}) has no histogram of ${rule.metric}`,
      relative,
    };
  }
  const bins = (list: ReadonlyArray<{ upper: number; count: number }>) =>
    list.map(({ upper, count }) => ({ upper, count }));
  const comparison = compareDistributions(bins(baselineBins), bins(candidateBins), {
    ...look,
    tolerance,
    ...(units ? { units } : {}),
  });
  const baselineMedian = totalOf(baselineBins) > 0 ? binnedMedian(bins(baselineBins), 0).median : null;
  return {
    ...base,
    limit:
      baselineMedian === null
        ? null
        : Math.max(tolerance.shift ?? 0, (tolerance.ratio ?? 0) * baselineMedian),
    value: comparison.test === 'none' ? null : comparison.effect.estimate,
    status: statusOf[comparison.decision],
    relative: { ...relative, baselineValue: baselineMedian },
    comparison,
    ...(comparison.decision === 'inconclusive' ? { reason: comparison.rule } : {}),
  };
}

function totalOf(bins: ReadonlyArray<{ count: number }>): number {
  return bins.reduce((sum, bin) => sum + bin.count, 0);
}

function countsOf(
  rule: RateComparisonRule,
  read: (metric: string) => { value: number | null; reason?: string } | undefined,
): { counts: { events: number; trials: number } } | { missing: string } {
  const events = read(rule.errors);
  const trials = read(rule.requests);
  for (const [metric, observed] of [
    [rule.errors, events],
    [rule.requests, trials],
  ] as const) {
    if (!observed) return { missing: `${metric} not observed` };
    if (observed.value === null)
      return { missing: `${metric} has no value (${observed.reason ?? 'no value'})` };
  }
  return { counts: { events: events!.value!, trials: trials!.value! } };
}
