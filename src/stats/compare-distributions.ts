import type { ComparisonResult } from '../results/records.js';
import { criticalZ, exhaustedReason, lookAlpha, type LookOptions } from './alpha-spending.js';
import { alignBins, binsProblem, totalCount, type Bin } from './bins.js';
import { formatAlpha, formatConfidence, formatNumber, formatP, withUnits } from './format.js';
import { mannWhitneyBinned } from './mann-whitney.js';
import { medianShift } from './median-shift.js';

/**
 * How much slower the candidate may be. Both given: the larger tolerance applies (within 10% OR within
 * 2 ms is fine). Neither: any significant increase of the median is worse.
 */
export interface Tolerance {
  /** Fraction of the baseline median, e.g. 0.1 = 10% slower tolerated. */
  ratio?: number;
  /** In the metric's units, e.g. 2 (ms). */
  shift?: number;
}

export interface DistributionOptions extends LookOptions {
  tolerance: Tolerance;
  /** Units of the metric (e.g. 'ms'), for the effect and the rule text. */
  units?: string;
}

const effectName = 'median shift (candidate - baseline)';

/**
 * Is the candidate's distribution (latency histogram) worse, i.e. shifted up by more than the tolerance?
 * Test: one-sided Mann-Whitney U on the binned data. Effect: difference of medians interpolated in bins,
 * with a MOVER interval; the tolerance is max(shift, ratio x baseline median). Bounds are one-sided at
 * 1 - the look's alpha.
 * worse: p < the look's alpha AND the lower confidence bound of the shift > tolerance (so a significant
 * but small shift never fails, and a true shift at the tolerance fails about alpha of the time or less);
 * not-worse: the upper confidence bound of the shift < tolerance (and no bound fell in an open top bin);
 * otherwise inconclusive. Bad or empty histograms give an inconclusive result with the reason; invalid
 * options throw RangeError.
 */
export function compareDistributions(
  baseline: Bin[],
  candidate: Bin[],
  options: DistributionOptions,
): ComparisonResult {
  const spending = lookAlpha(options);
  const { ratio, shift: shiftTolerance } = options.tolerance;
  for (const [name, value] of [
    ['tolerance.ratio', ratio],
    ['tolerance.shift', shiftTolerance],
  ] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${name} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  const { units } = options;
  const sequential = {
    method: spending.method,
    look: spending.look,
    looks: spending.looks,
    alphaSpent: spending.alphaSpent,
  };
  const intervalAlpha = spending.alpha > 0 ? spending.alpha : spending.total;
  const noDecision = (n: ComparisonResult['n'], reason: string): ComparisonResult => ({
    test: 'none',
    n,
    // No data, no interval: a 0%-confidence interval is the point itself.
    effect: { name: effectName, estimate: 0, ci: [0, 0], confidence: 0, ...(units ? { units } : {}) },
    pValue: null,
    alpha: spending.alpha,
    decision: 'inconclusive',
    rule: `inconclusive: ${reason}`,
    sequential,
  });

  const problem = binsProblem('baseline', baseline) ?? binsProblem('candidate', candidate);
  if (problem !== null) return noDecision({ baseline: 0, candidate: 0 }, problem);
  const [b, c] = alignBins(baseline, candidate);
  const n = { baseline: totalCount(b), candidate: totalCount(c) };
  if (n.baseline === 0 || n.candidate === 0) {
    const empty = [n.baseline === 0 ? 'baseline' : '', n.candidate === 0 ? 'candidate' : ''].filter(Boolean);
    return noDecision(n, `no observations in the ${empty.join(' and ')} histogram`);
  }

  const occupied = b.flatMap((bin, index) => (bin.count + (c[index]?.count ?? 0) > 0 ? [index] : []));
  if (occupied.length === 1) {
    const index = occupied[0] as number;
    const lower = index === 0 ? Math.min(0, b[0]?.upper ?? 0) : (b[index - 1] as Bin).upper;
    const upper = (b[index] as Bin).upper;
    return {
      ...noDecision(n, ''),
      test: 'mann-whitney-u',
      pValue: 1,
      rule:
        `inconclusive: every observation of both versions falls in the one bin (${withUnits(formatNumber(lower), units)}, ` +
        `${withUnits(formatNumber(upper), units)}]; the histograms cannot resolve a shift inside it (use finer buckets)`,
    };
  }

  const z = criticalZ(intervalAlpha);
  const test = mannWhitneyBinned(b, c);
  const shift = medianShift(b, c, z);
  const tolerated = Math.max(shiftTolerance ?? 0, (ratio ?? 0) * shift.baseline.median);
  const level = formatConfidence(1 - intervalAlpha);
  const twoSided = formatConfidence(1 - 2 * intervalAlpha);
  const u = (x: number): string => withUnits(formatNumber(x), units);
  const signed = (x: number): string => (x > 0 ? '+' : '') + u(x);
  const sd = Math.sqrt(test.superiorityVariance);
  const superiorityCi = [Math.max(0, test.superiority - z * sd), Math.min(1, test.superiority + z * sd)];
  const facts =
    `medians (interpolated in bins) candidate ${u(shift.candidate.median)} vs baseline ${u(shift.baseline.median)}, ` +
    `shift ${signed(shift.shift)} (${twoSided} CI ${signed(shift.ci[0])} .. ${signed(shift.ci[1])}); ` +
    `Mann-Whitney U = ${formatNumber(test.u, 6)}, ${test.z === null ? 'all values tied' : `z = ${formatNumber(test.z)}`}, ` +
    `one-sided ${formatP(test.pValue)}; P(candidate > baseline) + P(tie)/2 = ${formatNumber(test.superiority)} ` +
    `(${twoSided} CI ${formatNumber(superiorityCi[0] as number)} .. ${formatNumber(superiorityCi[1] as number)})`;
  const toleranceText = describeTolerance(tolerated, options.tolerance, shift.baseline.median, u);
  const result = {
    test: 'mann-whitney-u',
    n,
    effect: {
      name: effectName,
      estimate: shift.shift,
      ci: shift.ci,
      confidence: 1 - 2 * intervalAlpha,
      ...(units ? { units } : {}),
    },
    pValue: test.pValue,
    alpha: spending.alpha,
    sequential,
  };

  const exhausted = exhaustedReason(spending);
  if (exhausted !== null)
    return { ...result, decision: 'inconclusive', rule: `inconclusive: ${exhausted}; ${facts}` };
  const alphaText = `alpha ${formatAlpha(spending.alpha)}`;
  const significant = test.pValue < spending.alpha;
  if (significant && shift.ci[0] > tolerated) {
    return {
      ...result,
      decision: 'worse',
      rule: `worse: ${formatP(test.pValue)} < ${alphaText} and the ${level} lower bound of the shift ${signed(shift.ci[0])} exceeds ${toleranceText}; ${facts}`,
    };
  }
  if (shift.ci[1] < tolerated && !shift.open) {
    return {
      ...result,
      decision: 'not-worse',
      rule: `not-worse: the ${level} upper bound of the shift ${signed(shift.ci[1])} is below ${toleranceText}; ${facts}`,
    };
  }
  const why = significant
    ? `${formatP(test.pValue)} < ${alphaText} but the ${level} lower bound of the shift ${signed(shift.ci[0])} does not exceed ${toleranceText}`
    : `${formatP(test.pValue)} is not below ${alphaText}`;
  const notBelow = shift.open
    ? 'a median bound fell in the open top bin (above the last finite bucket), so the shift has no upper bound'
    : `the ${level} upper bound of the shift ${signed(shift.ci[1])} is not below it`;
  return { ...result, decision: 'inconclusive', rule: `inconclusive: ${why}; ${notBelow}; ${facts}` };
}

function describeTolerance(
  tolerated: number,
  tolerance: Tolerance,
  baselineMedian: number,
  u: (x: number) => string,
): string {
  const parts: string[] = [];
  if (tolerance.shift !== undefined) parts.push(u(tolerance.shift));
  if (tolerance.ratio !== undefined) {
    parts.push(`${formatNumber(tolerance.ratio * 100)}% of the baseline median ${u(baselineMedian)}`);
  }
  if (parts.length === 0) return `the tolerated shift ${u(0)} (no tolerance set)`;
  return parts.length === 1
    ? `the tolerated shift ${u(tolerated)} (${parts[0] as string})`
    : `the tolerated shift ${u(tolerated)} (the larger of ${parts.join(' and ')})`;
}
