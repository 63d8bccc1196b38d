import type { AggregationSource, MetricBoard, MetricInfo } from '../../metrics/metric-board.js';
import { percentileMetricName } from './http-metric-names.js';
import { latencyBins, summarizeLatency, type LatencyHistogram } from './latency-histogram.js';

const latency = (description: string): MetricInfo => ({ description, units: 'ms', type: 'gauge' });

/**
 * Records `<provider>/latency` of one version: its bins (rank tests, HTML histograms), mean, stddev,
 * min, max and the given percentiles, and the histogram itself, so an SLO may name any other
 * aggregation (`<provider>/latency/p97.5`, `<provider>/latency-p97.5`). No samples: no value.
 */
export function recordLatencyMetrics(
  board: MetricBoard,
  provider: string,
  version: number,
  histogram: LatencyHistogram,
  percentiles: readonly number[],
): void {
  const name = `${provider}/latency`;
  board.recordDistribution(version, name, latencyBins(histogram));
  board.recordAggregationSource(version, name, latencyAggregationSource(histogram));
  const summary = summarizeLatency(histogram, percentiles);
  const record = (metric: string, value: number | null | undefined, description: string) =>
    board.record(version, `${provider}/${metric}`, value ?? null, {
      info: latency(description),
      reason: 'no responses',
    });
  record('latency-mean', summary?.meanMs, 'Mean latency');
  record('latency-stddev', summary?.stddevMs, 'Standard deviation of latency');
  record('latency-min', summary?.minMs, 'Lowest latency');
  record('latency-max', summary?.maxMs, 'Highest latency');
  for (const percentile of percentiles) {
    const value = summary?.percentiles.find((p) => p.percentile === percentile)?.valueMs;
    record(percentileMetricName(percentile), value, `${percentile}th percentile of latency`);
  }
}

/** Any aggregation of a latency histogram, in ms, computed as summarizeLatency computes the recorded ones. */
export function latencyAggregationSource(histogram: LatencyHistogram): AggregationSource {
  return {
    aggregate(aggregation) {
      if (aggregation === 'count') return histogram.totalCount;
      const percentile = /^p(\d+(?:\.\d*)?)$/.exec(aggregation);
      const percent = percentile ? Number(percentile[1]) : undefined;
      if (percent !== undefined && !(percent > 0 && percent <= 100)) return undefined;
      const summary = summarizeLatency(histogram, percent !== undefined ? [percent] : []);
      if (percent !== undefined) return summary?.percentiles[0]?.valueMs ?? null;
      const byName: Record<string, number | undefined> = {
        mean: summary?.meanMs,
        stddev: summary?.stddevMs,
        min: summary?.minMs,
        max: summary?.maxMs,
      };
      if (!(aggregation in byName)) return undefined;
      return byName[aggregation] ?? null;
    },
    info(aggregation) {
      if (aggregation === 'count') return { description: 'Number of latencies recorded', type: 'counter' };
      const percentile = /^p(.+)$/.exec(aggregation)?.[1];
      return latency(
        percentile !== undefined ? `${percentile}th percentile of latency` : `${aggregation} of latency`,
      );
    },
  };
}
