/**
 * The request metrics a Knative queue-proxy keeps for the user container of one revision
 * (knative.dev/serving pkg/queue/stats: `app_request_count` and `app_request_latencies`, exported
 * with the `revision_` prefix), with the same labels, buckets and rounding.
 */

/** Knative's defaultLatencyDistribution, in milliseconds. */
export const knativeLatencyBucketsMs = [
  5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000, 5000,
  10000, 20000, 50000, 100000,
] as const;

/** Labels fixed for a revision's queue-proxy; response_code and response_code_class vary per request. */
export type RevisionLabels = {
  configuration_name: string;
  container_name: string;
  namespace_name: string;
  pod_name: string;
  revision_name: string;
  service_name: string;
};

/** Cumulative values of one series (one response code). */
export interface RequestSeries {
  labels: RevisionLabels & { response_code: string; response_code_class: string };
  count: number;
  /** Sum of the recorded latencies, in milliseconds. */
  sumMs: number;
  /** Per bucket of knativeLatencyBucketsMs, the number of latencies counted under its `le`. */
  cumulativeBuckets: number[];
}

export interface RequestMetrics {
  /** Records one request: its status code and its latency in (fractional) milliseconds. */
  record(statusCode: number, latencyMs: number): void;
  /** The series so far, ordered by response code. */
  snapshot(): RequestSeries[];
}

export function createRequestMetrics(labels: RevisionLabels): RequestMetrics {
  const byCode = new Map<number, { count: number; sumMs: number; bucketCounts: number[] }>();
  return {
    record(statusCode, latencyMs) {
      let series = byCode.get(statusCode);
      if (!series) {
        series = { count: 0, sumMs: 0, bucketCounts: knativeLatencyBucketsMs.map(() => 0) };
        byCode.set(statusCode, series);
      }
      // The queue-proxy records time.Duration.Milliseconds(): whole milliseconds, truncated.
      const ms = Math.max(0, Math.floor(latencyMs));
      series.count++;
      series.sumMs += ms;
      // OpenCensus distributions count a value in the first bucket whose bound is strictly
      // greater (v < bound), and the Prometheus exporter labels that bucket le=bound; so 5 ms
      // lands in le="10", not le="5", exactly as on a real queue-proxy.
      const index = knativeLatencyBucketsMs.findIndex((bound) => ms < bound);
      if (index >= 0) series.bucketCounts[index]!++;
    },
    snapshot() {
      return [...byCode.entries()]
        .sort(([a], [b]) => a - b)
        .map(([code, series]) => ({
          labels: { ...labels, response_code: String(code), response_code_class: codeClassOf(code) },
          count: series.count,
          sumMs: series.sumMs,
          cumulativeBuckets: accumulate(series.bucketCounts),
        }));
    },
  };
}

/** "5xx" for 503, as Knative's responseCodeClass. */
export function codeClassOf(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}

function accumulate(counts: readonly number[]): number[] {
  let total = 0;
  return counts.map((count) => (total += count));
}
