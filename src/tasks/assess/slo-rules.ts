import type { SloMode, SloOperator } from '../../results/records.js';
import type { Amount, AssessInput, BaselineRef, PolicyInput } from './assess-input.js';

export type Path = Array<string | number>;

export interface SloPolicy {
  mode: SloMode;
  onNoData: 'fail' | 'inconclusive' | 'pass';
  failAfter?: number;
  minSamples?: { metric: string; min: number };
}

interface RuleBase {
  metric: string;
  op: SloOperator;
  policy: SloPolicy;
  /** Where the rule is written, for diagnostics. */
  path: Path;
}

export interface AbsoluteRule extends RuleBase {
  kind: 'absolute';
  limit: number;
}

/** `maxIncrease` gives op `<=` (bound above the baseline), `maxDecrease` op `>=`. */
export interface RelativeRule extends RuleBase {
  kind: 'relative';
  amount: Allowance;
  units?: string;
  floor?: number;
  baseline?: BaselineRef;
}

export interface LatencyComparisonRule extends RuleBase {
  kind: 'compare-latency';
  amount: Allowance;
  units?: string;
  alpha: number;
  baseline?: BaselineRef;
}

export interface RateComparisonRule extends RuleBase {
  kind: 'compare-rate';
  errors: string;
  requests: string;
  maxIncrease: number;
  alpha: number;
  baseline?: BaselineRef;
}

export type SloRule = AbsoluteRule | RelativeRule | LatencyComparisonRule | RateComparisonRule;

/** An allowed difference: a fraction of the baseline, or an amount in the metric's units. */
export type Allowance = { fraction: number } | { amount: number };

export const defaultAlpha = 0.05;

export function parseAllowance(value: Amount): Allowance {
  return typeof value === 'number' ? { amount: value } : { fraction: Number(value.slice(0, -1)) / 100 };
}

/** `"kserve-prometheus/request-count >= 100"` or `{metric, min}`. */
export function parseMinSamples(value: NonNullable<PolicyInput['minSamples']>): {
  metric: string;
  min: number;
} {
  if (typeof value !== 'string') return value;
  const [metric, min] = value.split('>=').map((part) => part.trim());
  return { metric: metric!, min: Number(min) };
}

function policyOf(own: PolicyInput, defaults: PolicyInput | undefined): SloPolicy {
  const merged = { ...defaults, ...definedFields(own) };
  return {
    mode: merged.mode ?? 'gate',
    onNoData: merged.onNoData ?? 'inconclusive',
    ...(merged.failAfter !== undefined ? { failAfter: merged.failAfter } : {}),
    ...(merged.minSamples !== undefined ? { minSamples: parseMinSamples(merged.minSamples) } : {}),
  };
}

function definedFields(input: PolicyInput): PolicyInput {
  const { onNoData, minSamples, mode, failAfter } = input;
  return {
    ...(onNoData !== undefined ? { onNoData } : {}),
    ...(minSamples !== undefined ? { minSamples } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(failAfter !== undefined ? { failAfter } : {}),
  };
}

/** `rate(errors, requests)`: how a rate comparison is named in verdicts and reports. */
export function rateName(errors: string, requests: string): string {
  return `rate(${errors}, ${requests})`;
}

/**
 * Every SLO of an assess task in file order: absolute upper then lower limits, relative SLOs, then
 * comparisons, each with its policy (own fields over `defaults`).
 */
export function listSloRules(input: AssessInput): SloRule[] {
  const defaults = input.defaults;
  const rules: SloRule[] = [];
  for (const [side, op] of [
    ['upper', '<='],
    ['lower', '>='],
  ] as const) {
    const set = input.SLOs?.[side];
    // Iter8's list form [{metric, limit}] and canary's map form {metric: limit | {limit, ...}}.
    const entries: Array<[string, number | ({ limit: number } & PolicyInput), Path]> = Array.isArray(set)
      ? set.map((slo, i) => [slo.metric, slo, ['SLOs', side, i, 'metric']])
      : Object.entries(set ?? {}).map(([metric, slo]) => [metric, slo, ['SLOs', side, metric]]);
    for (const [metric, slo, path] of entries) {
      const own = typeof slo === 'number' ? { limit: slo } : slo;
      rules.push({ kind: 'absolute', metric, op, limit: own.limit, policy: policyOf(own, defaults), path });
    }
  }
  const relativeBaseline = input.relative?.baseline ?? input.baseline;
  for (const [metric, slo] of Object.entries(input.relative?.SLOs ?? {})) {
    const { maxIncrease, maxDecrease, units, floor, ...policy } = slo;
    const change = maxIncrease ?? maxDecrease;
    rules.push({
      kind: 'relative',
      metric,
      op: maxIncrease !== undefined || maxDecrease === undefined ? '<=' : '>=',
      amount: parseAllowance(change ?? 0),
      ...(units !== undefined ? { units } : {}),
      ...(floor !== undefined ? { floor } : {}),
      ...(relativeBaseline !== undefined ? { baseline: relativeBaseline } : {}),
      policy: policyOf(policy, defaults),
      path: ['relative', 'SLOs', metric],
    });
  }
  (input.compare ?? []).forEach((entry, i) => {
    const baseline = entry.baseline ?? input.baseline;
    const common = {
      op: '<=' as const,
      alpha: entry.alpha ?? defaultAlpha,
      ...(baseline !== undefined ? { baseline } : {}),
      path: ['compare', i],
    };
    if ('latency' in entry) {
      const { latency, maxIncrease, units } = entry;
      rules.push({
        ...common,
        kind: 'compare-latency',
        metric: latency,
        amount: parseAllowance(maxIncrease),
        ...(units !== undefined ? { units } : {}),
        policy: policyOf(entry, defaults),
      });
    } else {
      const { errors, requests, maxIncrease } = entry;
      rules.push({
        ...common,
        kind: 'compare-rate',
        metric: rateName(errors, requests),
        errors,
        requests,
        maxIncrease,
        policy: policyOf(entry, defaults),
      });
    }
  });
  return rules;
}

/** Every metric an assess task reads, where it is written, and whether the name is a map key. */
export function sloMetricReferences(
  input: AssessInput,
): Array<{ metric: string; path: Path; atKey: boolean }> {
  const references: Array<{ metric: string; path: Path; atKey: boolean }> = [];
  for (const rule of listSloRules(input)) {
    if (rule.kind === 'compare-rate') {
      references.push({ metric: rule.errors, path: [...rule.path, 'errors'], atKey: false });
      references.push({ metric: rule.requests, path: [...rule.path, 'requests'], atKey: false });
    } else if (rule.kind === 'compare-latency') {
      references.push({ metric: rule.metric, path: [...rule.path, 'latency'], atKey: false });
    } else {
      references.push({ metric: rule.metric, path: rule.path, atKey: rule.path.at(-1) !== 'metric' });
    }
  }
  const minSamples = (path: Path, value: PolicyInput['minSamples']) => {
    if (value !== undefined)
      references.push({ metric: parseMinSamples(value).metric, path: [...path, 'minSamples'], atKey: false });
  };
  minSamples(['defaults'], input.defaults?.minSamples);
  for (const [side, set] of Object.entries(input.SLOs ?? {})) {
    if (Array.isArray(set)) set.forEach((slo, i) => minSamples(['SLOs', side, i], slo.minSamples));
    else
      for (const [metric, slo] of Object.entries(set ?? {}))
        if (typeof slo === 'object') minSamples(['SLOs', side, metric], slo.minSamples);
  }
  for (const [metric, slo] of Object.entries(input.relative?.SLOs ?? {}))
    minSamples(['relative', 'SLOs', metric], slo.minSamples);
  (input.compare ?? []).forEach((entry, i) => minSamples(['compare', i], entry.minSamples));
  return references;
}

/** Whether any assess task compares with a pinned loop (then a run must read the file's pins). */
export function usesPinnedBaseline(experiment: {
  spec: { tasks: ReadonlyArray<{ task: string; with?: unknown }> };
}): boolean {
  return experiment.spec.tasks.some(
    (task) =>
      task.task === 'assess' &&
      listSloRules((task.with ?? {}) as AssessInput).some(
        (rule) => rule.kind !== 'absolute' && typeof rule.baseline === 'object',
      ),
  );
}
