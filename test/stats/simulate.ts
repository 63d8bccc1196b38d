// Simulated experiments for the statistics tests: seeded generators, latency histograms, error counts.
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import randomBinomial from '@stdlib/random-base-binomial';
import randomNormal from '@stdlib/random-base-normal';
import type { Bin } from '../../src/stats/index.js';

/** Prometheus-like default buckets for a latency in ms. */
export const prometheusEdges = [5, 10, 25, 50, 100, 250, 500, 1000, Infinity];

/** HDR-like buckets: 2% wide (log-spaced) from 0.1 ms to about 60 s, then +Inf. */
export const hdrEdges: number[] = (() => {
  const edges: number[] = [];
  for (let edge = 0.1; edge < 60_000; edge *= 1.02) edges.push(edge);
  edges.push(Infinity);
  return edges;
})();

export type Sampler = () => number;

/** Lognormal latencies with the given median (ms) and log-scale sd, plus a constant shift (ms). */
export function lognormalSampler(seed: number, median: number, sigma: number, shift = 0): Sampler {
  const normal = randomNormal.factory(Math.log(median), sigma, { seed });
  return () => Math.exp(normal()) + shift;
}

/** Counts `n` draws into bins with the given ascending upper edges (upper edge inclusive). */
export function drawHistogram(sample: Sampler, n: number, edges: number[]): Bin[] {
  const counts = new Array<number>(edges.length).fill(0);
  for (let i = 0; i < n; i++) counts[binIndex(edges, sample())]! += 1;
  return edges.map((upper, index) => ({ upper, count: counts[index]! }));
}

function binIndex(edges: number[], x: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function addHistograms(a: Bin[], b: Bin[]): Bin[] {
  return a.map((bin, index) => ({ upper: bin.upper, count: bin.count + b[index]!.count }));
}

/** Draws the same samples into two bin layouts at once (one latency stream, two histograms). */
export function drawTwoLayouts(sample: Sampler, n: number, layouts: [number[], number[]]): [Bin[], Bin[]] {
  const values = Array.from({ length: n }, sample);
  const replay = (): number => values.pop()!;
  const copy = [...values];
  const first = drawHistogram(replay, n, layouts[0]);
  values.push(...copy);
  return [first, drawHistogram(replay, n, layouts[1])];
}

export function binomialSampler(seed: number, trials: number, p: number): () => number {
  return randomBinomial.factory(trials, p, { seed });
}

/**
 * The largest count of false alarms still consistent with a rate of at most `alpha` over `experiments`
 * independent experiments: the 99.9% quantile of Binomial(experiments, alpha).
 */
export function falseAlarmBound(experiments: number, alpha: number): number {
  return binomialQuantile(0.999, experiments, alpha);
}

/** The smallest detection count consistent with a power of at least `power`: the 0.1% quantile. */
export function powerBound(experiments: number, power: number): number {
  return binomialQuantile(0.001, experiments, power);
}
