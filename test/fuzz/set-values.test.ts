/**
 * Fuzzing `canary validate` with `--set`, `--set-string` and `-f` values: on their own (experiments
 * built from values, Iter8 style) and with the shipped experiments that read values.
 * FUZZ_SEED, FUZZ_RUNS and FUZZ_PATH as in yaml-text.test.ts.
 */
import fc from 'fast-check';
import { describe } from 'vitest';
import { seedsReadingValues } from './fuzz-seeds.js';
import { fuzzFamily } from './fuzz-property.js';
import { mutatedSeedSets, noValueArguments, valueArguments } from './set-arguments.js';

describe('fuzz: --set and values files', () => {
  fuzzFamily('values with an experiment that reads them', {
    share: 0.09,
    arbitrary: fc.record({ seed: fc.nat({ max: seedsReadingValues.length - 1 }), args: valueArguments }),
    toDocument: ({ seed, args }) => ({ text: seedsReadingValues[seed]!.text, ...args }),
    expectKinds: ['valid', 'invalid', 'usage'],
  });

  fuzzFamily('values alone (experiment built from values)', {
    share: 0.08,
    arbitrary: fc.record({
      sets: mutatedSeedSets,
      rest: fc.oneof(fc.constant(noValueArguments), valueArguments),
    }),
    toDocument: ({ sets, rest }) => ({ ...rest, sets: [...sets, ...rest.sets] }),
    expectKinds: ['valid', 'invalid', 'usage'],
  });
});
