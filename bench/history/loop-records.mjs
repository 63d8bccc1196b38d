// Result records shaped like a real loop of experiments/sklearn-local.yaml plus an http task: 2 versions,
// 11 http metrics and 6 kserve-prometheus metrics each (with their rendered queries), 3 tasks, 6 SLO
// verdicts and a latency histogram per version: about 7 KB of JSON per loop, like the demo's loops.
import { resultFormat } from '../../dist/results/records.js';

const versions = ['candidate', 'baseline'];
const httpMetrics = [
  'request-count',
  'error-count',
  'error-rate',
  'latency-min',
  'latency-mean',
  'latency-max',
].concat([50, 75, 90, 95, 99].map((p) => `latency-p${p}`));
const promMetrics = [
  'request-count',
  'error-count',
  'error-rate',
  'latency-mean',
  'latency-p90',
  'latency-p95',
];
const experimentHash = `sha256:${'ab'.repeat(32)}`;
const started = Date.parse('2026-01-01T00:00:00Z');

export function headerRecord() {
  return {
    kind: 'header',
    format: resultFormat,
    tool: { name: 'canary', version: '0.1.0' },
    created: new Date(started).toISOString(),
    experimentHash,
    firstLoop: 1,
    source: 'experiments/bench.yaml',
    experiment: {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'bench-history' },
      spec: { schedule: '*/1 * * * *', versions, tasks: [] },
    },
  };
}

/** Loop `n`, with values that vary from loop to loop (so nothing compresses to nothing). */
export function loopRecord(n) {
  const at = (s) => new Date(started + n * 60_000 + s * 1000).toISOString();
  const wave = (i) => 10 + ((n * 7919 + i * 104729) % 1000) / 100;
  const metrics = versions.map((name, v) => {
    const entries = {};
    httpMetrics.forEach((m, i) => (entries[`http/${m}`] = { value: wave(i + v) }));
    promMetrics.forEach((m, i) => {
      entries[`kserve-prometheus/${m}`] = {
        value: wave(i + 20 + v),
        query: `histogram_quantile(0.9, sum(rate(revision_app_request_latencies_bucket{service_name="sklearn-iris-predictor-default",revision_name="sklearn-iris-predictor-default-0000${2 - v}"}[${n}m])) by (le))`,
      };
    });
    return entries;
  });
  const metricInfo = {};
  for (const m of httpMetrics)
    metricInfo[`http/${m}`] = { description: `http ${m}`, units: 'ms', type: 'gauge' };
  for (const m of promMetrics)
    metricInfo[`kserve-prometheus/${m}`] = { description: `kserve ${m}`, type: 'gauge' };
  const slos = versions.flatMap((_, version) =>
    [
      ['kserve-prometheus/error-count', 0],
      ['kserve-prometheus/latency-mean', 25],
      ['kserve-prometheus/latency-p90', 40],
    ].map(([metric, limit]) => {
      const value = metrics[version][metric].value;
      const status = value <= limit ? 'pass' : 'fail';
      // `gate` as canary writes it since SLO policies (older files get it filled in when read).
      return { metric, op: '<=', limit, version, value, status, gate: status };
    }),
  );
  return {
    kind: 'loop',
    loop: n,
    experimentHash,
    experimentStart: new Date(started).toISOString(),
    start: at(0),
    end: at(2),
    durationMs: 2000 + (n % 300),
    status: 'completed',
    versions,
    tasks: [
      {
        id: 'load',
        task: 'http',
        status: 'completed',
        start: at(0),
        end: at(1),
        durationMs: 900,
        attempts: 1,
        output: versions
          .map(
            (v) =>
              `version ${v}: 60 requests in 33ms (1805.6/s), 0 errors (0.0%); status 200: 60; p50 0.7 ms`,
          )
          .join('\n'),
      },
      {
        id: 'metrics',
        task: 'custommetrics',
        status: 'completed',
        start: at(1),
        end: at(2),
        durationMs: 120,
        attempts: 1,
      },
      {
        id: 'assess',
        task: 'assess',
        status: 'completed',
        start: at(2),
        end: at(2),
        durationMs: 1,
        attempts: 1,
      },
    ],
    metrics,
    metricInfo,
    slos,
    histograms: versions.map((_, v) =>
      Array.from({ length: 24 }, (_, i) => ({ upperMs: 0.5 * 1.25 ** i, count: (n + i * 13 + v) % 40 })),
    ),
  };
}

/** The lines of a result file with `loops` loops. */
export function* resultLines(loops) {
  yield JSON.stringify(headerRecord());
  for (let n = 1; n <= loops; n++) yield JSON.stringify(loopRecord(n));
}
