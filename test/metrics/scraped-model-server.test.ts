import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer, waitForScrape } from '../support/prometheus.js';
import { runOneLoop } from '../support/run-one-loop.js';
import { startModelServer } from '../../src/model-server/start-model-server.js';

type ModelServer = Awaited<ReturnType<typeof startModelServer>>;
let models: ModelServer;
let prometheus: PrometheusServer;
let dir: string;
const payload = JSON.stringify({
  instances: [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ],
});
const sent = { baseline: 40, candidate: 50 };

beforeAll(async () => {
  models = await startModelServer({
    versions: [
      { revisionName: 'sklearn-iris-predictor-default-00001', model: 'logistic-regression' },
      {
        revisionName: 'sklearn-iris-predictor-default-00002',
        model: 'decision-tree',
        errorRate: 0.1,
        delayMs: 3,
      },
    ],
  });
  prometheus = await startPrometheus({
    scrapeTargets: models.versions.map((v) => new URL(v.url).host),
    scrapeInterval: '1s',
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-scrape-'));
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await models?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function send(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, {
      method: 'POST',
      body: payload,
      headers: { 'content-type': 'application/json' },
    });
    await response.text();
  }
}

describe('the kserve-prometheus template against scraped data from the model server', () => {
  it('reports the requests and errors the model server really served', async () => {
    const [baseline, candidate] = models.versions;
    await send(baseline!.predictUrl, sent.baseline);
    await send(candidate!.predictUrl, sent.candidate);
    await waitForScrape(
      prometheus,
      'sum(revision_app_request_latencies_count)',
      sent.baseline + sent.candidate,
    );
    await writeFile(
      path.join(dir, 'e.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: {name: scraped}
spec:
  versions: [baseline, candidate]
  tasks:
    - task: custommetrics
      with:
        templates: {kserve-prometheus: builtin:kserve-prometheus}
        values:
          prometheusURL: ${prometheus.queryUrl}
          labels: {service_name: sklearn-iris-predictor-default}
          latencyPercentiles: [50, 90]
        versionValues:
          - labels: {revision_name: ${baseline!.revisionName}}
          - labels: {revision_name: ${candidate!.revisionName}}
`,
    );
    const record = await runOneLoop(dir, { startedSecondsAgo: 120, noWarnings: true });
    expect(record.tasks[0]!.status).toBe('completed');
    const [b, c] = record.metrics;
    expect(b!['kserve-prometheus/request-count']!.value).toBe(sent.baseline);
    expect(b!['kserve-prometheus/error-count']!.value).toBe(0);
    expect(c!['kserve-prometheus/request-count']!.value).toBe(sent.candidate);
    // An error rate of 0.1 fails exactly one request in ten.
    expect(c!['kserve-prometheus/error-count']!.value).toBe(sent.candidate / 10);
    expect(c!['kserve-prometheus/error-rate']!.value).toBeCloseTo(0.1, 12);
    // The candidate waits 3 ms per request; the queue-proxy records whole milliseconds.
    expect(c!['kserve-prometheus/latency-mean']!.value).toBeGreaterThanOrEqual(3);
    expect(c!['kserve-prometheus/latency-p50']!.value).toBeGreaterThan(0);
  });
});
