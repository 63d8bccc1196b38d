import type { Diagnostic } from '../diagnostics.js';
import { canonicalMetricName } from '../../metrics/metric-board.js';
import { sloMetricReferences } from '../../tasks/assess/slo-rules.js';
import type { AssessInput } from '../../tasks/assess/assess-input.js';
import type { Rule } from './rule.js';

/** Warn about SLOs on metrics that no task of the experiment can produce (likely a typo). */
export const sloMetricsProduced: Rule = {
  name: 'slo-metrics-produced',
  check({ experiment, registry, at, found }) {
    // Tasks the rules before found errors in.
    const skipTasks = new Set(
      experiment.spec.tasks
        .map((_, i) => i)
        .filter((i) => found.some((d) => d.severity === 'error' && d.path.startsWith(`spec.tasks[${i}]`))),
    );
    const produced: string[] = [];
    for (const [i, task] of experiment.spec.tasks.entries()) {
      const definition = registry.get(task.task);
      if (!definition || task.task === 'assess' || task.task === 'run') continue;
      // A task that does not say what it produces, or whose inputs are wrong, could produce anything.
      if (!definition.produces || skipTasks.has(i)) return [];
      try {
        produced.push(...definition.produces(task.with as never));
      } catch {
        return []; // a plugin's produces() that fails on its inputs says nothing either
      }
    }
    const exact = new Set(produced.map(canonicalMetricName));
    const matches = (metric: string) =>
      exact.has(canonicalMetricName(metric)) ||
      produced.some((p) => p.endsWith('/*') && metric.startsWith(p.slice(0, -1)));
    const diagnostics: Diagnostic[] = [];
    experiment.spec.tasks.forEach((task, i) => {
      if (task.task !== 'assess' || skipTasks.has(i)) return;
      for (const { metric, path, atKey } of sloMetricReferences(task.with as AssessInput)) {
        if (matches(metric)) continue;
        diagnostics.push(
          at(
            ['spec', 'tasks', i, 'with', ...path],
            `no task in this experiment produces ${JSON.stringify(metric)}`,
            {
              severity: 'warning',
              hint: missingMetricHint(metric, produced),
            },
            atKey,
          ),
        );
      }
    });
    return diagnostics;
  },
};

/** A percentile the provider does not collect says which input adds it; otherwise list what is produced. */
function missingMetricHint(metric: string, produced: readonly string[]): string {
  const percentile = /^(http(?:-[^/]+)?)\/latency-p([\d.]+)$/.exec(metric);
  if (percentile && produced.some((p) => p.startsWith(`${percentile[1]}/`))) {
    return `add ${percentile[2]} to the http task's percentiles`;
  }
  if (/^http-[^/]+\//.test(metric) && produced.some((p) => p.startsWith('http/'))) {
    return (
      "http-<name>/ metrics come from Iter8's named endpoints: give an endpoint one of Iter8's per-endpoint " +
      'inputs (e.g. numRequests), or a task-level url beside endpoints'
    );
  }
  return produced.length > 0
    ? `metrics produced: ${[...new Set(produced)].join(', ')}`
    : 'add a task that records this metric';
}
