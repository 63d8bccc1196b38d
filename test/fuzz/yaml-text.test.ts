/**
 * Fuzzing `canary validate` with text-level mutations of every shipped experiment and starter.
 * FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> sets the documents per run over all fuzz families
 * (default 10000), FUZZ_PATH=<path> with FUZZ_SEED replays one failing case as fast-check printed it.
 */
import fc from 'fast-check';
import { describe } from 'vitest';
import { seedDocuments } from './fuzz-seeds.js';
import { fuzzFamily } from './fuzz-property.js';
import { applyTextMutations, hostileFragments, textMutation } from './yaml-mutations.js';

describe('fuzz: YAML text mutations', () => {
  fuzzFamily('line and token mutations', {
    share: 0.45,
    arbitrary: fc.record({
      seed: fc.nat({ max: seedDocuments.length - 1 }),
      mutations: fc.array(textMutation, { minLength: 1, maxLength: 4 }),
    }),
    toDocument: ({ seed, mutations }) => ({ text: applyTextMutations(seedDocuments[seed]!.text, mutations) }),
    expectKinds: ['valid', 'invalid'],
  });

  fuzzFamily('hostile and non-YAML documents', {
    share: 0.03,
    arbitrary: fc.oneof(
      fc.constantFrom(...hostileFragments.map((f) => f.text)),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.string({ unit: 'binary', maxLength: 200 }),
    ),
    toDocument: (text) => ({ text }),
    expectKinds: ['invalid'],
  });
});
