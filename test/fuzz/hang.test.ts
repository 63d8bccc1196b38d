/**
 * The hang family: documents and jq programs built never to end. Each must end within its budget:
 * validate with exit 3 and a position (or valid, where RE2 keeps a regex linear), jq with a reason.
 * FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH and FUZZ_TMPDIR as in yaml-text.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractWithJq } from '../../src/metrics/backend/jq.js';
import { fuzzParameters, fuzzSeed } from './fuzz-config.js';
import { hangingTemplates, jqGenerators } from './hang-family.js';
import { fuzzFamily } from './fuzz-property.js';

describe('fuzz: hang family', () => {
  fuzzFamily(hangingTemplates);

  it(
    `jq generators end at their timeout with a reason (seed ${fuzzSeed})`,
    { timeout: 120_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(jqGenerators, async (expression) => {
          const result = await extractWithJq({ a: 1 }, expression, undefined, { timeoutMs: 300 });
          expect(result.value).toBeNull();
          expect((result as { reason: string }).reason).toMatch(/^jq: exceeded|^jq crashed|^jq: error/);
        }),
        { ...fuzzParameters(8), numRuns: 8 },
      );
    },
  );
});
