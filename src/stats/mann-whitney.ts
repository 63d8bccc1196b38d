import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { totalCount, type Bin } from './bins.js';

export interface MannWhitneyResult {
  /** U of the candidate: pairs (baseline, candidate) with candidate larger, plus half the tied pairs. */
  u: number;
  /** E[U] and Var[U] under "same distribution", the variance corrected for ties. */
  mean: number;
  variance: number;
  /** (U - mean - 0.5) / sd: normal approximation with continuity correction; null when every value ties. */
  z: number | null;
  /** One-sided p-value of "candidate stochastically larger". */
  pValue: number;
  /** Probability of superiority P(candidate > baseline) + P(tie)/2 = U / (n1 n2). */
  superiority: number;
  /** DeLong's nonparametric variance of `superiority` (valid away from "no difference" too). */
  superiorityVariance: number;
}

/**
 * Mann-Whitney U test on two histograms with the SAME edges (see alignBins): every observation in a bin
 * ties with all others in that bin and gets the bin's mid-rank. Requires observations on both sides.
 */
export function mannWhitneyBinned(baseline: Bin[], candidate: Bin[]): MannWhitneyResult {
  const n1 = totalCount(baseline);
  const n2 = totalCount(candidate);
  const total = n1 + n2;
  let u = 0;
  let ties = 0;
  let baselineBelow = 0;
  for (let index = 0; index < candidate.length; index++) {
    const inCandidate = (candidate[index] as Bin).count;
    const inBaseline = baseline[index]?.count ?? 0;
    u += inCandidate * (baselineBelow + inBaseline / 2);
    const tied = inCandidate + inBaseline;
    ties += tied ** 3 - tied;
    baselineBelow += inBaseline;
  }
  const mean = (n1 * n2) / 2;
  const variance = total > 1 ? ((n1 * n2) / 12) * (total + 1 - ties / (total * (total - 1))) : 0;
  // Rounding can leave a tiny positive variance when every observation is in one bin.
  const z = variance > 1e-9 * mean ? (u - mean - 0.5) / Math.sqrt(variance) : null;
  // All tied: U equals its mean in every permutation, so P(U >= observed) = 1.
  const pValue = z === null ? 1 : normalCdf(-z, 0, 1);
  const superiority = u / (n1 * n2);
  return {
    u,
    mean,
    variance,
    z,
    pValue,
    superiority,
    superiorityVariance: delongVariance(baseline, candidate, superiority),
  };
}

/** DeLong et al. (1988): the variance of the AUC from the placement values of each sample. */
function delongVariance(baseline: Bin[], candidate: Bin[], superiority: number): number {
  const n1 = totalCount(baseline);
  const n2 = totalCount(candidate);
  // Too few observations for a sample variance: the largest variance a [0, 1] quantity can have.
  if (n1 < 2 || n2 < 2) return 0.25;
  let candidateSpread = 0;
  let baselineSpread = 0;
  let baselineBelow = 0;
  let candidateAbove = n2;
  for (let index = 0; index < baseline.length; index++) {
    const inBaseline = (baseline[index] as Bin).count;
    const inCandidate = candidate[index]?.count ?? 0;
    candidateAbove -= inCandidate;
    // Placement of a candidate observation in this bin among the baseline, and vice versa.
    const candidatePlacement = (baselineBelow + inBaseline / 2) / n1;
    const baselinePlacement = (candidateAbove + inCandidate / 2) / n2;
    candidateSpread += inCandidate * (candidatePlacement - superiority) ** 2;
    baselineSpread += inBaseline * (baselinePlacement - superiority) ** 2;
    baselineBelow += inBaseline;
  }
  return candidateSpread / (n2 - 1) / n2 + baselineSpread / (n1 - 1) / n1;
}
