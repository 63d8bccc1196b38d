import type { MetricBoard, MetricInfo } from '../../metrics/metric-board.js';
import { percentileMetricName, recordLatencyMetrics } from './record-latency-metrics.js';
import type { LoadResult } from './send-load.js';
import { httpProvider } from './http-provider.js';

const counter = (description: string): MetricInfo => ({ description, type: 'counter' });

/** Records one version's http/* metrics; latencies without any response are recorded as no value. */
export function recordHttpMetrics(
  board: MetricBoard,
  version: number,
  result: LoadResult,
  percentiles: readonly number[],
  provider = httpProvider,
): void {
  const record = (metric: string, value: number | null, info: MetricInfo, reason?: string) =>
    board.record(version, `${provider}/${metric}`, value, { info, ...(reason ? { reason } : {}) });
  record('request-count', result.requestCount, counter('Requests sent and ended, warmup excluded'));
  record(
    'error-count',
    result.errorCount,
    counter('Requests with an error status, a connection error or a timeout'),
  );
  record(
    'error-rate',
    result.requestCount > 0 ? result.errorCount / result.requestCount : null,
    { description: 'error-count / request-count (0 to 1)', type: 'gauge' },
    'no requests',
  );
  recordLatencyMetrics(board, provider, version, result.histogram, percentiles);
}

/** Every metric name one group records, for validate's check of SLO metric names. */
export function httpMetricNames(provider: string, percentiles: readonly number[]): string[] {
  const names = ['request-count', 'error-count', 'error-rate', 'latency', 'latency-mean', 'latency-stddev'];
  names.push('latency-min', 'latency-max', ...percentiles.map((p) => percentileMetricName(p)));
  return names.map((name) => `${provider}/${name}`);
}
