/**
 * Fuzzing `canary validate` with text-level mutations of every shipped experiment and starter, and
 * with hostile and non-YAML documents. Environment:
 *   FUZZ_SEED=<n>   replay a run (every test title names its seed)
 *   FUZZ_RUNS=<n>   documents per run over all fuzz families (default 10000)
 *   FUZZ_PATH=<p>   with FUZZ_SEED, replay the one failing case fast-check printed (its `path`)
 *   FUZZ_TMPDIR     scratch directory (default /dev/shm when present, else the system's)
 * A document that hangs in synchronous code kills the test process; the report (the document and
 * its arguments) is printed and saved to $TMPDIR/canary-fuzz-hang-<seed>.txt.
 */
import { describe } from 'vitest';
import { hostileDocuments, textMutations } from './fuzz-families.js';
import { fuzzFamily } from './fuzz-property.js';

describe('fuzz: YAML text mutations', () => {
  fuzzFamily(textMutations);
  fuzzFamily(hostileDocuments);
});
