// Simulated experiments for the statistics tests: seeded generators, latency histograms, error counts.
import binomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';
import randomBinomial from '@stdlib/random-base-binomial';
import randomNormal from '@stdlib/random-base-normal';
import { compareDistributions, compareRates, type Bin, type Tolerance } from '../../src/stats/index.js';

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

export type Layout = 'prometheus' | 'hdr';
/** single: look 1 alone at the full alpha; planned: every loop, O'Brien-Fleming over `loops`; open: looks: null. */
export type Mode = 'single' | 'planned' | 'open';
export type Tally = Record<`${Layout}-${Mode}`, number>;

export interface LatencyScenario {
  experiments: number;
  /** Observations per version per loop; loops accumulate. */
  perLoop: number;
  loops: number;
  median: number;
  sigma: number;
  /** The candidate: latencies x factor + shift. */
  factor: number;
  shift: number;
  tolerance: Tolerance;
  seed: number;
  /** Which layouts and modes to run, e.g. 'hdr-planned'. */
  analyses: Array<keyof Tally>;
}

export interface Outcome {
  /** Experiments in which some look said worse. */
  worse: Tally;
  /** Experiments whose single look said not-worse. */
  notWorse: Tally;
  /** Experiments whose single look had p < alpha. */
  significant: Tally;
}

const emptyTally = (): Tally => ({
  'prometheus-single': 0,
  'prometheus-planned': 0,
  'prometheus-open': 0,
  'hdr-single': 0,
  'hdr-planned': 0,
  'hdr-open': 0,
});

/** Simulated canary runs: each experiment draws both versions loop by loop and compares after each loop. */
export function simulateLatency(scenario: LatencyScenario): Outcome {
  const outcome: Outcome = { worse: emptyTally(), notWorse: emptyTally(), significant: emptyTally() };
  const layouts: Layout[] = ['prometheus', 'hdr'];
  for (let experiment = 0; experiment < scenario.experiments; experiment++) {
    const seed = scenario.seed + 2 * experiment;
    const baseline = lognormalSampler(seed, scenario.median, scenario.sigma);
    const candidate = lognormalSampler(
      seed + 1,
      scenario.median * scenario.factor,
      scenario.sigma,
      scenario.shift,
    );
    let b: [Bin[], Bin[]] | null = null;
    let c: [Bin[], Bin[]] | null = null;
    const alarmed = new Set<string>();
    for (let look = 1; look <= scenario.loops; look++) {
      const nb = drawTwoLayouts(baseline, scenario.perLoop, [prometheusEdges, hdrEdges]);
      const nc = drawTwoLayouts(candidate, scenario.perLoop, [prometheusEdges, hdrEdges]);
      b = b === null ? nb : [addHistograms(b[0], nb[0]), addHistograms(b[1], nb[1])];
      c = c === null ? nc : [addHistograms(c[0], nc[0]), addHistograms(c[1], nc[1])];
      for (const key of scenario.analyses) {
        const [layout, mode] = key.split('-') as [Layout, Mode];
        if (mode === 'single' && look > 1) continue;
        const index = layouts.indexOf(layout);
        const looks = mode === 'single' ? 1 : mode === 'planned' ? scenario.loops : null;
        const result = compareDistributions(b[index]!, c[index]!, {
          tolerance: scenario.tolerance,
          look,
          looks,
        });
        if (result.decision === 'worse') alarmed.add(key);
        if (mode === 'single' && result.decision === 'not-worse') outcome.notWorse[key]++;
        if (mode === 'single' && result.pValue !== null && result.pValue < result.alpha)
          outcome.significant[key]++;
      }
    }
    for (const key of alarmed) outcome.worse[key as keyof Tally]++;
  }
  return outcome;
}

export interface RateScenario {
  experiments: number;
  trialsPerLoop: number;
  loops: number;
  baselineRate: number;
  candidateRate: number;
  maxIncrease: number;
  seed: number;
}

/** Like simulateLatency for error counts; returns experiments with a worse look per mode, and Fisher use. */
export function simulateRates(scenario: RateScenario): Record<Mode, number> & { fisher: number } {
  const worse = { single: 0, planned: 0, open: 0, fisher: 0 };
  for (let experiment = 0; experiment < scenario.experiments; experiment++) {
    const seed = scenario.seed + 2 * experiment;
    const baseline = binomialSampler(seed, scenario.trialsPerLoop, scenario.baselineRate);
    const candidate = binomialSampler(seed + 1, scenario.trialsPerLoop, scenario.candidateRate);
    const b = { events: 0, trials: 0 };
    const c = { events: 0, trials: 0 };
    const alarmed = new Set<Mode>();
    for (let look = 1; look <= scenario.loops; look++) {
      b.events += baseline();
      c.events += candidate();
      b.trials += scenario.trialsPerLoop;
      c.trials += scenario.trialsPerLoop;
      for (const mode of ['single', 'planned', 'open'] as const) {
        if (mode === 'single' && look > 1) continue;
        const looks = mode === 'single' ? 1 : mode === 'planned' ? scenario.loops : null;
        const result = compareRates(b, c, { maxIncrease: scenario.maxIncrease, look, looks });
        if (result.decision === 'worse') alarmed.add(mode);
        if (mode === 'single' && result.test === 'fisher-exact') worse.fisher++;
      }
    }
    for (const mode of alarmed) worse[mode]++;
  }
  return worse;
}
