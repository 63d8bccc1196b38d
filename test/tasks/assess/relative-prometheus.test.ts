/**
 * End to end against a real Prometheus: the candidate answers 30% slower than the baseline. The
 * relative SLO fails with the numbers the data set implies, and the rank test on Prometheus's latency
 * buckets says `worse` with its effect size; the error-rate comparison finds no difference.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../../support/prometheus.js';
import { kserveOpenMetrics, type RevisionTraffic } from '../../support/kserve-data.js';
import { runCli } from '../../cli/cli-harness.js';
import { createSeededRandom } from '../../../src/model-server/seeded-random.js';
import type { LoopRecord } from '../../../src/results/records.js';

/** Deterministic lognormal latencies (median 20 ms), scaled by `slowdown`. */
function traffic(revisionName: string, seed: number, count: number, slowdown: number): RevisionTraffic {
  const random = createSeededRandom(seed);
  const uniform = () => 1 - random(); // in (0, 1]: the log below needs it above 0
  return {
    serviceName: 'sklearn-iris-predictor-default',
    revisionName,
    requests: Array.from({ length: count }, (_, i) => {
      const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      const ms = Math.round(20 * Math.exp(0.35 * normal) * slowdown * 100) / 100;
      return { ms, status: i % 100 === 99 ? 500 : 200 };
    }),
  };
}

const baseline = traffic('sklearn-iris-predictor-default-00001', 3, 1000, 1);
// The same draws, 30% slower: the shift is exactly what the test should find.
const candidate = traffic('sklearn-iris-predictor-default-00001', 3, 1000, 1.3);
candidate.revisionName = 'sklearn-iris-predictor-default-00002';

const mean = (revision: RevisionTraffic) =>
  revision.requests.reduce((sum, r) => sum + r.ms, 0) / revision.requests.length;

let prometheus: PrometheusServer;
let dir: string;

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000);
  prometheus = await startPrometheus({
    openMetrics: kserveOpenMetrics([candidate, baseline], now - 1200, now - 60),
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-relative-'));
  const startingTime = new Date((now - 1800) * 1000).toISOString();
  await writeFile(
    path.join(dir, 'relative.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: relative}
spec:
  versions: [baseline, candidate]
  tasks:
    - id: metrics
      task: custommetrics
      with:
        templates: {kserve-prometheus: builtin:kserve-prometheus}
        values:
          prometheusURL: ${prometheus.queryUrl}
          startingTime: "${startingTime}"
          labels: {service_name: sklearn-iris-predictor-default}
        versionValues:
          - labels: {revision_name: ${baseline.revisionName}}
          - labels: {revision_name: ${candidate.revisionName}}
    - task: assess
      with:
        relative:
          baseline: baseline
          SLOs:
            kserve-prometheus/latency-mean: {maxIncrease: 10%, minSamples: kserve-prometheus/request-count >= 100}
            kserve-prometheus/error-rate: {maxIncrease: 0.005}
        compare:
          - latency: kserve-prometheus/latency
            maxIncrease: 10%
          - errors: kserve-prometheus/error-count
            requests: kserve-prometheus/request-count
            maxIncrease: 0.01
`,
  );
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a candidate 30% slower than its baseline, on real Prometheus data', () => {
  let loop: LoopRecord;

  beforeAll(async () => {
    const run = await runCli(['run', 'relative.yaml', '-q', '--results', 'r.jsonl'], { cwd: dir });
    // run asserts by default: the slow candidate fails it.
    expect(run.code, run.stderr).toBe(1);
    const records = (await readFile(path.join(dir, 'r.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    loop = records.find((r) => r.kind === 'loop');
  }, 120_000);

  it('the relative SLO fails with the baseline, the bound and the candidate value the data imply', () => {
    const verdict = loop.slos.find(
      (v) => v.kind === 'relative' && v.metric === 'kserve-prometheus/latency-mean',
    )!;
    expect(verdict).toMatchObject({ version: 1, status: 'fail', gate: 'fail', relative: { baseline: 0 } });
    expect(verdict.relative!.baselineValue).toBeCloseTo(mean(baseline), 6);
    expect(verdict.limit).toBeCloseTo(1.1 * mean(baseline), 6);
    expect(verdict.value).toBeCloseTo(mean(candidate), 6);
    expect(verdict.samples).toEqual({ metric: 'kserve-prometheus/request-count', value: 1000, min: 100 });
  });

  it('the rank test on the latency buckets says worse, with a shift near 30% of the median', () => {
    const verdict = loop.slos.find((v) => v.kind === 'compare' && v.metric === 'kserve-prometheus/latency')!;
    expect(verdict.status).toBe('fail');
    const comparison = verdict.comparison!;
    expect(comparison).toMatchObject({
      test: 'mann-whitney-u',
      decision: 'worse',
      n: { baseline: 1000, candidate: 1000 },
    });
    expect(comparison.pValue!).toBeLessThan(comparison.alpha);
    // The true median shift is 0.3 x 20 ms = 6 ms; bins of 10 ms around the median blur it a little.
    expect(comparison.effect.estimate).toBeGreaterThan(3);
    expect(comparison.effect.estimate).toBeLessThan(9);
    expect(comparison.effect.ci[0]).toBeGreaterThan(verdict.limit!);
  });

  it('the same error rates are not worse, and the relative error-rate SLO passes', () => {
    const rate = loop.slos.find((v) => v.kind === 'compare' && v.metric.startsWith('rate('))!;
    expect(rate.comparison).toMatchObject({ decision: 'not-worse', n: { baseline: 1000, candidate: 1000 } });
    expect(rate.value).toBeCloseTo(0.01, 9);
    const relative = loop.slos.find(
      (v) => v.kind === 'relative' && v.metric === 'kserve-prometheus/error-rate',
    )!;
    expect(relative).toMatchObject({ status: 'pass', value: 0.01, limit: 0.015 });
  });

  it('assert --slos --explain exits 1 and says why, with the test and its effect', async () => {
    const result = await runCli(['assert', '--slos', '--explain', '--results', 'r.jsonl'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✘ slos: 2 of 4 violated');
    expect(result.stdout).toContain('✘ candidate: kserve-prometheus/latency-mean <= baseline + 10%: fail');
    expect(result.stdout).toMatch(/baseline version baseline = 2\d\.\d+/);
    expect(result.stdout).toContain(
      'mann-whitney-u: n = 1000 vs 1000 (baseline); median shift (candidate - baseline)',
    );
    expect(result.stdout).toMatch(/decision: worse: p/);
  });

  it('every report format shows the relative verdict and the test', async () => {
    const text = await runCli(['report', '--results', 'r.jsonl'], { cwd: dir });
    expect(text.stdout).toMatch(
      /kserve-prometheus\/latency-mean <= baseline \+ 10%\s+-\s+✘ [\d.]+ \(≤ [\d.]+\)/,
    );
    expect(text.stdout).toMatch(
      /compare kserve-prometheus\/latency \(median shift <= 10%\)\s+-\s+✘ worse \+[\d.]+ ms/,
    );
    const json = JSON.parse(
      (await runCli(['report', '-o', 'json', '--results', 'r.jsonl'], { cwd: dir })).stdout,
    );
    const entry = json.versions[1].slos.find(
      (s: { kind?: string; metric: string }) =>
        s.kind === 'compare' && s.metric === 'kserve-prometheus/latency',
    );
    expect(entry).toMatchObject({
      gate: 'fail',
      baseline: { name: 'version baseline' },
      comparison: { decision: 'worse' },
    });
    const markdown = (await runCli(['report', '-o', 'markdown', '--results', 'r.jsonl'], { cwd: dir }))
      .stdout;
    expect(markdown).toContain('**Why**');
    expect(markdown).toContain('❌ worse');
    const html = (await runCli(['report', '-o', 'html', '--results', 'r.jsonl'], { cwd: dir })).stdout;
    expect(html).toContain('id="slo-why"');
    expect(html).toContain('decision: worse');
  });
});
