import { knativeLatencyBucketsMs, type RequestSeries } from './request-metrics.js';

export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus text exposition (format 0.0.4) of a revision's request series, named as the
 * queue-proxy exports them. Label names are sorted, `le` last, like the OpenCensus exporter.
 */
export function renderMetrics(series: readonly RequestSeries[]): string {
  const lines = [
    '# HELP revision_app_request_count The number of requests that are routed to user-container',
    '# TYPE revision_app_request_count counter',
    ...series.map((s) => `revision_app_request_count${labelSet(s.labels)} ${s.count}`),
    '# HELP revision_app_request_latencies The response time in millisecond',
    '# TYPE revision_app_request_latencies histogram',
  ];
  for (const s of series) {
    knativeLatencyBucketsMs.forEach((bound, i) => {
      lines.push(
        `revision_app_request_latencies_bucket${labelSet(s.labels, String(bound))} ${s.cumulativeBuckets[i] ?? 0}`,
      );
    });
    lines.push(`revision_app_request_latencies_bucket${labelSet(s.labels, '+Inf')} ${s.count}`);
    lines.push(`revision_app_request_latencies_sum${labelSet(s.labels)} ${s.sumMs}`);
    lines.push(`revision_app_request_latencies_count${labelSet(s.labels)} ${s.count}`);
  }
  return `${lines.join('\n')}\n`;
}

function labelSet(labels: Readonly<Record<string, string>>, le?: string): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  if (le !== undefined) pairs.push(`le="${le}"`);
  return `{${pairs.join(',')}}`;
}

/** The exposition format escapes backslash, double quote and line feed in label values. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
