// Statistics for comparing a baseline version with a candidate (see docs/statistics.md).
export {
  lookAlpha,
  obrienFlemingSpent,
  openEndedSpent,
  type LookAlpha,
  type LookOptions,
  type SpendingMethod,
} from './alpha-spending.js';
export {
  alignBins,
  binsFromCumulative,
  binsProblem,
  totalCount,
  valueAtRank,
  type Bin,
  type BinnedValue,
  type CumulativeBucket,
} from './bins.js';
export { compareDistributions, type DistributionOptions, type Tolerance } from './compare-distributions.js';
export { compareRates, fisherBelowExpected, type RateOptions } from './compare-rates.js';
export { mannWhitneyBinned, type MannWhitneyResult } from './mann-whitney.js';
export { binnedMedian, medianShift, type BinnedMedian, type MedianShift } from './median-shift.js';
export {
  fisherExactGreater,
  newcombeDifference,
  twoProportionZ,
  wilsonInterval,
  type RateCounts,
} from './proportions.js';
