import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Which look at the data this is, and the overall false-alarm budget across all looks. */
export interface LookOptions {
  /** Overall one-sided significance level across all looks; default 0.05. */
  alpha?: number;
  /** 1-based index of this look (the loop); default 1. */
  look?: number;
  /**
   * Planned number of looks (maxLoops), or null for open-ended looks (cron loops without an end).
   * Default 1: a single look. Pass it whenever there can be more than one look: a look beyond the plan gets
   * no alpha (and so never decides), which keeps a forgotten option from inflating false alarms.
   */
  looks?: number | null;
}

export type SpendingMethod = 'single-look' | 'lan-demets-obrien-fleming' | 'open-ended-6/(pi^2 k^2)';

/** The significance level granted to one look and the budget spent up to and including it. */
export interface LookAlpha {
  /** Significance level for this look's one-sided tests and confidence bounds (0 once the budget is spent). */
  alpha: number;
  /** Cumulative alpha spent by looks 1..look. */
  alphaSpent: number;
  /** The overall budget. */
  total: number;
  method: SpendingMethod;
  look: number;
  looks: number | null;
}

/**
 * Lan-DeMets spending function of O'Brien-Fleming type for a one-sided level `alpha`:
 * alpha(t) = 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)), t the information fraction. Spends almost nothing early
 * (when little data is in) and keeps most of the budget for the last looks.
 */
export function obrienFlemingSpent(alpha: number, t: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  const boundary = -normalQuantile(alpha / 2, 0, 1);
  // 2 Phi(-x) rather than 2 - 2 Phi(x): keeps precision for the tiny amounts spent early.
  return 2 * normalCdf(-boundary / Math.sqrt(t), 0, 1);
}

/** Open-ended spending: look k gets alpha 6/(pi^2 k^2); the series sums to alpha over infinitely many looks. */
export function openEndedSpent(alpha: number, look: number): number {
  let sum = 0;
  for (let k = 1; k <= look; k++) sum += 1 / (k * k);
  return (alpha * 6 * sum) / (Math.PI * Math.PI);
}

/**
 * The alpha for one look. Using the increment of the spending function as the look's own level is
 * conservative: by the union bound, the chance that any look raises a false alarm is at most the total.
 * Throws RangeError for options that are not a valid configuration (a caller's bug or a schema gap).
 */
export function lookAlpha(options: LookOptions = {}): LookAlpha {
  const total = options.alpha ?? 0.05;
  const look = options.look ?? 1;
  const looks = options.looks === undefined ? 1 : options.looks;
  if (!(total > 0 && total < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${String(total)}`);
  if (!Number.isInteger(look) || look < 1) {
    throw new RangeError(`look must be an integer >= 1 (the 1-based loop index), got ${String(look)}`);
  }
  if (looks !== null && (!Number.isInteger(looks) || looks < 1)) {
    throw new RangeError(
      `looks must be an integer >= 1 (maxLoops) or null (open-ended), got ${String(looks)}`,
    );
  }
  if (looks === null) {
    const alphaSpent = openEndedSpent(total, look);
    const alpha = (total * 6) / (Math.PI * Math.PI * look * look);
    return { alpha, alphaSpent, total, method: 'open-ended-6/(pi^2 k^2)', look, looks };
  }
  if (looks === 1) {
    return { alpha: look === 1 ? total : 0, alphaSpent: total, total, method: 'single-look', look, looks };
  }
  if (look > looks) {
    // The plan is over: the budget is spent, nothing is left for this look.
    return { alpha: 0, alphaSpent: total, total, method: 'lan-demets-obrien-fleming', look, looks };
  }
  const alphaSpent = obrienFlemingSpent(total, look / looks);
  const alpha = alphaSpent - obrienFlemingSpent(total, (look - 1) / looks);
  return { alpha, alphaSpent, total, method: 'lan-demets-obrien-fleming', look, looks };
}

/** Why a look has no alpha left, for rule texts; null when it has some. */
export function exhaustedReason(spending: LookAlpha): string | null {
  if (spending.alpha > 0) return null;
  if (spending.looks !== null && spending.look > spending.looks) {
    const planned =
      spending.looks === 1 ? 'the single planned look' : `the ${String(spending.looks)} planned looks`;
    return `look ${String(spending.look)} is beyond ${planned}, whose alpha budget (${String(spending.total)}) is spent`;
  }
  return `look ${String(spending.look)} has no alpha left to spend`;
}

/** One-sided critical value for a look: z with P(Z > z) = alpha. Accurate for tiny alphas. */
export function criticalZ(alpha: number): number {
  return -normalQuantile(alpha, 0, 1);
}
