import type { JqExtraction } from './backend/jq.js';
import { parseNumericString } from './backend/jq.js';
import type { HistogramBin } from './metric-board.js';
import { binsFromCumulative } from '../stats/bins.js';

/**
 * Reads a histogram metric's jq output: Prometheus-style cumulative buckets, `[{le, count}]` or
 * `[[le, count]]`, where `le` may be a string (`"0.5"`, `"+Inf"`) as Prometheus labels are. Returns
 * the non-cumulative bins, or why the output is not a histogram.
 */
export function interpretCumulativeBuckets(output: unknown): JqExtraction<HistogramBin[]> {
  if (!Array.isArray(output) || output.length === 0) {
    return {
      value: null,
      reason: `a histogram needs a non-empty list of {le, count} buckets, got ${describe(output)}`,
    };
  }
  const buckets: Array<{ le: number; count: number }> = [];
  for (const item of output) {
    const [rawLe, rawCount] = Array.isArray(item)
      ? item
      : [(item as { le?: unknown } | null)?.le, (item as { count?: unknown } | null)?.count];
    const le = toNumber(rawLe);
    const count = toNumber(rawCount);
    if (le === undefined || Number.isNaN(le))
      return { value: null, reason: `bucket bound is not a number: ${describe(item)}` };
    if (count === undefined || !Number.isFinite(count) || count < 0) {
      return { value: null, reason: `bucket count is not a finite number >= 0: ${describe(item)}` };
    }
    buckets.push({ le, count });
  }
  // Counts that dip with le (buckets scraped a moment apart) are raised as histogram_quantile does.
  return { value: binsFromCumulative(buckets) };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseNumericString(value);
  return undefined;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
