import { defineTask, type TaskContext } from '../task-definition.js';
import type { SloVerdict } from '../../results/records.js';
import { AssessInputSchema, type AssessInput } from './assess-input.js';
import { applyPolicy } from './apply-policy.js';
import { verdictKey } from '../../results/records.js';
import { resolveBaseline, type Baseline } from './baseline.js';
import { checkAssessInput } from './check-assess-input.js';
import { judgeComparison } from './judge-comparison.js';
import type * as Statistics from '../../stats/index.js';
import { checkSamples, judgeAbsolute, judgeRelative, type RawVerdict } from './judge-slo.js';
import { listSloRules, type SloRule } from './slo-rules.js';
import { versionName } from '../../config/experiment.js';

export { AssessInputSchema, type AssessInput } from './assess-input.js';
export { listSloRules, type SloRule } from './slo-rules.js';

/**
 * Judge every SLO for every version: absolute limits for all versions; relative SLOs and comparisons
 * for every version but the baseline. Each raw verdict then goes through its policy (minSamples,
 * onNoData, failAfter, mode), which decides how it counts for the exit code.
 */
export async function assessVersions(input: AssessInput, context: TaskContext): Promise<SloVerdict[]> {
  const rules = listSloRules(input);
  // Loaded only when needed: every command that validates an experiment imports this task.
  const stats = rules.some((rule) => rule.kind === 'compare-latency' || rule.kind === 'compare-rate')
    ? await import('../../stats/index.js')
    : undefined;
  const versionCount = Math.max(context.versions.length, context.metrics.versionCount, 1);
  const streaks = previousStreaks(context);
  const verdicts: SloVerdict[] = [];
  const baselines = rules.map((rule) =>
    rule.kind === 'absolute'
      ? undefined
      : resolveBaseline(rule.baseline, context.versions, context.metrics, context.pinnedLoop),
  );
  // Version by version, as reports read them; within a version, in the order the SLOs are written.
  for (let version = 0; version < versionCount; version++) {
    rules.forEach((rule, index) => {
      const baseline = baselines[index];
      if (baseline && !('error' in baseline) && baseline.versionIndex === version) return;
      const raw =
        baseline && 'error' in baseline
          ? noBaseline(rule, version, baseline.error)
          : withSamples(judge(rule, version, context, baseline, stats), rule, version, context, baseline);
      const name = versionName(context.versions, version);
      verdicts.push(applyPolicy(raw, rule.policy, streaks.get(verdictKey(raw, name)) ?? 0));
    });
  }
  return verdicts;
}

function judge(
  rule: SloRule,
  version: number,
  context: TaskContext,
  baseline: Baseline | undefined,
  stats: typeof Statistics | undefined,
): RawVerdict {
  switch (rule.kind) {
    case 'absolute':
      return judgeAbsolute(rule, version, context.metrics);
    case 'relative':
      return judgeRelative(rule, version, context.metrics, baseline!);
    case 'compare-latency':
    case 'compare-rate':
      return judgeComparison(rule, version, context, baseline!, stats!);
  }
}

/** minSamples overrides a value-based verdict: too few samples cannot pass or fail. */
function withSamples(
  verdict: RawVerdict,
  rule: SloRule,
  version: number,
  context: TaskContext,
  baseline: Baseline | undefined,
): RawVerdict {
  const samples = checkSamples(rule.policy, version, context.metrics, baseline);
  if (!samples) return verdict;
  const { enough, ...details } = samples;
  if (enough || verdict.status === 'nodata') return { ...verdict, samples: details.samples };
  return { ...verdict, ...details, status: 'insufficient-data' };
}

function noBaseline(rule: SloRule, version: number, reason: string): RawVerdict {
  return {
    kind: rule.kind === 'relative' ? 'relative' : 'compare',
    metric: rule.metric,
    op: rule.op,
    limit: null,
    version,
    value: null,
    status: 'nodata',
    reason,
  };
}

/** Consecutive violating loops before this one, per SLO and version name, from the previous loop. */
function previousStreaks(context: TaskContext): Map<string, number> {
  const streaks = new Map<string, number>();
  const previous = context.previousLoop;
  if (!previous) return streaks;
  for (const verdict of previous.slos) {
    const name = versionName(previous.versions, verdict.version);
    if (verdict.policy?.streak !== undefined) streaks.set(verdictKey(verdict, name), verdict.policy.streak);
  }
  return streaks;
}

export const assessTask = defineTask({
  name: 'assess',
  description:
    'Check SLOs for every version: absolute limits, limits relative to a baseline, statistical comparisons',
  // It judges the metrics the loop recorded, whatever time they describe.
  supportsRetrospective: true,
  inputSchema: AssessInputSchema,
  check: checkAssessInput,
  async run(input, context) {
    context.slos.push(...(await assessVersions(input, context)));
  },
});
