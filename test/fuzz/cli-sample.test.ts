/**
 * A sample of the fuzz documents, and every regression, through the built CLI (`bin/run.js
 * validate`, as a user runs it): the exit code must be 0 (valid), 3 (invalid) or, for a bad --set
 * or -f, 2; stderr must hold no stack trace, and every diagnostic a file:line:col. The verdict must
 * be the one the in-process run gave. FUZZ_SEED picks the sample; FUZZ_CLI_SAMPLE sizes it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli-harness.js';
import { fuzzSeed } from './fuzz-config.js';
import {
  hostileDocuments,
  structureMutations,
  textMutations,
  valuesAlone,
  valuesWithExperiment,
  type FuzzFamily,
} from './fuzz-families.js';
import { regressionCases } from './regression-cases.js';
import { FuzzWorkspace, type FuzzDocument } from './validate-document.js';

const sampleSize = Number(process.env.FUZZ_CLI_SAMPLE ?? 60);
const STACK_LINE = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;
/** `file:line:col  error  ...` or, for a file that could not be read at all, `file  error  ...`. */
const DIAGNOSTIC_LINE = /^(\S.*?)(:\d+:\d+)? {2}(error|warning) {2}/;

function sample<T>(family: FuzzFamily<T>, count: number, offset: number): FuzzDocument[] {
  return fc
    .sample(family.arbitrary, { seed: fuzzSeed + offset, numRuns: Math.max(1, count) })
    .map((value) => family.toDocument(value));
}

function hasValueInput(document: FuzzDocument): boolean {
  return Boolean(document.sets?.length || document.setStrings?.length || document.valuesFiles?.length);
}

let workspace: FuzzWorkspace;
beforeAll(() => {
  workspace = new FuzzWorkspace(fuzzSeed);
});
afterAll(async () => {
  await workspace.close();
});

function expectCleanOutput(stderr: string, stdout: string): void {
  expect(stderr, 'a stack trace on stderr').not.toMatch(STACK_LINE);
  expect(stdout, 'a stack trace on stdout').not.toMatch(STACK_LINE);
  expect(stderr).not.toMatch(/\(node:\d+\)|Warning:/); // nothing from Node or a library's own logging
}

describe(`fuzz sample through the CLI (seed ${fuzzSeed})`, () => {
  it(`files: every regression and ${sampleSize} generated documents in one validate`, async () => {
    const documents: FuzzDocument[] = [
      ...regressionCases.map((c) => c.document).filter((d) => d.text !== undefined && !hasValueInput(d)),
      ...sample(textMutations, Math.round(sampleSize * 0.45), 1),
      ...sample(structureMutations, Math.round(sampleSize * 0.4), 2),
      ...sample(hostileDocuments, Math.round(sampleSize * 0.15), 3),
    ];
    const files: Array<{ file: string; verdict: string }> = [];
    for (const [i, document] of documents.entries()) {
      const outcome = await workspace.validate(document);
      const file = `experiments/doc-${i}.yaml`;
      if (document.text === undefined) throw new Error(`no text: ${JSON.stringify(document)}`);
      writeFileSync(path.join(workspace.root, file), document.text);
      files.push({ file, verdict: outcome.kind });
    }

    const result = await runCli(['validate', ...files.map((f) => f.file)], {
      cwd: workspace.root,
      env: workspace.env,
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(files.some((f) => f.verdict === 'invalid') ? 3 : 0);
    expectCleanOutput(result.stderr, result.stdout);
    for (const { file, verdict } of files) expect(result.stderr).toContain(`${file}: ${verdict} (`);
    for (const line of result.stderr.split('\n')) {
      const diagnostic = DIAGNOSTIC_LINE.exec(line);
      if (!diagnostic) continue;
      expect(diagnostic[1], line).toMatch(/^experiments\/doc-\d+\.yaml$/);
      // Only a file that could not be read at all (over the size limit) has no line:col.
      if (diagnostic[2] === undefined) expect(line).toMatch(/ {2}error {2}(larger than|is a directory)/);
    }
  }, 300_000);

  const valueDocuments = (): FuzzDocument[] => [
    ...regressionCases.map((c) => c.document).filter(hasValueInput),
    // One process each, so fewer: about 2.5 s apiece on a busy machine.
    ...sample(valuesWithExperiment, Math.max(1, Math.round(sampleSize / 20)), 4),
    ...sample(valuesAlone, Math.max(1, Math.round(sampleSize / 30)), 5),
  ];

  it('--set, --set-string and -f: one validate each, exit code as in-process', async () => {
    for (const document of valueDocuments()) {
      const outcome = await workspace.validate(document);
      const { file, valuesFiles } = workspace.write(document);
      const args = [
        'validate',
        ...(file !== undefined ? [file] : []),
        ...(document.sets ?? []).map((s) => `--set=${s}`),
        ...(document.setStrings ?? []).map((s) => `--set-string=${s}`),
        ...valuesFiles.flatMap((f) => ['-f', f]),
      ];
      const result = await runCli(args, { cwd: workspace.root, env: workspace.env });
      const shown = JSON.stringify(args);
      expect(result.signal, shown).toBeNull();
      expect(result.code, `${shown}\n${result.stderr}`).toBe(
        outcome.kind === 'valid' ? 0 : outcome.kind === 'invalid' ? 3 : 2,
      );
      expectCleanOutput(result.stderr, result.stdout);
      if (outcome.kind === 'usage') expect(result.stderr, shown).toMatch(/^canary: /m);
    }
  }, 300_000);
});
