import type { MetricBoard, MetricInfo } from '../../metrics/metric-board.js';
import { latencyBins, summarizeLatency } from './latency-histogram.js';
import type { LoadResult } from './send-load.js';
import { httpProvider } from './http-provider.js';

const counter = (description: string): MetricInfo => ({ description, type: 'counter' });
const latency = (description: string): MetricInfo => ({ description, units: 'ms', type: 'gauge' });

/** `latency-p99.9` for 99.9; the board canonicalizes any other spelling of the same percentile. */
export function percentileMetricName(percentile: number): string {
  return `latency-p${percentile}`;
}

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
  // The whole distribution: for rank tests between versions and the HTML report's histograms.
  board.recordDistribution(version, `${provider}/latency`, latencyBins(result.histogram));
  const summary = summarizeLatency(result.histogram, percentiles);
  const noLatency = 'no responses';
  record('latency-mean', summary?.meanMs ?? null, latency('Mean latency'), noLatency);
  record('latency-stddev', summary?.stddevMs ?? null, latency('Standard deviation of latency'), noLatency);
  record('latency-min', summary?.minMs ?? null, latency('Lowest latency'), noLatency);
  record('latency-max', summary?.maxMs ?? null, latency('Highest latency'), noLatency);
  for (const percentile of percentiles) {
    const value = summary?.percentiles.find((p) => p.percentile === percentile)?.valueMs ?? null;
    record(
      percentileMetricName(percentile),
      value,
      latency(`${percentile}th percentile of latency`),
      noLatency,
    );
  }
}

/** Every metric name one group records, for validate's check of SLO metric names. */
export function httpMetricNames(provider: string, percentiles: readonly number[]): string[] {
  const names = ['request-count', 'error-count', 'error-rate', 'latency', 'latency-mean', 'latency-stddev'];
  names.push('latency-min', 'latency-max', ...percentiles.map(percentileMetricName));
  return names.map((name) => `${provider}/${name}`);
}
