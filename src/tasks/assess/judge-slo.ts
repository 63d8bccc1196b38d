import type { MetricBoard } from '../../metrics/metric-board.js';
import type { SloVerdict } from '../../results/records.js';
import { formatNumber } from '../../report/format-number.js';
import type { Baseline } from './baseline.js';
import type { AbsoluteRule, Allowance, RelativeRule, SloPolicy } from './slo-rules.js';

/** A verdict before its policy (mode, onNoData, failAfter) turns it into a gate. */
export type RawVerdict = Omit<SloVerdict, 'policy' | 'gate'>;

export function judgeAbsolute(rule: AbsoluteRule, version: number, metrics: MetricBoard): RawVerdict {
  const observed = metrics.get(version, rule.metric);
  const base = { metric: rule.metric, op: rule.op, limit: rule.limit, version };
  if (!observed) return { ...base, value: null, status: 'nodata', reason: 'metric not observed' };
  if (observed.value === null)
    return { ...base, value: null, status: 'nodata', reason: observed.reason ?? 'no value' };
  return {
    ...base,
    value: observed.value,
    status: holds(rule.op, observed.value, rule.limit) ? 'pass' : 'fail',
  };
}

/**
 * candidate <= baseline + allowance (maxIncrease) or >= baseline - allowance (maxDecrease), where the
 * allowance is a fraction of |baseline| or an amount, never less than the floor. No baseline value is
 * `nodata`: a comparison with nothing is never a pass.
 */
export function judgeRelative(
  rule: RelativeRule,
  version: number,
  metrics: MetricBoard,
  baseline: Baseline,
): RawVerdict {
  const observed = metrics.get(version, rule.metric);
  const reference = baseline.value(rule.metric, version);
  const baselineValue = reference?.value ?? null;
  const rule_ = describeRelativeRule(rule);
  const base = {
    kind: 'relative' as const,
    metric: rule.metric,
    op: rule.op,
    version,
    relative: { baseline: baseline.ref, baselineValue, rule: rule_ },
  };
  if (baselineValue === null) {
    const why = reference ? (reference.reason ?? 'no value') : 'metric not observed';
    return {
      ...base,
      limit: null,
      value: observed?.value ?? null,
      status: 'nodata',
      reason: `baseline (${baseline.describe}) has no value: ${why}`,
    };
  }
  const allowance = Math.max(allowed(rule.amount, baselineValue), rule.floor ?? 0);
  const limit = rule.op === '<=' ? baselineValue + allowance : baselineValue - allowance;
  if (!observed || observed.value === null) {
    return {
      ...base,
      limit,
      value: null,
      status: 'nodata',
      reason: observed ? (observed.reason ?? 'no value') : 'metric not observed',
    };
  }
  return {
    ...base,
    limit,
    value: observed.value,
    status: holds(rule.op, observed.value, limit) ? 'pass' : 'fail',
  };
}

function allowed(amount: Allowance, baselineValue: number): number {
  return 'fraction' in amount ? Math.abs(baselineValue) * amount.fraction : amount.amount;
}

/** `<= baseline + 10%`, `<= baseline + 5 ms (floor 0.5)`, `>= baseline - 2%`. */
export function describeRelativeRule(rule: Pick<RelativeRule, 'op' | 'amount' | 'units' | 'floor'>): string {
  const sign = rule.op === '<=' ? '+' : '-';
  const amount = describeAllowance(rule.amount, rule.units);
  const floor =
    rule.floor !== undefined
      ? ` (at least ${formatNumber(rule.floor)}${rule.units ? ` ${rule.units}` : ''})`
      : '';
  return `${rule.op} baseline ${sign} ${amount}${floor}`;
}

/** `10%` or `5 ms`; percentages through formatNumber, so 7% never prints as 7.000000000000001%. */
export function describeAllowance(amount: Allowance, units: string | undefined): string {
  return 'fraction' in amount
    ? `${formatNumber(amount.fraction * 100)}%`
    : `${formatNumber(amount.amount)}${units ? ` ${units}` : ''}`;
}

function holds(op: '<=' | '>=', value: number, limit: number): boolean {
  return op === '<=' ? value <= limit : value >= limit;
}

/**
 * minSamples: the version (and the baseline, when there is one) must have counted enough samples;
 * otherwise the verdict is insufficient-data whatever the values say.
 */
export function checkSamples(
  policy: SloPolicy,
  version: number,
  metrics: MetricBoard,
  baseline?: Baseline,
): (Pick<SloVerdict, 'samples' | 'reason'> & { enough: boolean }) | undefined {
  const rule = policy.minSamples;
  if (!rule) return undefined;
  const own = metrics.get(version, rule.metric)?.value ?? null;
  const samples = { metric: rule.metric, value: own, min: rule.min };
  if (own === null) return { enough: false, samples, reason: `sample count ${rule.metric} has no value` };
  if (own < rule.min) {
    return { enough: false, samples, reason: `${rule.metric} = ${formatNumber(own)} < ${rule.min} samples` };
  }
  if (baseline && baseline.versionIndex !== version) {
    const theirs = baseline.value(rule.metric, version)?.value ?? null;
    if (theirs === null || theirs < rule.min) {
      const shown = theirs === null ? 'has no value' : `= ${formatNumber(theirs)} < ${rule.min} samples`;
      return { enough: false, samples, reason: `baseline (${baseline.describe}): ${rule.metric} ${shown}` };
    }
  }
  return { enough: true, samples };
}
