import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoTemplateError, parseGoTemplate } from '../../../src/metrics/go-template/index.js';
import { goldenRoot, readGoldenCases, type GoldenCase } from './golden-cases.js';

function render(testCase: GoldenCase): GoldenCase['expected'] {
  try {
    return { output: parseGoTemplate(testCase.source, testCase.name).execute(testCase.values) };
  } catch (error) {
    if (error instanceof GoTemplateError) return { phase: error.phase, message: error.message };
    throw error;
  }
}

const suites = [
  { title: 'golden cases rendered by Go text/template + Sprig', directory: goldenRoot },
  { title: 'edge cases rendered by Go text/template + Sprig', directory: join(goldenRoot, 'edge') },
];

for (const suite of suites) {
  describe(suite.title, () => {
    const cases = readGoldenCases(suite.directory);

    it('has cases to check', () => {
      expect(cases.length).toBeGreaterThan(40);
    });

    it.each(cases.map((c) => [c.name, c] as const))('%s matches Go byte for byte', (_name, testCase) => {
      expect(render(testCase)).toEqual(testCase.expected);
    });
  });
}
