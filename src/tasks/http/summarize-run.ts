import { versionName } from '../../config/experiment.js';
import { formatDuration } from '../../util/duration.js';
import { latencyLine } from './latency-histogram.js';
import type { EndpointMeasurement } from './measure-endpoints.js';

/** A few lines per version for the loop record: counts, rate, statuses, latency percentiles. */
export function summarizeMeasurement(
  measurement: EndpointMeasurement,
  percentiles: readonly number[],
  versionNames: readonly string[] = [],
): string {
  const { request, result } = measurement;
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${(result.requestCount / seconds).toFixed(1)}/s)` : '';
  const errorShare = result.requestCount > 0 ? ` (${percent(result.errorCount / result.requestCount)})` : '';
  const statuses = [...result.statusCounts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} x${count}`)
    .join(', ');
  const lines = [
    `${versionName(versionNames, request.version)} ${request.method} ${request.url}: ${result.requestCount} requests in ` +
      `${formatDuration(Math.round(result.elapsedMs))}${rate}, ${result.errorCount} errors${errorShare}` +
      (statuses ? `; status ${statuses}` : '') +
      (result.stopped ? `; stopped early (${result.stopped})` : '') +
      (result.retriedCount > 0
        ? `; ${result.retriedCount} sent again after the server closed an idle connection`
        : ''),
  ];
  const latency = latencyLine(result.histogram, percentiles);
  if (latency) lines.push(latency);
  for (const [code, failure] of result.failures) {
    lines.push(`  ${code} x${failure.count}: ${failure.message}`);
  }
  return lines.join('\n');
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}
