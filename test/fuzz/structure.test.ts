/**
 * Fuzzing `canary validate` with data-level mutations (nodes of other types, dropped and misspelled
 * keys, injected templates) of every shipped experiment and starter, written back as YAML or JSON.
 * FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH and FUZZ_TMPDIR as in yaml-text.test.ts.
 */
import { describe } from 'vitest';
import { structureMutations } from './fuzz-families.js';
import { fuzzFamily } from './fuzz-property.js';

describe('fuzz: structure mutations', () => {
  fuzzFamily(structureMutations);
});
