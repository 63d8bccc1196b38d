import type { LoopRecord } from '../results/records.js';
import type { HistogramBucket } from './report-schema.js';
import { versionName } from '../config/experiment.js';

/**
 * Latency histograms a loop record may carry (records.ts does not declare them yet): per version
 * index like `metrics`, or keyed by version name. Read defensively because result files outlive
 * code versions: anything malformed is dropped, never rendered.
 */
export function readHistograms(
  loop: LoopRecord | undefined,
  versionNames: readonly string[],
): Record<string, HistogramBucket[]> | undefined {
  const raw = latencyDistributions(loop) ?? (loop as { histograms?: unknown } | undefined)?.histograms;
  if (raw === null || typeof raw !== 'object') return undefined;
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((buckets, index): [string, unknown] => [versionName(versionNames, index), buckets])
    : Object.entries(raw);
  const result: Record<string, HistogramBucket[]> = {};
  for (const [version, buckets] of entries) {
    const valid = toBuckets(buckets);
    if (valid && valid.length > 0) result[version] = valid;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** Each version's first `<provider>/latency` histogram, as buckets in ms (+Inf cannot be drawn). */
function latencyDistributions(loop: LoopRecord | undefined): unknown[] | undefined {
  const distributions = (loop as { distributions?: unknown } | undefined)?.distributions;
  if (!Array.isArray(distributions)) return undefined;
  const perVersion = distributions.map((perMetric: unknown) => {
    if (perMetric === null || typeof perMetric !== 'object') return null;
    const name = Object.keys(perMetric).find((metric) => metric.endsWith('/latency'));
    const bins = name === undefined ? undefined : (perMetric as Record<string, unknown>)[name];
    if (!Array.isArray(bins)) return null;
    return bins
      .filter((bin: { upper?: unknown }) => typeof bin?.upper === 'number')
      .map((bin: { upper: number; count: unknown }) => ({ upperMs: bin.upper, count: bin.count }));
  });
  return perVersion.some((bins) => bins !== null) ? perVersion : undefined;
}

function toBuckets(value: unknown): HistogramBucket[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const buckets: HistogramBucket[] = [];
  for (const item of value) {
    const { upperMs, count } = (item ?? {}) as Record<string, unknown>;
    if (typeof upperMs !== 'number' || !Number.isFinite(upperMs) || upperMs < 0) return undefined;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return undefined;
    buckets.push({ upperMs, count });
  }
  // Bars are drawn left to right by bound.
  return buckets.sort((a, b) => a.upperMs - b.upperMs);
}
