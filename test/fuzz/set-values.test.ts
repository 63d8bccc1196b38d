/**
 * Fuzzing `canary validate` with `--set`, `--set-string` and `-f` values: on their own (experiments
 * built from values, Iter8 style) and with the shipped experiments that read values.
 * FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH and FUZZ_TMPDIR as in yaml-text.test.ts.
 */
import { describe } from 'vitest';
import { valuesAlone, valuesWithExperiment } from './fuzz-families.js';
import { fuzzFamily } from './fuzz-property.js';

describe('fuzz: --set and values files', () => {
  fuzzFamily(valuesWithExperiment);
  fuzzFamily(valuesAlone);
});
