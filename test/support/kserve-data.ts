/**
 * Deterministic Knative queue-proxy data for KServe revisions: per-request latencies and status
 * codes go in, OpenMetrics text (for promtool) and the exact expected metrics come out.
 */
export const latencyBucketsMs = [5, 10, 20, 30, 40, 50, 75, 100, 250, 500, 1000];

export interface RevisionTraffic {
  serviceName: string;
  revisionName: string;
  /** One entry per request: latency in ms and HTTP status. */
  requests: Array<{ ms: number; status: number }>;
}

interface Series {
  labels: Record<string, string>;
  buckets: number[];
  count: number;
  sum: number;
}

/** Cumulative series per (revision, response code), as the queue-proxy exports them. */
function seriesOf(revision: RevisionTraffic, upTo: number): Series[] {
  const byCode = new Map<number, Series>();
  for (const request of revision.requests.slice(0, upTo)) {
    let series = byCode.get(request.status);
    if (!series) {
      series = {
        labels: {
          service_name: revision.serviceName,
          revision_name: revision.revisionName,
          response_code: String(request.status),
          response_code_class: `${String(request.status)[0]}xx`,
        },
        buckets: latencyBucketsMs.map(() => 0),
        count: 0,
        sum: 0,
      };
      byCode.set(request.status, series);
    }
    latencyBucketsMs.forEach((le, i) => {
      if (request.ms <= le) series!.buckets[i]!++;
    });
    series.count++;
    series.sum += request.ms;
  }
  return [...byCode.values()].sort((a, b) => a.labels.response_code!.localeCompare(b.labels.response_code!));
}

function labelText(labels: Record<string, string>, extra: Record<string, string> = {}): string {
  return Object.entries({ ...labels, ...extra })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
}

function floatText(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * OpenMetrics for `steps` scrapes between `startSeconds` and `endSeconds`: the traffic is revealed
 * progressively, so the last scrape holds the totals.
 */
export function kserveOpenMetrics(
  revisions: RevisionTraffic[],
  startSeconds: number,
  endSeconds: number,
  steps = 5,
): string {
  const lines = [
    '# TYPE revision_app_request_latencies histogram',
    '# HELP revision_app_request_latencies The response latency in milliseconds',
  ];
  const allKeys = new Map<string, Series>();
  for (const revision of revisions)
    for (const s of seriesOf(revision, revision.requests.length)) allKeys.set(labelText(s.labels), s);
  for (const key of [...allKeys.keys()].sort()) {
    for (let step = 1; step <= steps; step++) {
      const t = startSeconds + ((endSeconds - startSeconds) * step) / steps;
      const revision = revisions.find((r) => key.includes(`revision_name="${r.revisionName}"`))!;
      const upTo = Math.round((revision.requests.length * step) / steps);
      const series = seriesOf(revision, upTo).find((s) => labelText(s.labels) === key) ?? {
        labels: allKeys.get(key)!.labels,
        buckets: latencyBucketsMs.map(() => 0),
        count: 0,
        sum: 0,
      };
      latencyBucketsMs.forEach((le, i) => {
        lines.push(
          `revision_app_request_latencies_bucket{${labelText(series.labels, { le: floatText(le) })}} ${series.buckets[i]} ${t.toFixed(3)}`,
        );
      });
      lines.push(
        `revision_app_request_latencies_bucket{${labelText(series.labels, { le: '+Inf' })}} ${series.count} ${t.toFixed(3)}`,
      );
      lines.push(
        `revision_app_request_latencies_count{${labelText(series.labels)}} ${series.count} ${t.toFixed(3)}`,
      );
      lines.push(
        `revision_app_request_latencies_sum{${labelText(series.labels)}} ${series.sum} ${t.toFixed(3)}`,
      );
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** What canary must report for a revision: the same arithmetic Prometheus does. */
export function expectedKserveMetrics(revision: RevisionTraffic, percentiles: number[]) {
  const requests = revision.requests;
  const errors = requests.filter((r) => r.status >= 500).length;
  const sum = seriesOf(revision, requests.length).reduce((total, s) => total + s.sum, 0);
  const buckets = latencyBucketsMs.map((le) => requests.filter((r) => r.ms <= le).length);
  const result: Record<string, number> = {
    'request-count': requests.length,
    'error-count': errors,
    'error-rate': errors / requests.length,
    'latency-mean': sum / requests.length,
  };
  for (const p of percentiles)
    result[`latency-p${p}`] = histogramQuantile(p / 100, latencyBucketsMs, buckets, requests.length);
  return result;
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket holding the rank. */
export function histogramQuantile(
  q: number,
  upperBounds: number[],
  cumulative: number[],
  total: number,
): number {
  const rank = q * total;
  const index = cumulative.findIndex((count) => count >= rank);
  if (index === -1) return upperBounds[upperBounds.length - 1]!; // falls in +Inf: the highest finite bound
  const bucketStart = index === 0 ? 0 : upperBounds[index - 1]!;
  const bucketEnd = upperBounds[index]!;
  const below = index === 0 ? 0 : cumulative[index - 1]!;
  const inBucket = cumulative[index]! - below;
  if (index === 0 && bucketEnd <= 0) return bucketEnd;
  return bucketStart + (bucketEnd - bucketStart) * ((rank - below) / inBucket);
}
