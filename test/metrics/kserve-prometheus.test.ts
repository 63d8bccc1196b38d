import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { expectedKserveMetrics, kserveOpenMetrics, type RevisionTraffic } from '../support/kserve-data.js';
import { runCli } from '../cli/cli-harness.js';
import { createSeededRandom } from '../../src/model-server/seeded-random.js';

function traffic(
  revisionName: string,
  seed: number,
  count: number,
  meanMs: number,
  errorEvery: number,
): RevisionTraffic {
  const next = createSeededRandom(seed);
  return {
    serviceName: 'sklearn-iris-predictor-default',
    revisionName,
    requests: Array.from({ length: count }, (_, i) => ({
      ms: Math.round(meanMs * (0.3 + 1.4 * next()) * 100) / 100,
      status: errorEvery > 0 && i % errorEvery === errorEvery - 1 ? 500 : 200,
    })),
  };
}

const percentiles = [50, 75, 90, 95, 99.9];
const candidate = traffic('sklearn-iris-predictor-default-00002', 7, 400, 18, 0);
const baseline = traffic('sklearn-iris-predictor-default-00001', 11, 300, 35, 50);

let prometheus: PrometheusServer;
let dir: string;
let startingTime: string;

beforeAll(async () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  // The data ends a minute ago, so the counters' last values are the totals.
  prometheus = await startPrometheus({
    openMetrics: kserveOpenMetrics([candidate, baseline], nowSeconds - 1200, nowSeconds - 60),
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-kserve-'));
  startingTime = new Date((nowSeconds - 1800) * 1000).toISOString().replace('.000Z', 'Z');
  await writeFile(
    path.join(dir, 'sklearn.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: sklearn-iris}
spec:
  versions: [candidate, baseline]
  tasks:
    - id: metrics
      task: custommetrics
      with:
        templates: {kserve-prometheus: builtin:kserve-prometheus}
        values:
          prometheusURL: ${prometheus.queryUrl}
          startingTime: "${startingTime}"
          labels: {service_name: sklearn-iris-predictor-default}
          latencyPercentiles: [${percentiles.join(', ')}]
        versionValues:
          - labels: {revision_name: ${candidate.revisionName}}
          - labels: {revision_name: ${baseline.revisionName}}
    - task: assess
      with:
        SLOs:
          upper:
            kserve-prometheus/error-count: 0
            kserve-prometheus/latency-mean: 25
            kserve-prometheus/latency-p90: 40
`,
  );
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('custommetrics with the builtin kserve-prometheus template, against a real Prometheus', () => {
  it('experiments/sklearn-local.yaml stores exactly the metrics the data set implies, and judges the SLOs', async () => {
    const experiment = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../experiments/sklearn-local.yaml',
    );
    const result = await runCli(
      [
        'run',
        experiment,
        '--set',
        `prometheusURL=${prometheus.queryUrl}`,
        '--set',
        `startingTime=${startingTime}`,
        '-q',
        '--results',
        'local.jsonl',
      ],
      { cwd: dir },
    );
    const records = (await readFile(path.join(dir, 'local.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const loop = records.find((r) => r.kind === 'loop');
    expect(loop.status, JSON.stringify(loop.tasks)).toBe('completed');
    for (const [version, revision] of [candidate, baseline].entries()) {
      const expected = expectedKserveMetrics(revision, [50, 75, 90, 95]);
      for (const [metric, value] of Object.entries(expected)) {
        const stored = loop.metrics[version][`kserve-prometheus/${metric}`];
        expect(stored, `${revision.revisionName} ${metric}`).toBeDefined();
        expect(stored.value, `${revision.revisionName} ${metric}: ${stored.reason ?? ''}`).toBeCloseTo(
          value,
          9,
        );
      }
      expect(loop.metrics[version]['kserve-prometheus/latency-p90'].query).toContain(
        `revision_name="${revision.revisionName}"`,
      );
    }
    // The candidate is fast and clean; the baseline is slow and has errors.
    const verdicts = loop.slos.map(
      (s: { version: number; metric: string; status: string }) => `${s.version} ${s.metric} ${s.status}`,
    );
    expect(verdicts).toEqual([
      '0 kserve-prometheus/error-count pass',
      '0 kserve-prometheus/latency-mean pass',
      '0 kserve-prometheus/latency-p90 pass',
      '1 kserve-prometheus/error-count fail',
      '1 kserve-prometheus/latency-mean fail',
      expect.stringMatching(/^1 kserve-prometheus\/latency-p90 (pass|fail)$/),
    ]);
    expect(result.code).toBe(1);
  });

  it('any percentile is exact, 99.9 included (Iter8 could only do two-digit ones)', async () => {
    await runCli(['run', 'sklearn.yaml', '-q'], { cwd: dir });
    const records = (await readFile(path.join(dir, 'canary-results/sklearn-iris.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const loop = records.find((r) => r.kind === 'loop');
    for (const [version, revision] of [candidate, baseline].entries()) {
      const expected = expectedKserveMetrics(revision, percentiles);
      expect(loop.metrics[version]['kserve-prometheus/latency-p99.9'].value).toBeCloseTo(
        expected['latency-p99.9']!,
        9,
      );
    }
  });

  it('a revision with no traffic has no latency values, with the reason, and the SLOs are nodata', async () => {
    const text = (await readFile(path.join(dir, 'sklearn.yaml'), 'utf8')).replace(
      candidate.revisionName,
      'no-such-revision',
    );
    await writeFile(path.join(dir, 'ghost.yaml'), text.replace('name: sklearn-iris', 'name: ghost'));
    const result = await runCli(['run', 'ghost.yaml', '-q'], { cwd: dir });
    const records = (await readFile(path.join(dir, 'canary-results/ghost.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const loop = records.find((r) => r.kind === 'loop');
    expect(loop.metrics[0]['kserve-prometheus/request-count']).toMatchObject({ value: 0 });
    expect(loop.metrics[0]['kserve-prometheus/latency-mean'].value).toBeNull();
    expect(loop.metrics[0]['kserve-prometheus/latency-mean'].reason).toMatch(
      /^empty result: no series matched the query/,
    );
    const meanVerdict = loop.slos.find(
      (s: { version: number; metric: string }) =>
        s.version === 0 && s.metric === 'kserve-prometheus/latency-mean',
    );
    expect(meanVerdict).toMatchObject({ status: 'nodata', reason: expect.stringMatching(/^empty result/) });
    expect(result.code).toBe(1); // the baseline still violates its SLOs
  });

  it("an Iter8 user's Go template (.tpl) gives the same numbers from the same data", async () => {
    const fixture = path.join(
      path.dirname(fileURLToPath(import.meta.url)),
      'fixtures',
      'kserve-iter8-style.tpl',
    );
    await copyFile(fixture, path.join(dir, 'kserve-prometheus.tpl'));
    const text = (await readFile(path.join(dir, 'sklearn.yaml'), 'utf8'))
      .replace('builtin:kserve-prometheus', 'kserve-prometheus.tpl')
      .replace('name: sklearn-iris', 'name: iter8-style')
      .replace(`[${percentiles.join(', ')}]`, '[50, 75, 90, 95]');
    await writeFile(path.join(dir, 'iter8.yaml'), text);
    expect((await runCli(['validate', 'iter8.yaml'], { cwd: dir })).code).toBe(0);
    await runCli(['run', 'iter8.yaml', '-q'], { cwd: dir });
    const records = (await readFile(path.join(dir, 'canary-results/iter8-style.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const loop = records.find((r) => r.kind === 'loop');
    expect(loop.status, JSON.stringify(loop.tasks)).toBe('completed');
    for (const [version, revision] of [candidate, baseline].entries()) {
      const expected = expectedKserveMetrics(revision, [50, 75, 90, 95]);
      for (const metric of [
        'request-count',
        'error-count',
        'latency-mean',
        'latency-p50',
        'latency-p90',
        'latency-p95',
      ]) {
        expect(loop.metrics[version][`kserve-prometheus/${metric}`].value, metric).toBeCloseTo(
          expected[metric]!,
          9,
        );
      }
    }
  });

  it('a label value with a quote is refused for a Go template, which would splice it into PromQL', async () => {
    const text = (await readFile(path.join(dir, 'iter8.yaml'), 'utf8')).replace(
      `revision_name: ${candidate.revisionName}`,
      `revision_name: 'x"} or vector(1) or {a="'`,
    );
    await writeFile(path.join(dir, 'inject.yaml'), text);
    const result = await runCli(['validate', 'inject.yaml'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'which the Go template kserve-prometheus would put into PromQL unescaped',
    );
  });
});
