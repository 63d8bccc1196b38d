import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { histogramQuantile } from '../support/kserve-data.js';
import { runOneLoop } from '../support/run-one-loop.js';

// builtin:istio-prometheus against Iter8 v0.14.10's own istio-prom.tpl (test/metrics/iter8/), both
// querying one real Prometheus loaded by promtool: the values must be the same.

const bucketsMs = [10, 25, 50, 100, 250, 500, 1000];
const workload = { destination_workload: 'reviews-v2', destination_workload_namespace: 'default' };

interface Phase {
  /** Latency of every request of the phase, and how many of them got a 503. */
  ms: number[];
  errors: number;
}

/** Before the experiment: slow. During it: fast. Percentiles over rate(bucket[elapsed]) see only the second. */
const before: Phase = { ms: Array.from({ length: 200 }, () => 800), errors: 0 };
const during: Phase = { ms: Array.from({ length: 300 }, (_, i) => 5 + (i % 60)), errors: 12 };

interface Totals {
  ok: number;
  failed: number;
  sum: number;
  buckets: number[];
}

function totalsOf(phases: Phase[]): Totals {
  const all = phases.flatMap((p) => p.ms);
  const failed = phases.reduce((n, p) => n + p.errors, 0);
  return {
    ok: all.length - failed,
    failed,
    sum: all.reduce((a, b) => a + b, 0),
    buckets: bucketsMs.map((le) => all.filter((ms) => ms <= le).length),
  };
}

/** Counters that grow linearly inside each phase, scraped every 15 s. */
function istioOpenMetrics(t0: number, tSwitch: number, tEnd: number): string {
  const lines = ['# TYPE istio_requests counter', '# TYPE istio_request_duration_milliseconds histogram'];
  const first = totalsOf([before]);
  const both = totalsOf([before, during]);
  const at = (t: number, a: number, b: number) =>
    t <= tSwitch ? (a * (t - t0)) / (tSwitch - t0) : a + ((b - a) * (t - tSwitch)) / (tEnd - tSwitch);
  const labels = (extra: Record<string, string>) =>
    Object.entries({ ...workload, ...extra })
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
  const times: number[] = [];
  for (let t = t0; t <= tEnd; t += 15) times.push(t);
  for (const t of times) {
    lines.push(`istio_requests_total{${labels({ response_code: '200' })}} ${at(t, first.ok, both.ok)} ${t}`);
  }
  for (const t of times) {
    lines.push(
      `istio_requests_total{${labels({ response_code: '503' })}} ${at(t, first.failed, both.failed)} ${t}`,
    );
  }
  const histogram = labels({ response_code: '200' });
  bucketsMs.forEach((le, i) => {
    for (const t of times) {
      const value = at(t, first.buckets[i]!, both.buckets[i]!);
      lines.push(`istio_request_duration_milliseconds_bucket{${histogram},le="${le}.0"} ${value} ${t}`);
    }
  });
  const count = (t: number) => at(t, first.ok + first.failed, both.ok + both.failed);
  for (const t of times)
    lines.push(`istio_request_duration_milliseconds_bucket{${histogram},le="+Inf"} ${count(t)} ${t}`);
  for (const t of times)
    lines.push(`istio_request_duration_milliseconds_count{${histogram}} ${count(t)} ${t}`);
  for (const t of times) {
    lines.push(`istio_request_duration_milliseconds_sum{${histogram}} ${at(t, first.sum, both.sum)} ${t}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

let prometheus: PrometheusServer;
let dir: string;
let metrics: Record<string, { value: number | null; query?: string; reason?: string }>;

beforeAll(async () => {
  const now = Math.floor(Date.now() / 1000);
  // The experiment started at tSwitch (startingTime): 20 min of slow traffic before, 20 min of fast after.
  const t0 = now - 2460 - ((now - 2460) % 15);
  const tSwitch = t0 + 1200;
  const tEnd = tSwitch + 1200;
  prometheus = await startPrometheus({ openMetrics: istioOpenMetrics(t0, tSwitch, tEnd) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-istio-'));
  const here = path.dirname(fileURLToPath(import.meta.url));
  await copyFile(path.join(here, 'iter8/istio-prom.tpl'), path.join(dir, 'istio-prom.tpl'));
  const startingTime = new Date(tSwitch * 1000).toISOString();
  const values = `
          istioPromURL: ${prometheus.queryUrl}
          startingTime: "${startingTime}"
          latencyPercentiles: [50, 90]
          labels: {destination_workload: reviews-v2, destination_workload_namespace: default}`;
  await writeFile(
    path.join(dir, 'e.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: istio}
spec:
  tasks:
    - task: custommetrics
      with:
        templates:
          istio-prometheus: builtin:istio-prometheus
          istio-prom: {file: istio-prom.tpl}
        values:${values}
`,
  );
  const loop = await runOneLoop(dir, { startedSecondsAgo: 1300 });
  expect(loop.status, JSON.stringify(loop.tasks)).toBe('completed');
  metrics = loop.metrics[0] as typeof metrics;
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("builtin:istio-prometheus queries as Iter8's istio-prom.tpl", () => {
  it.each(['request-count', 'error-count', 'error-rate', 'latency-mean', 'latency-p50', 'latency-p90'])(
    "%s has the value of Iter8's template",
    (name) => {
      const ours = metrics[`istio-prometheus/${name}`];
      const iter8 = metrics[`istio-prom/${name}`];
      expect(iter8?.value, `${name}: ${iter8?.reason ?? ''}`).toEqual(expect.any(Number));
      expect(ours?.value).toBeCloseTo(iter8!.value!, 9);
    },
  );

  it('counts and mean are totals; percentiles see only the requests since startingTime', () => {
    const all = totalsOf([before, during]);
    const value = (name: string) => metrics[`istio-prometheus/${name}`]!.value!;
    expect(value('request-count')).toBeCloseTo(all.ok + all.failed, 6);
    expect(value('error-count')).toBeCloseTo(all.failed, 6);
    expect(value('error-rate')).toBeCloseTo(all.failed / (all.ok + all.failed), 9);
    expect(value('latency-mean')).toBeCloseTo(all.sum / (all.ok + all.failed), 6);
    // rate(bucket[elapsed]): the slow requests before the experiment are out of the window.
    const window = totalsOf([during]);
    const expected = histogramQuantile(0.9, bucketsMs, window.buckets, during.ms.length);
    expect(value('latency-p90')).toBeCloseTo(expected, 1);
    expect(value('latency-p90')).toBeLessThan(100);
  });

  it("the error-rate and mean denominators fall back with or on() vector(0), as Iter8's", () => {
    for (const name of ['error-rate', 'latency-mean']) {
      const query = metrics[`istio-prometheus/${name}`]!.query!;
      expect(query).toMatch(
        /\/ \(sum\(last_over_time\(istio_requests_total\{[^}]*\}\[\d+s\]\)\) or on\(\) vector\(0\)\)$/,
      );
    }
    expect(metrics['istio-prometheus/latency-p90']!.query).toMatch(
      /^histogram_quantile\(0\.9, sum\(rate\(istio_request_duration_milliseconds_bucket\{[^}]*\}\[\d+s\]\)\) by \(le\)\)$/,
    );
  });
});
