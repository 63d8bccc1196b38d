import { metricNamePattern } from '../../metrics/metric-board.js';
import type { CheckContext, TaskProblem } from '../task-definition.js';
import type { AssessInput, BaselineRef } from './assess-input.js';
import { listSloRules, sloMetricReferences, type Path } from './slo-rules.js';

/** Rules the schema cannot say: metric names, duplicates, one direction per relative SLO, baselines. */
export function checkAssessInput(input: AssessInput, context: CheckContext): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const { metric, path, atKey } of sloMetricReferences(input)) {
    if (!metricNamePattern.test(metric)) {
      problems.push({
        severity: 'error',
        path,
        message: `metric name must be <provider>/<metric> (got ${JSON.stringify(metric)})`,
        hint: 'for example kserve-prometheus/latency-mean, or grpc/latency/p97.5 for an aggregation of a distribution',
        atKey,
      });
    }
  }
  const seen = new Set<string>();
  for (const rule of listSloRules(input)) {
    const key = JSON.stringify([rule.kind, rule.metric, rule.op]);
    if (seen.has(key)) {
      const kind = rule.kind === 'absolute' ? '' : `${rule.kind.replace('compare-', 'comparison of ')} `;
      problems.push({
        severity: 'error',
        path: rule.path,
        message: `duplicate ${kind}SLO ${rule.metric} ${rule.op}`,
        atKey: rule.path.at(-1) !== 'metric' && typeof rule.path.at(-1) === 'string',
      });
    }
    seen.add(key);
  }
  for (const [metric, slo] of Object.entries(input.relative?.SLOs ?? {})) {
    const path: Path = ['relative', 'SLOs', metric];
    if ((slo.maxIncrease === undefined) === (slo.maxDecrease === undefined)) {
      problems.push({
        severity: 'error',
        path,
        message: `relative SLO ${metric} needs exactly one of maxIncrease (lower is better) or maxDecrease (higher is better)`,
        hint: 'e.g. {maxIncrease: 10%} or {maxDecrease: 2%}',
        atKey: true,
      });
    }
    const change = slo.maxIncrease ?? slo.maxDecrease;
    if (slo.units !== undefined && typeof change === 'string') {
      problems.push({
        severity: 'error',
        path: [...path, 'units'],
        message: `units apply to an amount, not to a percentage (${change})`,
        hint: `write {maxIncrease: 5, units: ${slo.units}} for an amount, or drop units`,
      });
    }
  }
  const baselines: Array<[BaselineRef | undefined, Path]> = [
    [input.baseline, ['baseline']],
    [input.relative?.baseline, ['relative', 'baseline']],
    ...(input.compare ?? []).map((entry, i): [BaselineRef | undefined, Path] => [
      entry.baseline,
      ['compare', i, 'baseline'],
    ]),
  ];
  for (const [baseline, path] of baselines) {
    const problem = checkBaseline(baseline, context.versions);
    if (problem) problems.push({ severity: 'error', path, ...problem });
  }
  return problems;
}

function checkBaseline(
  baseline: BaselineRef | undefined,
  versions: readonly string[] | undefined,
): { message: string; hint: string } | undefined {
  if (baseline === undefined || typeof baseline === 'object' || !versions || versions.length === 0)
    return undefined;
  const known = versions.map((v) => JSON.stringify(v)).join(', ');
  if (typeof baseline === 'number' && baseline >= versions.length)
    return {
      message: `baseline index ${baseline} is out of range: spec.versions has ${versions.length}`,
      hint: `versions: ${known}`,
    };
  if (typeof baseline === 'string' && !versions.includes(baseline))
    return {
      message: `baseline ${JSON.stringify(baseline)} is not in spec.versions`,
      hint: `versions: ${known}`,
    };
  return undefined;
}
