/**
 * Documents the fuzzers found crashing, hanging or answering without a position, minimized, with
 * the outcome `canary validate` must give now. Each also runs through the CLI in cli-sample.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzWorkspace } from './validate-document.js';
import { regressionCases } from './regression-cases.js';

let workspace: FuzzWorkspace;
beforeAll(() => {
  workspace = new FuzzWorkspace(0);
});
afterAll(async () => {
  await workspace.close();
});

describe('fuzz regressions', () => {
  it.each(regressionCases)('$name', async ({ document, expected, message }) => {
    const outcome = await workspace.validate(document);
    expect(outcome.kind).toBe(expected);
    if (message !== undefined) {
      const texts =
        outcome.kind === 'usage'
          ? [outcome.message]
          : outcome.diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`);
      expect(texts.join('\n')).toMatch(message);
    }
  });
});
