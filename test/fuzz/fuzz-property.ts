import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fuzzParameters, fuzzSeed, runsFor } from './fuzz-config.js';
import type { FuzzFamily } from './fuzz-families.js';
import { FuzzWorkspace, type Outcome } from './validate-document.js';

/** Per test: generous, because the machine is shared; the deadline per document catches hangs. */
const TEST_TIMEOUT_MS = 10 * 60_000;

/**
 * One fuzz family as a vitest test: `share` of the run's documents, each built from a generated
 * value and validated in-process. A finding fails the property; fast-check then shrinks it and
 * prints the seed and path that replay it (FUZZ_SEED=... FUZZ_PATH=...).
 */
export function fuzzFamily<T>(options: FuzzFamily<T>): void {
  let workspace: FuzzWorkspace;
  beforeAll(() => {
    workspace = new FuzzWorkspace(fuzzSeed);
  });
  afterAll(async () => {
    await workspace.close();
  });
  const numRuns = runsFor(options.share);
  it(
    `${options.name}: ${numRuns} documents end valid or invalid with positions (seed ${fuzzSeed})`,
    async () => {
      const seen = new Map<Outcome['kind'], number>();
      await fc.assert(
        fc.asyncProperty(options.arbitrary, async (value) => {
          const outcome = await workspace.validate(options.toDocument(value));
          seen.set(outcome.kind, (seen.get(outcome.kind) ?? 0) + 1);
        }),
        fuzzParameters(numRuns),
      );
      if (numRuns >= 200) {
        for (const kind of options.expectKinds)
          expect(seen.get(kind) ?? 0, `${kind} outcomes`).toBeGreaterThan(0);
      }
    },
    TEST_TIMEOUT_MS,
  );
}
