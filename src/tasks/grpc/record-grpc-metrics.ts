import type { MetricBoard } from '../../metrics/metric-board.js';
import { counter, providerRecorder, recordLatencyMetrics } from '../http/record-latency-metrics.js';
import { grpcProvider } from './grpc-provider.js';
import { statusName, type GrpcLoadResult } from './send-grpc-load.js';

/** `grpc/status-deadline-exceeded` for 4: one counter per status seen. */
export function statusMetricName(code: number): string {
  return `${grpcProvider}/status-${statusName(code).toLowerCase().replace(/_/g, '-')}`;
}

/** Records one version's grpc/* metrics, Iter8's names: request-count, error-count, error-rate, latency. */
export function recordGrpcMetrics(
  board: MetricBoard,
  version: number,
  result: GrpcLoadResult,
  percentiles: readonly number[],
): void {
  const record = providerRecorder(board, version, grpcProvider);
  record('request-count', result.requestCount, counter('Calls made and ended, skipFirst excluded'));
  record('error-count', result.errorCount, counter('Calls that ended with a status other than OK'));
  record(
    'error-rate',
    result.requestCount > 0 ? result.errorCount / result.requestCount : null,
    { description: 'error-count / request-count (0 to 1)', type: 'gauge' },
    'no calls',
  );
  for (const [code, { count }] of result.statusCounts) {
    board.record(version, statusMetricName(code), count, {
      info: counter(`Calls that ended with status ${statusName(code)}`),
    });
  }
  recordLatencyMetrics(board, grpcProvider, version, result.histogram, percentiles);
}
