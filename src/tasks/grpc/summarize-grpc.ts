import { formatDuration } from '../../util/duration.js';
import { latencyLine } from '../http/latency-histogram.js';
import type { PreparedCall } from './prepare-call.js';
import { statusName, type GrpcLoadResult } from './send-grpc-load.js';

/** A few lines per version for the loop record: counts, rate, per-status counts, latency percentiles. */
export function summarizeGrpcRun(
  call: PreparedCall,
  result: GrpcLoadResult,
  percentiles: readonly number[],
): string {
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${(result.requestCount / seconds).toFixed(1)}/s)` : '';
  const share =
    result.requestCount > 0 ? ` (${((result.errorCount / result.requestCount) * 100).toFixed(1)}%)` : '';
  const statuses = [...result.statusCounts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, { count }]) => `${statusName(code)} x${count}`)
    .join(', ');
  const lines = [
    `version ${call.version} ${call.host}${call.method.path}: ${result.requestCount} calls in ` +
      `${formatDuration(Math.round(result.elapsedMs))}${rate}, ${result.errorCount} errors${share}` +
      (statuses ? `; status ${statuses}` : '') +
      (result.stopped ? `; stopped early (${result.stopped})` : ''),
  ];
  const latency = latencyLine(result.histogram, percentiles);
  if (latency) lines.push(latency);
  for (const [code, status] of result.statusCounts) {
    if (status.message !== undefined) lines.push(`  ${statusName(code)} x${status.count}: ${status.message}`);
  }
  return lines.join('\n');
}
