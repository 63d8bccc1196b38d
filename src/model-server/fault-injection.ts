import { createSeededRandom } from './seeded-random.js';

export interface FaultOptions {
  /** Milliseconds added to every predict response. */
  delayMs?: number;
  /** Up to this many more milliseconds, uniformly drawn from a seeded PRNG. */
  jitterMs?: number;
  /** Fraction (0..1) of valid predict requests answered with 500. */
  errorRate?: number;
  /** PRNG seed for the jitter (default 1). */
  seed?: number;
}

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
  let served = 0;
  return {
    nextDelayMs: () => (jitterMs > 0 ? delayMs + random() * jitterMs : delayMs),
    nextRequestFails: () => {
      served++;
      return Math.floor((served * rate) / ratePrecision) > Math.floor(((served - 1) * rate) / ratePrecision);
    },
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
  const rate = options.errorRate;
  if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0 && rate <= 1)) {
    problems.push(`${subject}: errorRate must be a number from 0 to 1 (got ${rate})`);
  }
  return problems;
}
