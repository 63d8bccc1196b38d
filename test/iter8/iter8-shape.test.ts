import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { experimentNameFor } from '../../src/config/load-experiment.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'canary-iter8-shape-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string) {
  await writeFile(path.join(dir, 'e.yaml'), text);
  const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir });
  return {
    loaded,
    errors: loaded.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`),
  };
}

const ASSESS = 'task: assess\n    with:\n      SLOs:\n        Upper:\n          http/error-rate: 0\n';

describe('Iter8 spellings only in Iter8-shaped files', () => {
  it("an Iter8 file takes Go's case-insensitive keys, at every level", async () => {
    const { loaded, errors } = await load(
      `Spec:\n  - Task: http\n    With:\n      URL: http://127.0.0.1:9/\n      Duration: 1s\n  - ${ASSESS}`,
    );
    expect(errors).toEqual([]);
    expect(loaded.experiment?.spec.tasks[0]?.with).toEqual({
      url: 'http://127.0.0.1:9/',
      duration: '1s',
      allowInitialErrors: false, // Iter8's default, written out
    });
    expect(loaded.experiment?.spec.tasks[1]?.with).toEqual({ SLOs: { upper: { 'http/error-rate': 0 } } });
  });

  it('a canary/v1 file keeps strict keys and "did you mean"', async () => {
    const { errors } = await load(
      [
        'apiVersion: canary/v1',
        'kind: Experiment',
        'metadata: {name: x}',
        'spec:',
        '  tasks:',
        '    - task: assess',
        '      with:',
        '        SLOs:',
        '          Upper: {http/error-rate: 0}',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^9:11 spec\.tasks\[0\]\.with\.SLOs\.Upper: unknown key "Upper" \(did you mean "upper"\?\)/,
      ),
    ]);
  });

  it('an Iter8 file still gets "did you mean" for a key that is not a case variant, at its line', async () => {
    const { errors } = await load('spec:\n  - task: assess\n    with:\n      SLOs:\n        uper: {}\n');
    expect(errors).toEqual([
      expect.stringMatching(
        /^5:9 spec\.tasks\[0\]\.with\.SLOs\.uper: unknown key "uper" \(did you mean "upper"\?\)/,
      ),
    ]);
  });

  it('SLOs() reads as slos() only in Iter8 files', async () => {
    const { errors } = await load(
      'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: x}\nspec:\n  tasks:\n  - if: SLOs()\n    run: echo hi\n',
    );
    expect(errors).toEqual([expect.stringContaining('spec.tasks[0].if: the condition reads "SLOs"')]);
  });

  it('an empty Iter8 task list is an error at its spec line', async () => {
    const { errors } = await load('# nothing yet\nspec: []\n');
    expect(errors).toEqual([expect.stringMatching(/^2:7 spec\.tasks: /)]);
  });
});

describe('experiment name from the file', () => {
  it.each([
    ['experiment_db.yaml', 'experiment-db'],
    ['dir/experimentWithLowerSLOs.yaml', 'experimentwithlowerslos'],
    ['__.yaml', 'experiment'],
    [`${'a'.repeat(70)}.yaml`, 'a'.repeat(63)],
  ])('%s -> %s', (file, name) => {
    expect(experimentNameFor(file, undefined)).toBe(name);
  });
});
