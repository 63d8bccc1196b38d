import { Int32Histogram, type JsHistogram } from 'hdr-histogram-js';

/** Latencies in microseconds, 3 significant digits (0.1% resolution at any magnitude). */
export type LatencyHistogram = JsHistogram;

/** Covers a minute before growing; the histogram resizes itself for longer (timed-out, queued) values. */
const initialHighestMicros = 60_000_000;

export function createLatencyHistogram(): LatencyHistogram {
  const histogram = new Int32Histogram(1, initialHighestMicros, 3);
  histogram.autoResize = true;
  return histogram;
}

/** Rounds to the microsecond; anything faster than 1 µs is 1 µs, so the min stays non-zero. */
export function recordLatencyMs(histogram: LatencyHistogram, ms: number): void {
  histogram.recordValue(ms >= 0.0015 ? Math.round(ms * 1000) : 1);
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  stddevMs: number;
  minMs: number;
  maxMs: number;
  percentiles: Array<{ percentile: number; valueMs: number }>;
}

/** Undefined when nothing was recorded: no latency is better than a made-up zero. */
export function summarizeLatency(
  histogram: LatencyHistogram,
  percentiles: readonly number[],
): LatencySummary | undefined {
  if (histogram.totalCount === 0) return undefined;
  const minMicros = histogram.minNonZeroValue;
  const maxMicros = histogram.maxValue;
  return {
    count: histogram.totalCount,
    meanMs: histogram.mean / 1000,
    stddevMs: histogram.stdDeviation / 1000,
    minMs: minMicros / 1000,
    maxMs: maxMicros / 1000,
    // HDR reports the top of a value's 0.1% bucket; clamping keeps p100 from exceeding the true max.
    percentiles: percentiles.map((percentile) => ({
      percentile,
      valueMs: clamp(histogram.getValueAtPercentile(percentile), minMicros, maxMicros) / 1000,
    })),
  };
}

/** `  latency ms: mean … min … p50 … max …`, the loop record's latency line; undefined when nothing was recorded. */
export function latencyLine(histogram: LatencyHistogram, percentiles: readonly number[]): string | undefined {
  const latency = summarizeLatency(histogram, percentiles);
  if (!latency) return undefined;
  const parts = [
    `mean ${ms(latency.meanMs)}`,
    `min ${ms(latency.minMs)}`,
    ...latency.percentiles.map((p) => `p${p.percentile} ${ms(p.valueMs)}`),
    `max ${ms(latency.maxMs)}`,
  ];
  return `  latency ms: ${parts.join(' ')}`;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(1) : value.toFixed(3);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

export interface LatencyBucket {
  /** Inclusive upper bound; the bucket holds latencies above the previous bucket's bound. */
  upperMs: number;
  count: number;
}

/** Ten bounds per decade, each a round number, so reports of different runs line up bucket for bucket. */
const mantissas = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80] as const;
/** The lowest bound, 10 µs; faster responses are counted in it. */
const lowestBoundMicros = 10;

/**
 * The histogram in fixed, data-independent buckets (10 µs, 12 µs, 15 µs, ... 1 ms, 1.2 ms, ...), from the
 * bucket of the fastest latency to that of the slowest, empty buckets in between included. Counts sum to
 * the histogram's total; each value is placed by the lower end of its 0.1% HDR bucket.
 */
export function latencyBuckets(histogram: LatencyHistogram): LatencyBucket[] {
  if (histogram.totalCount === 0) return [];
  const counts = new Map<number, number>();
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    const bound = boundIndexOf(histogram.lowestEquivalentValue(step.valueIteratedTo));
    counts.set(bound, (counts.get(bound) ?? 0) + step.countAtValueIteratedTo);
  }
  const indexes = [...counts.keys()];
  const first = Math.min(...indexes);
  const last = Math.max(...indexes);
  const buckets: LatencyBucket[] = [];
  for (let index = first; index <= last; index++) {
    buckets.push({ upperMs: boundMicros(index) / 1000, count: counts.get(index) ?? 0 });
  }
  return buckets;
}

/**
 * The histogram as bins for rank tests: the buckets, led by an empty bin that closes at the first
 * bucket's lower edge. Without it, a reader takes the first bucket to start at 0 and places its
 * observations (and any median in it) far below where they were.
 */
export function latencyBins(histogram: LatencyHistogram): Array<{ upper: number; count: number }> {
  const buckets = latencyBuckets(histogram);
  const first = buckets[0];
  if (!first) return [];
  const index = boundIndexOf(Math.round(first.upperMs * 1000));
  const lead = index > 0 ? [{ upper: boundMicros(index - 1) / 1000, count: 0 }] : [];
  return [...lead, ...buckets.map(({ upperMs, count }) => ({ upper: upperMs, count }))];
}

/** Bound i is mantissas[i % 10] * 10^floor(i / 10) microseconds (bound 0 is 10 µs). */
function boundMicros(index: number): number {
  const mantissa = mantissas[index % mantissas.length]!;
  return mantissa * 10 ** Math.floor(index / mantissas.length);
}

/** Index of the smallest bound >= the value. */
function boundIndexOf(micros: number): number {
  if (micros <= lowestBoundMicros) return 0;
  let index = Math.max(0, (Math.floor(Math.log10(micros)) - 1) * mantissas.length - 1);
  while (boundMicros(index) < micros) index++;
  return index;
}
