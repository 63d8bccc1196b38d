import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

/** Events out of trials, e.g. errors out of requests. */
export interface RateCounts {
  events: number;
  trials: number;
}

/**
 * Wilson score interval for one proportion with critical value z (two-sided 1 - 2 alpha when z = z_{1-alpha}).
 * Unlike the Wald interval it stays inside [0, 1] and is sensible for 0 or all events.
 */
export function wilsonInterval(counts: RateCounts, z: number): [number, number] {
  const { events, trials } = counts;
  if (trials === 0) return [0, 1];
  const p = events / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Newcombe's hybrid score interval (his method 10, 1998) for candidate rate - baseline rate: combines the
 * two Wilson intervals, so it behaves with zero events and small counts where the Wald interval collapses.
 */
export function newcombeDifference(baseline: RateCounts, candidate: RateCounts, z: number): [number, number] {
  const pb = baseline.events / baseline.trials;
  const pc = candidate.events / candidate.trials;
  const [lb, ub] = wilsonInterval(baseline, z);
  const [lc, uc] = wilsonInterval(candidate, z);
  const d = pc - pb;
  const lower = d - Math.sqrt((pc - lc) ** 2 + (ub - pb) ** 2);
  const upper = d + Math.sqrt((uc - pc) ** 2 + (pb - lb) ** 2);
  return [Math.max(-1, lower), Math.min(1, upper)];
}

/**
 * One-sided Fisher exact test: P(candidate events >= observed) given both margins, i.e. the upper tail of
 * the hypergeometric distribution of the candidate's events. Sums the tail's terms (rather than 1 - cdf)
 * so tiny p-values keep their precision: the first from the pmf, the next by the exact ratio of
 * consecutive terms. The tail has at most the smallest margin + 1 terms.
 */
export function fisherExactGreater(baseline: RateCounts, candidate: RateCounts): number {
  const population = baseline.trials + candidate.trials;
  const events = baseline.events + candidate.events;
  const draws = candidate.trials;
  const highest = Math.min(events, draws);
  let term = hypergeometricPmf(candidate.events, population, events, draws);
  let p = 0;
  for (let x = candidate.events; x <= highest && term > 0; x++) {
    p += term;
    term *= ((events - x) * (draws - x)) / ((x + 1) * (population - events - draws + x + 1));
  }
  return Math.min(1, p);
}

/** One-sided pooled two-proportion z test of "candidate rate > baseline rate"; requires some events and non-events. */
export function twoProportionZ(baseline: RateCounts, candidate: RateCounts): { z: number; pValue: number } {
  const pb = baseline.events / baseline.trials;
  const pc = candidate.events / candidate.trials;
  const pooled = (baseline.events + candidate.events) / (baseline.trials + candidate.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.trials + 1 / candidate.trials));
  const z = (pc - pb) / se;
  return { z, pValue: normalCdf(-z, 0, 1) };
}

/** The smallest expected cell count of the 2x2 table under "same rate" (Cochran's rule uses it: < 5 -> exact). */
export function smallestExpectedCell(baseline: RateCounts, candidate: RateCounts): number {
  const total = baseline.trials + candidate.trials;
  const events = baseline.events + candidate.events;
  const nonEvents = total - events;
  const smallestRow = Math.min(baseline.trials, candidate.trials);
  return (smallestRow * Math.min(events, nonEvents)) / total;
}
