import type { ComparisonResult } from '../results/records.js';
import { criticalZ, exhaustedReason, lookAlpha, type LookAlpha, type LookOptions } from './alpha-spending.js';
import { formatAlpha, formatConfidence, formatP, formatPercent, formatPoints } from './format.js';
import {
  fisherExactGreater,
  newcombeDifference,
  smallestExpectedCell,
  twoProportionZ,
  type RateCounts,
} from './proportions.js';

export interface RateOptions extends LookOptions {
  /** Absolute increase of the rate that is tolerated, e.g. 0.005 = half a percentage point. */
  maxIncrease: number;
}

/** Cochran's rule: below this smallest expected cell count the z test is unreliable; use Fisher's exact test. */
export const fisherBelowExpected = 5;

const effectName = 'rate difference (candidate - baseline)';

/**
 * Is the candidate's event rate (errors/requests) worse than the baseline's by more than `maxIncrease`?
 * worse: one-sided p < the look's alpha AND the lower confidence bound of the difference > maxIncrease;
 * not-worse: the upper confidence bound < maxIncrease; otherwise inconclusive. Bounds are one-sided at
 * 1 - the look's alpha. Bad data (no trials, negative or non-finite counts, events > trials) gives an
 * inconclusive result with the reason; invalid options throw RangeError.
 */
export function compareRates(
  baseline: RateCounts,
  candidate: RateCounts,
  options: RateOptions,
): ComparisonResult {
  const spending = lookAlpha(options);
  const { maxIncrease } = options;
  if (!(Number.isFinite(maxIncrease) && maxIncrease >= 0 && maxIncrease < 1)) {
    throw new RangeError(`maxIncrease must be a rate increase in [0, 1), got ${String(maxIncrease)}`);
  }
  const sequential = {
    method: spending.method,
    look: spending.look,
    looks: spending.looks,
    alphaSpent: spending.alphaSpent,
  };
  const problem = countsProblem('baseline', baseline) ?? countsProblem('candidate', candidate);
  if (problem !== null) {
    const n = { baseline: safeCount(baseline.trials), candidate: safeCount(candidate.trials) };
    return noDecision(n, spending, sequential, `inconclusive: ${problem}`);
  }
  // Prometheus increase() extrapolates to fractional counts; the exact test needs whole ones.
  const b = { events: Math.round(baseline.events), trials: Math.round(baseline.trials) };
  const c = { events: Math.round(candidate.events), trials: Math.round(candidate.trials) };
  const n = { baseline: b.trials, candidate: c.trials };
  if (b.trials === 0 || c.trials === 0) {
    const empty = [b.trials === 0 ? 'baseline' : '', c.trials === 0 ? 'candidate' : ''].filter(Boolean);
    return noDecision(n, spending, sequential, `inconclusive: no trials for the ${empty.join(' and ')}`);
  }

  // Without alpha left the interval is still reported, at the overall level, but decides nothing.
  const intervalAlpha = spending.alpha > 0 ? spending.alpha : spending.total;
  const [lower, upper] = newcombeDifference(b, c, criticalZ(intervalAlpha));
  const estimate = c.events / c.trials - b.events / b.trials;
  const exact = smallestExpectedCell(b, c) < fisherBelowExpected;
  const pValue = exact ? fisherExactGreater(b, c) : twoProportionZ(b, c).pValue;
  const test = exact ? 'fisher-exact' : 'two-proportion-z';
  const testName = exact ? 'one-sided Fisher exact' : 'one-sided two-proportion z';
  const effect = {
    name: effectName,
    estimate,
    ci: [lower, upper] as [number, number],
    confidence: 1 - 2 * intervalAlpha,
  };
  const level = formatConfidence(1 - intervalAlpha);
  const facts =
    `candidate ${describeRate(c)} vs baseline ${describeRate(b)}, difference ${formatPoints(estimate)}; ` +
    `${testName} ${formatP(pValue)}`;
  const tolerated = `the tolerated increase ${formatPoints(maxIncrease)}`;
  const base = { test, n, effect, pValue, alpha: spending.alpha, sequential };

  const exhausted = exhaustedReason(spending);
  if (exhausted !== null)
    return { ...base, decision: 'inconclusive', rule: `inconclusive: ${exhausted}; ${facts}` };
  const alphaText = `alpha ${formatAlpha(spending.alpha)}`;
  if (pValue < spending.alpha && lower > maxIncrease) {
    return {
      ...base,
      decision: 'worse',
      rule: `worse: ${facts} < ${alphaText}, and the ${level} lower bound ${formatPoints(lower)} exceeds ${tolerated}`,
    };
  }
  if (upper < maxIncrease) {
    return {
      ...base,
      decision: 'not-worse',
      rule: `not-worse: ${facts}; the ${level} upper bound ${formatPoints(upper)} is below ${tolerated}`,
    };
  }
  const significance = pValue < spending.alpha ? `< ${alphaText}` : `not < ${alphaText}`;
  return {
    ...base,
    decision: 'inconclusive',
    rule:
      `inconclusive: ${facts} ${significance}; the ${level} bounds ${formatPoints(lower)} .. ${formatPoints(upper)} ` +
      `include ${tolerated} (worse needs p < alpha and lower bound above it, not-worse needs upper bound below it)`,
  };
}

function describeRate(counts: RateCounts): string {
  return `${formatPercent(counts.events / counts.trials)} (${String(counts.events)}/${String(counts.trials)})`;
}

function countsProblem(side: string, counts: RateCounts): string | null {
  const { events, trials } = counts;
  if (!Number.isFinite(events) || !Number.isFinite(trials)) {
    return `${side} counts are not finite numbers (events ${String(events)}, trials ${String(trials)})`;
  }
  if (events < 0 || trials < 0) {
    return `${side} counts are negative (events ${String(events)}, trials ${String(trials)})`;
  }
  if (Math.round(events) > Math.round(trials)) {
    return `${side} has more events than trials (${String(events)} > ${String(trials)}); check that both count the same requests`;
  }
  return null;
}

function safeCount(x: number): number {
  return Number.isFinite(x) && x > 0 ? Math.round(x) : 0;
}

function noDecision(
  n: ComparisonResult['n'],
  spending: LookAlpha,
  sequential: ComparisonResult['sequential'],
  rule: string,
): ComparisonResult {
  const intervalAlpha = spending.alpha > 0 ? spending.alpha : spending.total;
  return {
    test: 'none',
    n,
    // Nothing is known about the difference: the whole range.
    effect: { name: effectName, estimate: 0, ci: [-1, 1], confidence: 1 - 2 * intervalAlpha },
    pValue: null,
    alpha: spending.alpha,
    decision: 'inconclusive',
    rule,
    sequential,
  };
}
