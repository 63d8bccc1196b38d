import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { cachedTemplatePath } from '../../src/metrics/templates/template-source.js';
import { startModelServer } from '../../src/model-server/start-model-server.js';
import { packageRoot } from '../../src/version.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';
import {
  startPrometheus,
  waitForScrape,
  waitForTargets,
  type PrometheusServer,
} from '../support/prometheus.js';

/** The Iter8 seed's two sklearn-iris revisions, served locally and scraped by a real Prometheus. */
export interface ScrapedIris {
  models: Awaited<ReturnType<typeof startModelServer>>;
  prometheus: PrometheusServer;
}

export async function startScrapedIris(): Promise<ScrapedIris> {
  const models = await startModelServer({
    versions: [
      { revisionName: 'sklearn-iris-predictor-default-00001', model: 'logistic-regression' },
      { revisionName: 'sklearn-iris-predictor-default-00002', model: 'decision-tree' },
    ],
  });
  const prometheus = await startPrometheus({
    scrapeTargets: models.versions.map((v) => new URL(v.url).host),
    scrapeInterval: '1s',
  });
  expect(await waitForTargets(prometheus, 2)).toBe(true);
  return { models, prometheus };
}

/**
 * `perRevision` predictions of `instances` on each revision, then waits until Prometheus has
 * scraped `total` requests in all.
 */
export async function sendIrisLoad(
  { models, prometheus }: ScrapedIris,
  perRevision: number,
  total: number,
  instances: number[][],
): Promise<void> {
  const body = JSON.stringify({ instances });
  for (const version of models.versions) {
    for (let i = 0; i < perRevision; i++) {
      const response = await fetch(version.predictUrl, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      await response.text();
    }
  }
  await waitForScrape(prometheus, 'sum(revision_app_request_latencies_count)', total);
}

/** The ready sklearn-iris InferenceService the seed's `ready` task waits for. */
export const readySklearnIris = {
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  metadata: { name: 'sklearn-iris', namespace: 'default' },
  spec: { predictor: { model: { modelFormat: { name: 'sklearn' } } } },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};

/** The seed's metrics template URL (its gist, which these machines cannot fetch). */
export const seedTemplateUrl = ITER8_SEED_SETS.find((s) => s.startsWith('custommetrics.templates.'))!.split(
  '=',
)[1]!;

/** Puts the seed's template in `cacheDir`, as after a first download. */
export async function prefillSeedTemplate(cacheDir: string): Promise<void> {
  const cached = cachedTemplatePath(cacheDir, seedTemplateUrl);
  await mkdir(path.dirname(cached), { recursive: true });
  await copyFile(path.join(packageRoot, 'test/metrics/fixtures/kserve-iter8-style.tpl'), cached);
}
