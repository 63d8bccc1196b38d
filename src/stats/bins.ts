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
  for (let index = 0; index < bins.length; index++) {
    const bin = bins[index] as Bin;
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
  if (x === y) return true;
  return (
    Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y))
  );
}

/**
 * Re-bins two histograms onto the edges both can be cut at, without interpolation: an edge is usable for a
 * histogram when it is one of its uppers or lies at or above its last upper (nothing is counted beyond it).
 * Counts are summed exactly; when the two edge sets interleave, resolution drops to the coarsest common
 * grid. Assumes valid bins (see binsProblem).
 */
export function alignBins(first: Bin[], second: Bin[]): [Bin[], Bin[]] {
  if (first.length === second.length && first.every((bin, index) => bin.upper === second[index]?.upper)) {
    return [first.map((bin) => ({ ...bin })), second.map((bin) => ({ ...bin }))];
  }
  const union = [...first, ...second].map((bin) => bin.upper).sort((x, y) => x - y);
  const edges: number[] = [];
  for (const edge of union) {
    const last = edges[edges.length - 1];
    if (last === undefined || !sameEdge(last, edge)) edges.push(edge);
  }
  const usableFirst = usableEdges(first, edges);
  const usableSecond = usableEdges(second, edges);
  const common = edges.filter((_, index) => usableFirst[index] && usableSecond[index]);
  return [rebin(first, common), rebin(second, common)];
}

/** For each of the sorted `edges`: can `bins` be cut there? One merge-like pass over both sorted lists. */
function usableEdges(bins: Bin[], edges: number[]): boolean[] {
  const last = bins[bins.length - 1]?.upper ?? -Infinity;
  let index = 0;
  return edges.map((edge) => {
    if (edge >= last || sameEdge(edge, last)) return true;
    while (
      index < bins.length &&
      (bins[index] as Bin).upper < edge &&
      !sameEdge((bins[index] as Bin).upper, edge)
    ) {
      index++;
    }
    return index < bins.length && sameEdge((bins[index] as Bin).upper, edge);
  });
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
 * The value at `rank` (0..total) of the binned sample, interpolated within the bin that holds it. In the
 * open top bin the value is its lower edge. Requires at least one observation.
 */
export function valueAtRank(bins: Bin[], rank: number): BinnedValue {
  return valuesAtRanks(bins, [rank])[0] as BinnedValue;
}

/** valueAtRank for several ranks in one pass over the bins. */
export function valuesAtRanks(bins: Bin[], ranks: number[]): BinnedValue[] {
  const total = totalCount(bins);
  if (!(total > 0)) throw new RangeError('valueAtRank needs a histogram with at least one observation');
  const order = ranks.map((_, index) => index).sort((x, y) => (ranks[x] as number) - (ranks[y] as number));
  const values: BinnedValue[] = new Array<BinnedValue>(ranks.length);
  let below = 0;
  let lower = firstLower(bins);
  let next = 0;
  for (let index = 0; index < bins.length && next < order.length; index++) {
    const bin = bins[index] as Bin;
    while (next < order.length && bin.count > 0) {
      const slot = order[next] as number;
      const target = Math.min(Math.max(ranks[slot] as number, 0), total);
      // The last non-empty bin takes any rank that rounding left beyond `below + count`.
      if (below + bin.count < target && below + bin.count < total * (1 - 1e-12)) break;
      values[slot] =
        bin.upper === Infinity
          ? { value: lower, open: true }
          : {
              value: interpolate(lower, bin.upper, Math.min(target - below, bin.count) / bin.count),
              open: false,
            };
      next++;
    }
    below += bin.count;
    lower = bin.upper;
  }
  return values;
}

/**
 * Where the `fraction` of a bin's observations lies in (lower, upper]. Bins with positive edges are read
 * as evenly filled on a log scale (geometric interpolation): latency is right-skewed and bucket edges grow
 * geometrically, and linear interpolation (histogram_quantile's) overstates values in wide buckets whose
 * density falls off. The first bin (0, upper] and bins reaching zero or below are read linearly.
 */
function interpolate(lower: number, upper: number, fraction: number): number {
  if (lower > 0) return lower * (upper / lower) ** fraction;
  return lower + (upper - lower) * fraction;
}

function firstLower(bins: Bin[]): number {
  const upper = bins[0]?.upper ?? 0;
  return upper > 0 ? 0 : upper;
}
