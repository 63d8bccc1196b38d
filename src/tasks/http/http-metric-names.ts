/**
 * Metric names of the http task, apart from the code that records them: validate needs the names
 * without loading the HDR histogram library that only a run uses.
 */

/** `latency-p99.9` for 99.9; the board canonicalizes any other spelling of the same percentile. */
export function percentileMetricName(percentile: number, base = 'latency'): string {
  return `${base}-p${percentile}`;
}

/** Every metric name one group records, for validate's check of SLO metric names. */
export function httpMetricNames(provider: string, percentiles: readonly number[]): string[] {
  const names = ['request-count', 'error-count', 'error-rate', 'latency', 'latency-mean', 'latency-stddev'];
  names.push('latency-min', 'latency-max', ...percentiles.map((p) => percentileMetricName(p)));
  return names.map((name) => `${provider}/${name}`);
}
