import type { MetricBoard, MetricInfo } from '../../metrics/metric-board.js';
import { counter, providerRecorder, recordLatencyMetrics } from '../http/record-latency-metrics.js';
import type { LlmLoadResult } from './llm-load.js';
import { llmDistributions, llmProvider } from './llm-metric-names.js';

const gauge = (description: string, units?: string): MetricInfo => ({
  description,
  type: 'gauge',
  ...(units ? { units } : {}),
});

/** Records one version's llm/* metrics. Latencies and tokens come from successful requests only. */
export function recordLlmMetrics(
  board: MetricBoard,
  version: number,
  result: LlmLoadResult,
  percentiles: readonly number[],
): void {
  const record = providerRecorder(board, version, llmProvider);
  const perSuccess = (value: number) => (result.successCount > 0 ? value / result.successCount : null);
  const perSecond = (value: number) => (result.elapsedMs > 0 ? (value * 1000) / result.elapsedMs : null);
  record('request-count', result.requestCount, counter('Requests sent and ended'));
  record(
    'error-count',
    result.errorCount,
    counter(
      'Requests with an HTTP error, an error event mid-stream, no [DONE], a timeout or a connection error',
    ),
  );
  record(
    'error-rate',
    result.requestCount > 0 ? result.errorCount / result.requestCount : null,
    gauge('error-count / request-count (0 to 1)'),
    'no requests',
  );
  for (const naming of llmDistributions) {
    const histogram = naming.base === 'ttft' ? result.ttft : naming.base === 'itl' ? result.itl : result.e2e;
    recordLatencyMetrics(board, llmProvider, version, histogram, percentiles, naming);
  }
  record(
    'tpot-mean',
    result.tpotCount > 0 ? result.tpotSumMs / result.tpotCount : null,
    gauge('Mean time per output token after the first: (e2e - ttft) / (tokens - 1), per request', 'ms'),
    'no request with two or more tokens',
  );
  record(
    'output-tokens-mean',
    perSuccess(result.outputTokens),
    gauge('Mean output tokens per request'),
    'no successful requests',
  );
  record(
    'input-tokens-mean',
    result.inputTokenReports > 0 ? result.inputTokens / result.inputTokenReports : null,
    gauge('Mean prompt tokens per request, as the server reported them'),
    'the server reported no usage',
  );
  record(
    'output-tokens-per-second',
    perSecond(result.outputTokens),
    gauge('All output tokens over the wall time of the load'),
    'no load',
  );
  record(
    'requests-per-second',
    perSecond(result.requestCount),
    gauge('Requests ended per second of wall time'),
    'no load',
  );
}
