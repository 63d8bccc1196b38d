import type { Experiment } from '../../src/config/experiment.js';
import type { HeaderRecord, LoopRecord } from '../../src/results/records.js';
import type { ResultHistory } from '../../src/results/result-file.js';

export const baseline = 'sklearn-iris-00001';
export const candidate = 'sklearn-iris-00002';
export const hash = 'sha256:0000';

export function experiment(versions: string[] = [baseline, candidate]): Experiment {
  return {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { name: 'sklearn-iris-slos', namespace: 'kserve-test' },
    spec: {
      schedule: '*/1 * * * *',
      maxLoops: 10,
      versions,
      concurrency: 4,
      tasks: [
        { id: 'ready', task: 'ready', with: {}, needs: [] },
        { id: 'custommetrics', task: 'custommetrics', with: {}, needs: ['ready'] },
        { id: 'assess', task: 'assess', with: {}, needs: ['custommetrics'] },
      ],
    },
  };
}

export function header(versions?: string[]): HeaderRecord {
  return {
    kind: 'header',
    format: 'canary.result/v1',
    tool: { name: 'canary', version: '0.1.0' },
    created: '2024-05-01T10:00:00.000Z',
    experimentHash: hash,
    firstLoop: 1,
    source: 'experiments/sklearn-iris.yaml',
    experiment: experiment(versions),
  };
}

/** Loop 1: both versions healthy. */
export function firstLoop(versions: string[] = [baseline, candidate]): LoopRecord {
  return {
    kind: 'loop',
    loop: 1,
    experimentHash: hash,
    experimentStart: '2024-05-01T10:01:00.000Z',
    start: '2024-05-01T10:01:00.000Z',
    end: '2024-05-01T10:01:02.500Z',
    durationMs: 2500,
    status: 'completed',
    versions,
    tasks: [
      { id: 'ready', task: 'ready', status: 'completed', durationMs: 800 },
      { id: 'custommetrics', task: 'custommetrics', status: 'completed', durationMs: 1500 },
      { id: 'assess', task: 'assess', status: 'completed', durationMs: 2 },
    ],
    metrics: [
      {
        'kserve-prometheus/error-count': { value: 0 },
        'kserve-prometheus/latency-mean': { value: 19.8 },
        'kserve-prometheus/latency-p90': { value: 33 },
      },
      {
        'kserve-prometheus/error-count': { value: 0 },
        'kserve-prometheus/latency-mean': { value: 22.25 },
        'kserve-prometheus/latency-p90': { value: 35.5 },
      },
    ],
    metricInfo: {
      'kserve-prometheus/latency-mean': { description: 'Mean latency', units: 'msec', type: 'gauge' },
      'kserve-prometheus/error-count': { description: 'Number of errors', type: 'counter' },
    },
    slos: [
      ...[0, 1].flatMap((version) => [
        {
          metric: 'kserve-prometheus/error-count',
          op: '<=' as const,
          limit: 0,
          version,
          value: 0,
          status: 'pass' as const,
        },
        {
          metric: 'kserve-prometheus/latency-mean',
          op: '<=' as const,
          limit: 25,
          version,
          value: version === 0 ? 19.8 : 22.25,
          status: 'pass' as const,
        },
      ]),
    ],
  };
}

/** Loop 2: the candidate's mean latency breaks its SLO and its p90 query returned nothing. */
export function secondLoop(versions: string[] = [baseline, candidate]): LoopRecord {
  return {
    ...firstLoop(versions),
    loop: 2,
    start: '2024-05-01T10:02:00.000Z',
    end: '2024-05-01T10:02:03.000Z',
    durationMs: 3000,
    skippedTicks: ['2024-05-01T10:01:30.000Z'],
    metrics: [
      {
        'kserve-prometheus/error-count': { value: 0 },
        'kserve-prometheus/latency-mean': { value: 21.3 },
        'kserve-prometheus/latency-p90': { value: 38.123456 },
      },
      {
        'kserve-prometheus/error-count': { value: 0 },
        'kserve-prometheus/latency-mean': { value: 31 },
        'kserve-prometheus/latency-p90': { value: null, reason: 'query returned no series' },
      },
    ],
    slos: [
      { metric: 'kserve-prometheus/error-count', op: '<=', limit: 0, version: 0, value: 0, status: 'pass' },
      {
        metric: 'kserve-prometheus/latency-mean',
        op: '<=',
        limit: 25,
        version: 0,
        value: 21.3,
        status: 'pass',
      },
      {
        metric: 'kserve-prometheus/latency-p90',
        op: '<=',
        limit: 40,
        version: 0,
        value: 38.123456,
        status: 'pass',
      },
      { metric: 'kserve-prometheus/error-count', op: '<=', limit: 0, version: 1, value: 0, status: 'pass' },
      {
        metric: 'kserve-prometheus/latency-mean',
        op: '<=',
        limit: 25,
        version: 1,
        value: 31,
        status: 'fail',
      },
      {
        metric: 'kserve-prometheus/latency-p90',
        op: '<=',
        limit: 40,
        version: 1,
        value: null,
        status: 'nodata',
        reason: 'query returned no series',
      },
    ],
  };
}

export function twoLoopHistory(versions?: string[]): ResultHistory {
  return {
    file: 'canary-results/sklearn-iris-slos.jsonl',
    header: header(versions),
    loops: [firstLoop(versions), secondLoop(versions)],
    warnings: [],
  };
}

export function emptyHistory(): ResultHistory {
  return { file: 'canary-results/empty.jsonl', loops: [], warnings: [] };
}

export const hostileVersion = '<img src=x onerror=alert(1)>';
export const pipeMetric = 'evil|provider/latency|p99';

/** A version named like an XSS payload and a metric whose name would split a markdown table cell. */
export function hostileHistory(): ResultHistory {
  const versions = [baseline, hostileVersion];
  const loop = secondLoop(versions);
  loop.metrics[1] = { ...loop.metrics[1], [pipeMetric]: { value: 7 } };
  loop.metrics[0] = {
    ...loop.metrics[0],
    [pipeMetric]: { value: null, reason: 'bad <b>query</b> & "quotes"' },
  };
  loop.metricInfo = {
    ...loop.metricInfo,
    [pipeMetric]: { description: 'x" onmouseover="alert(1)', units: '<ms>' },
  };
  loop.slos.push({ metric: pipeMetric, op: '>=', limit: 5, version: 1, value: 7, status: 'pass' });
  loop.status = 'failed';
  loop.tasks[2] = {
    id: 'assess',
    task: 'assess',
    status: 'failed',
    message: 'version <script>alert(1)</script> | broke\nline two',
  };
  return {
    file: 'canary-results/hostile.jsonl',
    header: header(versions),
    loops: [firstLoop(versions), loop],
    warnings: [],
  };
}

/**
 * Loop 3 on top of `twoLoopHistory`: both versions' p90 back, the candidate still too slow on
 * average (one failing SLO: latency-mean), rendered queries, and a latency histogram per version.
 */
export function thirdLoop(versions: string[] = [baseline, candidate]): LoopRecord {
  const loop: LoopRecord & { histograms?: unknown } = {
    ...firstLoop(versions),
    loop: 3,
    start: '2024-05-01T10:03:00.000Z',
    end: '2024-05-01T10:03:02.750Z',
    durationMs: 2750,
    metrics: versions.map((_, v) => ({
      'kserve-prometheus/error-count': {
        value: 0,
        query: `sum(increase(revision_app_request_count{revision_name="${versions[v]}",response_code_class!="2xx"}[180s]))`,
      },
      'kserve-prometheus/latency-mean': {
        value: v === 0 ? 20.4 : 28.6,
        query: `sum(increase(revision_app_request_latencies_sum{revision_name="${versions[v]}"}[180s])) / sum(increase(revision_app_request_latencies_count{revision_name="${versions[v]}"}[180s]))`,
      },
      'kserve-prometheus/latency-p90': {
        value: v === 0 ? 36.2 : 39.5,
        query: `histogram_quantile(0.9, sum by(le) (rate(revision_app_request_latencies_bucket{revision_name="${versions[v]}"}[180s])))`,
      },
    })),
    slos: versions.flatMap((_, version) => [
      {
        metric: 'kserve-prometheus/error-count',
        op: '<=' as const,
        limit: 0,
        version,
        value: 0,
        status: 'pass' as const,
      },
      {
        metric: 'kserve-prometheus/latency-mean',
        op: '<=' as const,
        limit: 25,
        version,
        value: version === 0 ? 20.4 : 28.6,
        status: version === 0 ? ('pass' as const) : ('fail' as const),
      },
      {
        metric: 'kserve-prometheus/latency-p90',
        op: '<=' as const,
        limit: 40,
        version,
        value: version === 0 ? 36.2 : 39.5,
        status: 'pass' as const,
      },
    ]),
  };
  loop.histograms = versions.map((_, v) => histogramFor(v === 0 ? 20 : 28));
  return loop;
}

/** Fixed-bound buckets (10 per decade, as the http task writes them) around a mean latency. */
function histogramFor(meanMs: number): Array<{ upperMs: number; count: number }> {
  const bounds = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100];
  return bounds.map((upperMs) => ({
    upperMs,
    count: Math.round(400 * Math.exp(-((Math.log(upperMs / meanMs) / 0.35) ** 2))),
  }));
}

export function threeLoopHistory(versions?: string[]): ResultHistory {
  const history = twoLoopHistory(versions);
  history.file = 'canary-results/sklearn-iris-slos.jsonl';
  history.loops.push(thirdLoop(versions));
  return history;
}
