import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-rollout-order-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function diagnosticsOf(tasks: string) {
  const file = path.join(dir, `x-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    file,
    `apiVersion: canary/v1\nkind: Experiment\nmetadata:\n  name: x\nspec:\n  tasks:\n${tasks}`,
  );
  const loaded = await loadExperiment({ file: path.basename(file), cwd: dir, values: {} });
  return loaded.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.path}: ${d.message}`);
}

const assess = '    - id: gate\n      task: assess\n      with: {SLOs: {upper: {a/error-rate: 0.01}}}\n';
const rollout = (extra = '') =>
  `    - task: rollout\n${extra}      with:\n        target: {resource: inferenceservices, name: sklearn-iris}\n`;

describe('the rollout task must run after assess', () => {
  it('accepts a rollout right after assess (each task needs the one before it)', async () => {
    expect(await diagnosticsOf(assess + rollout())).toEqual([]);
  });

  it('accepts a rollout that needs assess through another task', async () => {
    const notify = '    - id: note\n      task: run\n      with: {script: "true"}\n';
    expect(await diagnosticsOf(assess + notify + rollout())).toEqual([]);
  });

  it('rejects a rollout with no assess before it, pointing at the task', async () => {
    const found = await diagnosticsOf(rollout() + assess);
    expect(found).toEqual([
      '7:7 error spec.tasks[0]: the rollout task acts on SLO verdicts, but no assess task runs before it',
    ]);
  });

  it('rejects a rollout whose needs skip assess', async () => {
    const found = await diagnosticsOf(
      assess + '    - id: other\n      run: "true"\n      needs: []\n' + rollout('      needs: [other]\n'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/error spec.tasks\[2\]: the rollout task acts on SLO verdicts/);
  });
});
