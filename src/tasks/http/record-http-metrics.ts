import type { MetricBoard } from '../../metrics/metric-board.js';
import { counter, providerRecorder, recordLatencyMetrics } from './record-latency-metrics.js';
import type { LoadResult } from './send-load.js';
import { httpProvider } from './http-provider.js';

/** Records one version's http/* metrics; latencies without any response are recorded as no value. */
export function recordHttpMetrics(
  board: MetricBoard,
  version: number,
  result: LoadResult,
  percentiles: readonly number[],
  provider = httpProvider,
): void {
  const record = providerRecorder(board, version, provider);
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
