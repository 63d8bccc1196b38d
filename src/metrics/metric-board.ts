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

/** Aggregations of a distribution metric: `mean`, `stddev`, `min`, `max`, `count`, or a percentile `p97.5`. */
const aggregationSource = String.raw`(?:mean|stddev|min|max|count|p\d+(?:\.\d*)?)`;

/**
 * Fully qualified metric names are `<provider>/<metric>`, e.g. `kserve-prometheus/latency-p90`, or Iter8's
 * `<provider>/<metric>/<aggregation>` (`grpc/latency/p97.5`), another spelling of `<provider>/<metric>-<aggregation>`.
 */
export const metricNamePattern = new RegExp(
  String.raw`^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.%-]+(?:\/${aggregationSource})?$`,
);

const iter8Aggregation = new RegExp(String.raw`^([^/]+\/[^/]+)\/(${aggregationSource})$`);
const aggregationSuffix = new RegExp(String.raw`^(.+)-(${aggregationSource})$`);

/**
 * One spelling per metric: Iter8's `x/latency/mean` is `x/latency-mean`; `latency-p99.90` and
 * `latency-p99.9` are the same percentile, so trailing zeros of a percentile suffix are dropped (and
 * `latency-p90.0` and `latency-p90.` are `latency-p90`).
 */
export function canonicalMetricName(name: string): string {
  return name
    .replace(iter8Aggregation, '$1-$2')
    .replace(/-p(\d+)\.(\d*?)0*$/, (_, whole: string, fraction: string) =>
      fraction ? `-p${whole}.${fraction}` : `-p${whole}`,
    );
}

/** `grpc/latency-p97.5` is aggregation `p97.5` of `grpc/latency`; undefined for a name without one. */
export function splitAggregation(name: string): { base: string; aggregation: string } | undefined {
  const match = aggregationSuffix.exec(canonicalMetricName(name));
  return match ? { base: match[1]!, aggregation: match[2]! } : undefined;
}

/**
 * A distribution kept whole (e.g. an HDR latency histogram), so that any aggregation of it can be read
 * as a metric, `<metric>-p97.5` as well as the percentiles its task recorded up front.
 */
export interface AggregationSource {
  /** Undefined for an aggregation the source does not know; null when it has no value (no samples). */
  aggregate(aggregation: string): number | null | undefined;
  info(aggregation: string): MetricInfo;
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
  private readonly aggregationSources: Array<Map<string, AggregationSource>> = [];
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

  /** Lets `get` answer any aggregation of `name` (`<name>-p97.5`, `<name>/mean`) from the source. */
  recordAggregationSource(version: number, name: string, source: AggregationSource): void {
    if (!Number.isInteger(version) || version < 0)
      throw new RangeError(`version index must be >= 0, got ${version}`);
    while (this.aggregationSources.length <= version) this.aggregationSources.push(new Map());
    this.aggregationSources[version]!.set(canonicalMetricName(name), source);
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

  /**
   * A recorded value; else an aggregation computed from a recorded source, then kept as if recorded (so
   * the result file holds what an SLO was judged on).
   */
  get(version: number, name: string): MetricValue | undefined {
    const canonical = canonicalMetricName(name);
    const recorded = this.perVersion[version]?.get(canonical);
    if (recorded !== undefined) return recorded;
    const split = splitAggregation(canonical);
    const source = split && this.aggregationSources[version]?.get(split.base);
    if (!split || !source) return undefined;
    const value = source.aggregate(split.aggregation);
    if (value === undefined) return undefined;
    return this.record(version, canonical, value, {
      info: source.info(split.aggregation),
      reason: 'no samples',
    });
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
