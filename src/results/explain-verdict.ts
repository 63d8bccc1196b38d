import { formatNumber } from '../report/format-number.js';
import { verdictGate, type LoopRecord, type SloVerdict } from './records.js';
import { showControlCharacters } from '../util/show-control-characters.js';
import { versionName } from '../config/experiment.js';

/** `kserve-prometheus/latency-mean <= 25`, `... <= baseline + 10%`, `compare http/latency (median shift <= 10%)`. */
export function describeSloRule(
  verdict: Pick<SloVerdict, 'kind' | 'metric' | 'op' | 'limit' | 'relative'>,
): string {
  if (verdict.kind === 'compare')
    return `compare ${verdict.metric} (${verdict.relative?.rule ?? 'statistical test'})`;
  if (verdict.kind === 'relative' && verdict.relative) return `${verdict.metric} ${verdict.relative.rule}`;
  return `${verdict.metric} ${verdict.op} ${verdict.limit === null ? '?' : formatNumber(verdict.limit)}`;
}

/** Where a relative verdict's baseline came from, by version name or pinned loop. */
export function describeBaseline(
  baseline: NonNullable<SloVerdict['relative']>['baseline'],
  versions: readonly string[],
): string {
  return typeof baseline === 'number'
    ? `version ${versions[baseline] ?? baseline}`
    : `loop ${baseline.loop} pinned as ${baseline.pinned}`;
}

/**
 * Why a verdict is what it is, in a few lines: the values and the bound, the baseline, the samples,
 * the statistical test and its rule, and the policy that set its effect on the exit code.
 */
export function explainVerdict(verdict: SloVerdict, versions: readonly string[]): string[] {
  const version = versionName(versions, verdict.version);
  const gate = verdictGate(verdict);
  const mark = gate === 'fail' ? '✘' : gate === 'pass' ? '✔' : gate === 'inconclusive' ? '?' : '!';
  const lines = [
    `${mark} ${version}: ${describeSloRule(verdict)}: ${verdict.status}${gate !== verdict.status ? ` (counts as ${gate})` : ''}`,
  ];
  const details: string[] = [];
  if (verdict.kind !== 'compare' && verdict.value !== null) {
    const bound = verdict.limit === null ? 'no bound' : `${verdict.op} ${formatNumber(verdict.limit)}`;
    details.push(`value ${formatNumber(verdict.value)}, allowed ${bound}`);
  }
  if (verdict.relative) {
    details.push(
      `baseline ${describeBaseline(verdict.relative.baseline, versions)} = ${formatNumber(verdict.relative.baselineValue)}`,
    );
  }
  if (verdict.samples) {
    details.push(
      `samples ${verdict.samples.metric} = ${formatNumber(verdict.samples.value)} (min ${verdict.samples.min})`,
    );
  }
  if (verdict.reason && !verdict.comparison) details.push(verdict.reason);
  const comparison = verdict.comparison;
  if (comparison) {
    const units = comparison.effect.units ? ` ${comparison.effect.units}` : '';
    details.push(
      `${comparison.test}: n = ${comparison.n.candidate} vs ${comparison.n.baseline} (baseline); ` +
        `${comparison.effect.name} ${formatNumber(comparison.effect.estimate)}${units} ` +
        `(${formatNumber(comparison.effect.confidence * 100)}% CI ${formatNumber(comparison.effect.ci[0])} .. ${formatNumber(comparison.effect.ci[1])}); ` +
        `p = ${comparison.pValue === null ? '-' : formatNumber(comparison.pValue)}, alpha ${formatNumber(comparison.alpha)}`,
    );
    if (comparison.sequential) {
      const { method, look, looks } = comparison.sequential;
      details.push(
        `repeated looks: ${method}, look ${look}${looks === null ? ' (open-ended)' : ` of ${looks}`}`,
      );
    }
    details.push(`decision: ${comparison.rule}`);
  }
  const policy = verdict.policy;
  if (policy && (policy.mode !== 'gate' || policy.failAfter !== undefined || gate !== verdict.status)) {
    const parts = [`mode ${policy.mode}`, `onNoData ${policy.onNoData}`];
    if (policy.failAfter !== undefined)
      parts.push(`failAfter ${policy.failAfter} (violated ${policy.streak ?? 0} in a row)`);
    details.push(`policy: ${parts.join(', ')}`);
  }
  return [...lines, ...details.map((line) => `    ${line}`)];
}

/**
 * One line per SLO that fails or is inconclusive in `loop` (version, SLO, value, limit, reason), the
 * first `max` of them, then a pointer to `canary assert --slos --explain` for the rest and the details.
 */
export function listUnsettledSlos(loop: Pick<LoopRecord, 'slos' | 'versions'>, max = 10): string[] {
  const unsettled = loop.slos.filter((v) => {
    const gate = verdictGate(v);
    return gate === 'fail' || gate === 'inconclusive';
  });
  if (unsettled.length === 0) return [];
  const lines = unsettled.slice(0, max).map((verdict) => {
    const version = versionName(loop.versions, verdict.version);
    const mark = verdictGate(verdict) === 'fail' ? '✘' : '?';
    const value = verdict.value === null ? 'no value' : formatNumber(verdict.value);
    const limit = verdict.limit === null ? 'no limit' : `limit ${verdict.op} ${formatNumber(verdict.limit)}`;
    const reason = verdict.reason ?? verdict.status;
    return showControlCharacters(`  ${mark} ${version}: ${verdict.metric} = ${value}, ${limit}: ${reason}`);
  });
  const more = unsettled.length - lines.length;
  lines.push(`  ${more > 0 ? `${more} more; ` : ''}why: canary assert --slos --explain`);
  return lines;
}
