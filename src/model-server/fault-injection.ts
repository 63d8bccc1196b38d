import { createSeededRandom } from './seeded-random.js';

export interface FaultOptions {
  /** Milliseconds added to every predict response. */
  delayMs?: number;
  /** Up to this many more milliseconds, uniformly drawn from a seeded PRNG. */
  jitterMs?: number;
  /** Fraction (0..1) of valid predict requests answered with 500. */
  errorRate?: number;
  /** PRNG seed for the jitter and the model latency (default 1). */
  seed?: number;
  /**
   * Median of a simulated model's own latency, in ms (0 or absent: none). Each response waits a
   * log-normal draw, median * e^(sigma * Z), before delayMs and jitter are added: a real model's
   * latency is a few ms with a right tail, so demo figures look like one's.
   */
  modelLatencyMs?: number;
  /** Spread of that log-normal (default 0.35: p90 is about 1.57 x the median). */
  modelLatencySigma?: number;
}

export const defaultModelLatencySigma = 0.35;

export interface FaultInjector {
  /** The delay for the next predict response. */
  nextDelayMs(): number;
  /** Whether the next valid predict request fails; call once per such request, in order. */
  nextRequestFails(): boolean;
}

/** Error rates are resolved to parts per million so the failure schedule is exact integer math. */
const ratePrecision = 1_000_000;

/**
 * Deterministic faults for demos. Failures are spread evenly: request k (1-based) fails when
 * floor(k * rate) > floor((k - 1) * rate), so the first N requests hold exactly floor(N * rate)
 * failures, for any rate, with no randomness to make a test or a demo flaky.
 */
export function createFaultInjector(options: FaultOptions = {}): FaultInjector {
  const delayMs = options.delayMs ?? 0;
  const jitterMs = options.jitterMs ?? 0;
  const rate = Math.round((options.errorRate ?? 0) * ratePrecision);
  const random = createSeededRandom(options.seed ?? 1);
  const modelLatency = logNormal(
    options.modelLatencyMs ?? 0,
    options.modelLatencySigma ?? defaultModelLatencySigma,
    random,
  );
  let served = 0;
  return {
    nextDelayMs: () => modelLatency() + delayMs + (jitterMs > 0 ? random() * jitterMs : 0),
    nextRequestFails: () => {
      served++;
      return Math.floor((served * rate) / ratePrecision) > Math.floor(((served - 1) * rate) / ratePrecision);
    },
  };
}

/** Draws of median * e^(sigma * Z), Z standard normal by Box-Muller; 0 when the median is 0. */
function logNormal(medianMs: number, sigma: number, random: () => number): () => number {
  if (!(medianMs > 0)) return () => 0;
  return () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * z);
  };
}

/** Problems with fault options, as messages; empty when they are usable. */
export function checkFaultOptions(options: FaultOptions, subject: string): string[] {
  const problems: string[] = [];
  const nonNegative = (value: number | undefined, name: string) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      problems.push(`${subject}: ${name} must be a number >= 0 (got ${value})`);
    }
  };
  nonNegative(options.delayMs, 'delayMs');
  nonNegative(options.jitterMs, 'jitterMs');
  nonNegative(options.modelLatencyMs, 'modelLatencyMs');
  nonNegative(options.modelLatencySigma, 'modelLatencySigma');
  const rate = options.errorRate;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    problems.push(`${subject}: errorRate must be a number from 0 to 1 (got ${rate})`);
  }
  return problems;
}
