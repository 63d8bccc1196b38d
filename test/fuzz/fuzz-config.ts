/**
 * How much to fuzz, and from which seed. Every CI run draws a new seed (so runs explore different
 * documents) and names it in each test's title; FUZZ_SEED replays one, FUZZ_RUNS scales the total.
 */
const DEFAULT_TOTAL_RUNS = 10_000;

function readInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

export const fuzzSeed: number = readInteger('FUZZ_SEED') ?? (Math.random() * 2 ** 31) | 0;

const totalRuns = readInteger('FUZZ_RUNS') ?? DEFAULT_TOTAL_RUNS;

/** A family's share of the total, e.g. runsFor(0.5) for half the documents. */
export function runsFor(share: number): number {
  return Math.max(1, Math.round(totalRuns * share));
}

/** fast-check parameters for one property; `path` from a failure report replays just that case. */
export function fuzzParameters(numRuns: number): { seed: number; numRuns: number; path?: string } {
  const replayPath = process.env.FUZZ_PATH;
  return { seed: fuzzSeed, numRuns, ...(replayPath ? { path: replayPath } : {}) };
}
