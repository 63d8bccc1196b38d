import { versionName, type Experiment } from '../config/experiment.js';
import { canonicalMetricName } from '../metrics/metric-board.js';
import type { LoopRecord } from '../results/records.js';
import type { AssessInput } from '../tasks/assess/assess-input.js';
import { formatNumber } from './format-number.js';
import type { RewardEntry } from './report-schema.js';

/**
 * Iter8's reward winners: per reward metric of the experiment's assess tasks, the version with the
 * highest (max) or lowest (min) value in the loop; the first such version on a tie; versions without a
 * value are left out. Informational: it never changes a verdict or the exit code.
 */
export function bestVersions(
  experiment: Experiment | undefined,
  loop: LoopRecord | undefined,
): RewardEntry[] {
  if (!experiment || !loop) return [];
  const entries: RewardEntry[] = [];
  for (const task of experiment.spec.tasks) {
    if (task.task !== 'assess') continue;
    const rewards = (task.with as AssessInput | undefined)?.rewards;
    for (const direction of ['max', 'min'] as const) {
      for (const metric of rewards?.[direction] ?? []) entries.push(bestFor(metric, direction, loop));
    }
  }
  return entries;
}

function bestFor(metric: string, direction: 'max' | 'min', loop: LoopRecord): RewardEntry {
  const name = canonicalMetricName(metric);
  let best: number | undefined;
  let value: number | null = null;
  loop.metrics.forEach((metrics, version) => {
    const candidate = metrics[name]?.value;
    if (candidate === null || candidate === undefined) return;
    if (value === null || (direction === 'max' ? candidate > value : candidate < value)) {
      value = candidate;
      best = version;
    }
  });
  return {
    metric,
    direction,
    best: best === undefined ? null : versionName(loop.versions, best),
    value,
  };
}

/** The columns every format shows for a reward: metric, what is better, the best version and its value. */
export function describeReward(entry: RewardEntry): [string, string, string, string] {
  return [
    entry.metric,
    entry.direction === 'max' ? 'higher is better' : 'lower is better',
    entry.best ?? 'none (no values)',
    entry.value === null ? '-' : formatNumber(entry.value),
  ];
}

export const rewardColumns = ['Reward', 'Better', 'Best version', 'Value'] as const;
