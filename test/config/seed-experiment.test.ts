import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { cachedTemplatePath } from '../../src/metrics/templates/template-source.js';
import { ITER8_SEED_SETS } from './fixtures/iter8-seed.js';

const seedTemplateUrl =
  'https://gist.githubusercontent.com/kalantar/adc6c9b0efe483c00b8f0c20605ac36c/raw/c4562e87b7ac0652b0e46f8f494d024307bff7a1/kserve-prometheus.tpl';
let cacheDir: string;

beforeAll(async () => {
  // No internet here: the gist's template comes from the cache, as on an air-gapped CI runner.
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'canary-cache-'));
  const cached = cachedTemplatePath(cacheDir, seedTemplateUrl);
  await mkdir(path.dirname(cached), { recursive: true });
  const fixture = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../metrics/fixtures/kserve-iter8-style.tpl',
  );
  await copyFile(fixture, cached);
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("Iter8's seed command, as values alone", () => {
  it('validates into the same tasks and SLOs as Iter8 made', async () => {
    const values = valuesFromSetArguments([...ITER8_SEED_SETS], []);
    const loaded = await loadExperiment({
      cwd: process.cwd(),
      values,
      env: { CANARY_CACHE_DIR: cacheDir, CANARY_OFFLINE: '1' },
    });
    expect(loaded.diagnostics).toEqual([]);
    const plan = loaded.plan!;
    expect(plan.schedule).toBe('*/1 * * * *');
    expect(plan.tasks.map((t) => [t.id, t.task, t.needs])).toEqual([
      ['ready', 'ready', []],
      ['custommetrics', 'custommetrics', ['ready']],
      ['assess', 'assess', ['custommetrics']],
    ]);
    expect(plan.tasks[0]!.with).toMatchObject({
      group: 'serving.kserve.io',
      version: 'v1beta1',
      resource: 'inferenceservices',
      name: 'sklearn-iris',
      condition: 'Ready',
      timeout: '180s',
    });
    expect(plan.tasks[1]!.with).toMatchObject({
      templates: { 'kserve-prometheus': seedTemplateUrl },
      values: {
        labels: { service_name: 'sklearn-iris-predictor-default' },
        latencyPercentiles: [50, 75, 90, 95],
      },
      versionValues: [
        { labels: { revision_name: 'sklearn-iris-predictor-default-00002' } },
        { labels: { revision_name: 'sklearn-iris-predictor-default-00001' } },
      ],
    });
    expect(plan.tasks[2]!.with).toEqual({
      SLOs: {
        upper: {
          'kserve-prometheus/error-count': 0,
          'kserve-prometheus/latency-mean': 25,
          'kserve-prometheus/latency-p90': 40,
        },
      },
    });
  });

  it('offline without the template cached: a warning at the template (the pod fetches it)', async () => {
    const values = valuesFromSetArguments([...ITER8_SEED_SETS], []);
    const empty = await mkdtemp(path.join(os.tmpdir(), 'canary-cache-'));
    try {
      const loaded = await loadExperiment({
        cwd: process.cwd(),
        values,
        env: { CANARY_CACHE_DIR: empty, CANARY_OFFLINE: '1' },
      });
      expect(loaded.diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`)).toEqual([
        expect.stringMatching(
          /^warning spec\.tasks\[1\]\.with\.templates\.kserve-prometheus: template kserve-prometheus: template https:\/\/gist.* is not in the cache and canary is offline; it cannot be checked here/,
        ),
      ]);
      expect(loaded.plan).toBeDefined();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
