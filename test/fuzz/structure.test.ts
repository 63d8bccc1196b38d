/**
 * Fuzzing `canary validate` with data-level mutations (nodes of other types, dropped and misspelled
 * keys, injected templates) of every shipped experiment and starter, written back as YAML or JSON.
 * FUZZ_SEED, FUZZ_RUNS and FUZZ_PATH as in yaml-text.test.ts.
 */
import fc from 'fast-check';
import { describe } from 'vitest';
import { seedDocuments } from './fuzz-seeds.js';
import { fuzzFamily } from './fuzz-property.js';
import { applyStructureMutations, serialization, structureMutation } from './structure-mutations.js';

describe('fuzz: structure mutations', () => {
  fuzzFamily('node, key and type mutations', {
    share: 0.35,
    arbitrary: fc.record({
      seed: fc.nat({ max: seedDocuments.length - 1 }),
      mutations: fc.array(structureMutation, { minLength: 1, maxLength: 3 }),
      style: serialization,
    }),
    toDocument: ({ seed, mutations, style }) => ({
      text: applyStructureMutations(seedDocuments[seed]!.text, mutations, style),
    }),
    expectKinds: ['valid', 'invalid'],
  });
});
