/** A metric's outcome for one version in one loop: a finite number, or no value with the reason. */
export interface MetricValue {
  value: number | null;
  reason?: string;
  /** What was asked for it (a rendered query), secrets already redacted. */
  query?: string;
}

/** A histogram bin as stored in result files. */
export interface RecordedBin {
  upper: number | '+Inf';
  count: number;
}

/** What a metric means, kept once per fully qualified name. */
export interface MetricInfo {
  description?: string;
  units?: string;
  type?: 'counter' | 'gauge' | 'histogram';
}

/** Fully qualified metric names are `<provider>/<metric>`, e.g. `kserve-prometheus/latency-p90`. */
export const metricNamePattern = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.%-]+$/;

/**
 * One spelling per metric: `latency-p99.90` and `latency-p99.9` are the same percentile, so trailing
 * zeros of a percentile suffix are dropped (and `latency-p90.0` is `latency-p90`).
 */
export function canonicalMetricName(name: string): string {
  return name.replace(/-p(\d+)\.(\d*?)0+$/, (_, whole: string, fraction: string) =>
    fraction ? `-p${whole}.${fraction}` : `-p${whole}`,
  );
}

/** Turns NaN, +/-Inf and non-numbers into "no value" with a reason, so a result write never breaks. */
export function toMetricValue(raw: unknown, reason?: string): MetricValue {
  if (raw === null || raw === undefined) return { value: null, reason: reason ?? 'no value' };
  // Prometheus writes infinities as "+Inf"/"-Inf", which Number() reads as NaN.
  const text = typeof raw === 'string' ? raw.trim().replace(/^([+-]?)inf$/i, '$1Infinity') : undefined;
  const number = text !== undefined && text !== '' ? Number(text) : raw;
  if (typeof number !== 'number')
    return { value: null, reason: `not a number: ${JSON.stringify(raw).slice(0, 80)}` };
  if (Number.isNaN(number)) return { value: null, reason: 'NaN' };
  if (!Number.isFinite(number)) return { value: null, reason: number > 0 ? '+Inf' : '-Inf' };
  return { value: number };
}

/** Non-cumulative histogram counts: observations in (previous upper, upper]; the last upper may be +Inf. */
export interface HistogramBin {
  upper: number;
  count: number;
}

/** The metrics of one loop, per version index. Tasks write to it; assess and reports read it. */
export class MetricBoard {
  private readonly perVersion: Array<Map<string, MetricValue>> = [];
  private readonly distributions: Array<Map<string, HistogramBin[]>> = [];
  readonly info = new Map<string, MetricInfo>();

  record(
    version: number,
    name: string,
    raw: unknown,
    details: { reason?: string; query?: string; info?: MetricInfo } = {},
  ): MetricValue {
    if (!Number.isInteger(version) || version < 0)
      throw new RangeError(`version index must be >= 0, got ${version}`);
    if (!metricNamePattern.test(name)) {
      throw new RangeError(`metric name must be <provider>/<metric>, got ${JSON.stringify(name)}`);
    }
    const value = toMetricValue(raw, details.reason);
    if (details.query !== undefined) value.query = details.query;
    const canonical = canonicalMetricName(name);
    while (this.perVersion.length <= version) this.perVersion.push(new Map());
    this.perVersion[version]!.set(canonical, value);
    if (details.info && !this.info.has(canonical)) this.info.set(canonical, details.info);
    return value;
  }

  /** Keep a metric's histogram (e.g. latency) for statistical comparisons and reports. */
  recordDistribution(version: number, name: string, bins: readonly HistogramBin[]): void {
    if (!Number.isInteger(version) || version < 0)
      throw new RangeError(`version index must be >= 0, got ${version}`);
    while (this.distributions.length <= version) this.distributions.push(new Map());
    const sorted = bins.map(({ upper, count }) => ({ upper, count })).sort((a, b) => a.upper - b.upper);
    this.distributions[version]!.set(canonicalMetricName(name), sorted);
  }

  distribution(version: number, name: string): HistogramBin[] | undefined {
    return this.distributions[version]?.get(canonicalMetricName(name));
  }

  /** Histograms per version index, in the result file's form (+Inf spelled out, JSON has no Infinity). */
  distributionsRecord(): Array<Record<string, RecordedBin[]>> {
    return this.distributions.map((perMetric) =>
      Object.fromEntries(
        [...perMetric].map(([name, bins]) => [
          name,
          bins.map(({ upper, count }) => ({
            upper: Number.isFinite(upper) ? upper : ('+Inf' as const),
            count,
          })),
        ]),
      ),
    );
  }

  get(version: number, name: string): MetricValue | undefined {
    return this.perVersion[version]?.get(canonicalMetricName(name));
  }

  /** Number of versions that have any metric. */
  get versionCount(): number {
    return this.perVersion.length;
  }

  names(): string[] {
    const names = new Set<string>();
    for (const metrics of this.perVersion) for (const name of metrics.keys()) names.add(name);
    return [...names].sort();
  }

  toJSON(versionCount: number): Array<Record<string, MetricValue>> {
    const result: Array<Record<string, MetricValue>> = [];
    for (let v = 0; v < Math.max(versionCount, this.perVersion.length); v++) {
      const entries = [...(this.perVersion[v] ?? new Map<string, MetricValue>()).entries()];
      entries.sort(([a], [b]) => a.localeCompare(b));
      result.push(Object.fromEntries(entries));
    }
    return result;
  }
}
