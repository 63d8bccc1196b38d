/** A task context for notify tests: a loop with two versions, metrics and SLO verdicts. */
import { MetricBoard } from '../../../src/metrics/metric-board.js';
import type { SloVerdict } from '../../../src/results/records.js';
import type { TaskContext } from '../../../src/tasks/task-definition.js';

export interface TestContext extends TaskContext {
  logs: string[];
}

export function makeContext(
  options: {
    versions?: string[];
    env?: Record<string, string>;
    experimentDir?: string;
    signal?: AbortSignal;
    metricName?: string;
  } = {},
): TestContext {
  const versions = options.versions ?? ['baseline', 'candidate'];
  const metric = options.metricName ?? 'kserve-prometheus/latency-mean';
  const metrics = new MetricBoard();
  metrics.record(0, metric, 21.3, { query: 'mean{v="0"}', info: { units: 'msec' } });
  metrics.record(1, metric, 31, { query: 'mean{v="1"}' });
  metrics.record(1, 'kserve-prometheus/latency-p90', null, { reason: 'query returned no series' });
  const slos: SloVerdict[] = [
    { metric, op: '<=', limit: 25, version: 0, value: 21.3, status: 'pass' },
    { metric, op: '<=', limit: 25, version: 1, value: 31, status: 'fail' },
    {
      metric: 'kserve-prometheus/latency-p90',
      op: '<=',
      limit: 40,
      version: 1,
      value: null,
      status: 'nodata',
      reason: 'query returned no series',
    },
  ];
  const logs: string[] = [];
  return {
    taskId: 'notify',
    loop: 3,
    iteration: 3,
    experiment: { name: 'sklearn-iris', namespace: 'kserve-test' },
    versions,
    experimentDir: options.experimentDir ?? '/nonexistent',
    experimentStart: new Date('2026-01-01T00:00:00.000Z'),
    env: options.env ?? {},
    workDir: '/nonexistent',
    signal: options.signal ?? new AbortController().signal,
    metrics,
    slos,
    log: (message) => logs.push(message),
    logs,
  };
}
