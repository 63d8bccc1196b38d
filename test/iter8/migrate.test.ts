import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { migrateIter8 } from '../../src/config/migrate-iter8.js';

const corpus = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'canary-migrate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canary migrate', () => {
  it.each([
    'experiment.yaml',
    'assertinputs/experimentWithLowerSLOs.yaml',
    'assertinputs/noinsights/experiment.yaml',
    'assertinputsfail/experiment.yaml',
  ])('%s: the same experiment as canary/v1, comments kept', async (file) => {
    const text = await readFile(path.join(corpus, file), 'utf8');
    const migrated = migrateIter8(text, 'checkout');
    if (!migrated.ok) throw new Error(migrated.message);
    expect(migrated.text).toMatch(
      /^apiVersion: canary\/v1\nkind: Experiment\nmetadata:\n {2}name: checkout\n/,
    );
    for (const comment of text.split('\n').filter((l) => l.trim().startsWith('#'))) {
      expect(migrated.text).toContain(comment.trim());
    }
    expect(migrated.text).not.toMatch(/^result:/m);
    expect(migrated.text).not.toContain('SLOs()');
    expect(migrated.text).not.toMatch(/\bUpper:|\bLower:/);

    await writeFile(path.join(dir, 'migrated.yaml'), migrated.text);
    const before = await loadExperiment({ file, cwd: corpus, name: 'checkout' });
    const after = await loadExperiment({ file: 'migrated.yaml', cwd: dir });
    expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(after.experiment).toEqual(before.experiment);
    // The note about `result` goes with it; every other diagnostic stays.
    expect(after.diagnostics.map((d) => d.message)).toEqual(
      before.diagnostics.filter((d) => d.path !== 'result').map((d) => d.message),
    );
  });

  it('lists each change', () => {
    const migrated = migrateIter8(
      'spec:\n- Task: assess\n  With:\n    SLOs:\n      Upper: {"http/error-rate": 0}\n  If: SLOs()\n',
      'x',
    );
    expect(migrated.ok && migrated.changes).toEqual([
      'named the experiment "x"',
      'spec[0]: Task -> task',
      'spec[0]: With -> with',
      'spec[0].with.SLOs: Upper -> upper',
      'spec[0]: If -> if',
      'spec[0].if: SLOs() -> slos()',
    ]);
  });

  it('refuses a canary file and a file of another shape', () => {
    expect(migrateIter8('apiVersion: canary/v1\nkind: Experiment\n', 'x')).toMatchObject({
      ok: false,
      message: expect.stringContaining('already a canary experiment') as unknown,
    });
    expect(migrateIter8('spec: {tasks: []}\n', 'x')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not an Iter8 experiment file') as unknown,
    });
  });
});
