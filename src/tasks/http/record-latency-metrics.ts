import type { AggregationSource, MetricBoard, MetricInfo } from '../../metrics/metric-board.js';
import { percentileMetricName } from './http-metric-names.js';
import { latencyBins, summarizeLatency, type LatencyHistogram } from './latency-histogram.js';

const latency = (description: string): MetricInfo => ({ description, units: 'ms', type: 'gauge' });

export const counter = (description: string): MetricInfo => ({ description, type: 'counter' });

/** Records `<provider>/<metric>` of one version, with a reason when the value is missing. */
export function providerRecorder(
  board: MetricBoard,
  version: number,
  provider: string,
): (metric: string, value: number | null, info: MetricInfo, reason?: string) => void {
  return (metric, value, info, reason) =>
    board.record(version, `${provider}/${metric}`, value, { info, ...(reason ? { reason } : {}) });
}

/** Which distribution: `latency` by default; the llm task records `ttft`, `itl` and `e2e-latency`. */
export interface LatencyMetricNaming {
  base: string;
  /** In descriptions: "Mean <label>". */
  label: string;
}

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
  naming: LatencyMetricNaming = { base: 'latency', label: 'latency' },
): void {
  const { base, label } = naming;
  const name = `${provider}/${base}`;
  board.recordDistribution(version, name, latencyBins(histogram));
  board.recordAggregationSource(version, name, latencyAggregationSource(histogram, label));
  const summary = summarizeLatency(histogram, percentiles);
  const record = (metric: string, value: number | null | undefined, description: string) =>
    board.record(version, `${provider}/${metric}`, value ?? null, {
      info: latency(description),
      reason: 'no responses',
    });
  record(`${base}-mean`, summary?.meanMs, `Mean ${label}`);
  record(`${base}-stddev`, summary?.stddevMs, `Standard deviation of ${label}`);
  record(`${base}-min`, summary?.minMs, `Lowest ${label}`);
  record(`${base}-max`, summary?.maxMs, `Highest ${label}`);
  for (const percentile of percentiles) {
    const value = summary?.percentiles.find((p) => p.percentile === percentile)?.valueMs;
    record(percentileMetricName(percentile, base), value, `${percentile}th percentile of ${label}`);
  }
}

/** Any aggregation of a latency histogram, in ms, computed as summarizeLatency computes the recorded ones. */
export function latencyAggregationSource(histogram: LatencyHistogram, label = 'latency'): AggregationSource {
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
      if (aggregation === 'count')
        return {
          description:
            label === 'latency' ? 'Number of latencies recorded' : `Number of ${label} values recorded`,
          type: 'counter',
        };
      const percentile = /^p(.+)$/.exec(aggregation)?.[1];
      return latency(
        percentile !== undefined ? `${percentile}th percentile of ${label}` : `${aggregation} of ${label}`,
      );
    },
  };
}
