import { MetricBoard, metricNamePattern } from '../metrics/metric-board.js';
import type { LoopRecord } from '../results/records.js';

/**
 * The metric board a recorded loop had when its assess tasks ran: values with their reasons, what
 * each metric means, and histograms (`+Inf` spelled out in the file becomes Infinity again).
 * Metric names were stored canonical, so recording them again keeps them as they were; a name that
 * is not `<provider>/<metric>` (a hand edit) cannot be an SLO's metric and is left out.
 */
export function rebuildMetricBoard(loop: LoopRecord): MetricBoard {
  const board = new MetricBoard();
  loop.metrics.forEach((perMetric, version) => {
    for (const [name, recorded] of Object.entries(perMetric ?? {})) {
      if (!metricNamePattern.test(name)) continue;
      board.record(version, name, recorded.value, {
        ...(recorded.reason !== undefined ? { reason: recorded.reason } : {}),
        ...(recorded.query !== undefined ? { query: recorded.query } : {}),
        ...(loop.metricInfo?.[name] ? { info: loop.metricInfo[name] } : {}),
      });
    }
  });
  (loop.distributions ?? []).forEach((perMetric, version) => {
    for (const [name, bins] of Object.entries(perMetric ?? {})) {
      if (!Array.isArray(bins)) continue;
      board.recordDistribution(
        version,
        name,
        bins.map(({ upper, count }) => ({ upper: upper === '+Inf' ? Infinity : upper, count })),
      );
    }
  });
  return board;
}
