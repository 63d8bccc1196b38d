/**
 * One histogram bin: the NON-cumulative count of observations in (previous upper, upper]. Bins are sorted by
 * `upper`, ascending; the last upper may be Infinity. The first bin starts at 0 when its upper is positive
 * (latencies, sizes), as in Prometheus' histogram_quantile.
 */
export interface Bin {
  upper: number;
  count: number;
}

/** A Prometheus cumulative bucket: observations <= le (le = Infinity for "+Inf"). */
export interface CumulativeBucket {
  le: number;
  count: number;
}

/**
 * Prometheus cumulative buckets -> bins. Buckets may come in any order and repeat an `le` (the larger count
 * wins). Counts that decrease with `le` (scrapes of different buckets at slightly different times, or
 * extrapolating increase()) are raised to the running maximum, as histogram_quantile does, so no bin is
 * negative. Throws RangeError on a NaN `le` or a non-finite count: that is a bug in the caller's parsing.
 */
export function binsFromCumulative(buckets: CumulativeBucket[]): Bin[] {
  for (const [index, bucket] of buckets.entries()) {
    if (Number.isNaN(bucket.le) || !Number.isFinite(bucket.count)) {
      throw new RangeError(
        `bucket ${String(index)} has le ${String(bucket.le)} and count ${String(bucket.count)}; le must be a number (Infinity for +Inf) and count finite`,
      );
    }
  }
  const sorted = [...buckets].sort((x, y) => x.le - y.le);
  const bins: Bin[] = [];
  let previous = 0;
  for (const bucket of sorted) {
    const cumulative = Math.max(previous, bucket.count);
    const last = bins[bins.length - 1];
    if (last !== undefined && last.upper === bucket.le) {
      last.count += cumulative - previous;
    } else {
      bins.push({ upper: bucket.le, count: cumulative - previous });
    }
    previous = cumulative;
  }
  return bins;
}

/** Why these bins cannot be used (unsorted, NaN, negative or non-finite counts), or null when they can. */
export function binsProblem(side: string, bins: Bin[]): string | null {
  for (const [index, bin] of bins.entries()) {
    if (Number.isNaN(bin.upper)) return `${side} bin ${String(index)} has upper NaN`;
    if (!Number.isFinite(bin.count) || bin.count < 0) {
      return `${side} bin ${String(index)} (upper ${String(bin.upper)}) has count ${String(bin.count)}; counts must be finite and >= 0`;
    }
    const previous = bins[index - 1];
    if (previous !== undefined && !(bin.upper > previous.upper)) {
      return `${side} bins are not sorted by upper bound: bin ${String(index)} has upper ${String(bin.upper)} after ${String(previous.upper)}`;
    }
  }
  return null;
}

export function totalCount(bins: Bin[]): number {
  return bins.reduce((sum, bin) => sum + bin.count, 0);
}

// Edges computed in floating point (HDR histograms, unit conversions) may differ in the last bits.
function sameEdge(x: number, y: number): boolean {
  return x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/**
 * Re-bins two histograms onto the edges both can be cut at, without interpolation: an edge is usable for a
 * histogram when it is one of its uppers or lies at or above its last upper (nothing is counted beyond it).
 * Counts are summed exactly; when the two edge sets interleave, resolution drops to the coarsest common
 * grid. Assumes valid bins (see binsProblem).
 */
export function alignBins(first: Bin[], second: Bin[]): [Bin[], Bin[]] {
  const union = [...first, ...second].map((bin) => bin.upper).sort((x, y) => x - y);
  const edges: number[] = [];
  for (const edge of union) {
    const last = edges[edges.length - 1];
    if (last === undefined || !sameEdge(last, edge)) edges.push(edge);
  }
  const common = edges.filter((edge) => usableEdge(first, edge) && usableEdge(second, edge));
  return [rebin(first, common), rebin(second, common)];
}

function usableEdge(bins: Bin[], edge: number): boolean {
  const last = bins[bins.length - 1];
  if (last === undefined || edge >= last.upper || sameEdge(edge, last.upper)) return true;
  return bins.some((bin) => sameEdge(bin.upper, edge));
}

function rebin(bins: Bin[], edges: number[]): Bin[] {
  const result: Bin[] = [];
  let index = 0;
  for (const edge of edges) {
    let count = 0;
    for (; index < bins.length; index++) {
      const bin = bins[index] as Bin;
      if (!(bin.upper <= edge || sameEdge(bin.upper, edge))) break;
      count += bin.count;
    }
    result.push({ upper: edge, count });
  }
  return result;
}

/** A value read off a histogram; `open` when it fell in the top bin (x, Infinity] and is only a lower bound. */
export interface BinnedValue {
  value: number;
  open: boolean;
}

/**
 * The value at `rank` (0..total) of the binned sample, interpolating linearly within the bin that holds it
 * (observations assumed spread evenly over the bin). In the open top bin the value is its lower edge.
 * Requires at least one observation.
 */
export function valueAtRank(bins: Bin[], rank: number): BinnedValue {
  const total = totalCount(bins);
  const target = Math.min(Math.max(rank, 0), total);
  let below = 0;
  let lower = firstLower(bins);
  for (const bin of bins) {
    if (bin.count > 0 && below + bin.count >= target) {
      if (bin.upper === Infinity) return { value: lower, open: true };
      return { value: lower + ((bin.upper - lower) * (target - below)) / bin.count, open: false };
    }
    below += bin.count;
    lower = bin.upper;
  }
  throw new RangeError('valueAtRank needs a histogram with at least one observation');
}

function firstLower(bins: Bin[]): number {
  const upper = bins[0]?.upper ?? 0;
  return upper > 0 ? 0 : upper;
}
