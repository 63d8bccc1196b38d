import { niceScale } from './chart-scale.js';
import { formatNumber } from './format-number.js';
import { coord, markup, seriesClass, type SafeHtml } from './html-markup.js';
import type { HistogramBucket, Report } from './report-schema.js';

const chart = { width: 540, height: 210, left: 50, right: 28, top: 12, bottom: 40 };
const maxBoundLabels = 6;

/**
 * One bar chart per version, all on the same buckets (the union of every version's bounds) so
 * the shapes line up when the charts sit side by side. Undefined when no version has a histogram.
 */
export function renderHistogramCharts(report: Report): SafeHtml[] | undefined {
  const histograms = report.histograms;
  if (!histograms) return undefined;
  const bounds = [...new Set(Object.values(histograms).flatMap((b) => b.map((x) => x.upperMs)))].sort(
    (a, b) => a - b,
  );
  const order = report.versions.map((v) => v.name);
  const names = Object.keys(histograms).sort((a, b) => rank(order, a) - rank(order, b));
  return names.map((name) => histogramChart(name, rank(order, name), histograms[name] ?? [], bounds));
}

function rank(order: string[], name: string): number {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}

function histogramChart(
  version: string,
  versionIndex: number,
  buckets: HistogramBucket[],
  bounds: number[],
): SafeHtml {
  const counts = new Map(buckets.map((b) => [b.upperMs, b.count]));
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  const scale = niceScale([0, ...buckets.map((b) => b.count)], 3);
  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const bottom = chart.top + plotHeight;
  const right = chart.left + plotWidth;
  const slot = plotWidth / Math.max(bounds.length, 1);
  const yAt = (count: number) => chart.top + ((scale.max - count) / (scale.max - scale.min)) * plotHeight;
  const colour = seriesClass(versionIndex);
  const grid = scale.ticks.map(
    (tick) =>
      markup`<line class="grid" x1="${chart.left}" y1="${coord(yAt(tick))}" x2="${right}" y2="${coord(yAt(tick))}"/><text class="y-tick" x="${chart.left - 6}" y="${coord(yAt(tick) + 3.5)}" text-anchor="end">${formatNumber(tick)}</text>`,
  );
  const bars = bounds.map((bound, index) => {
    const count = counts.get(bound) ?? 0;
    const lower = index === 0 ? undefined : bounds[index - 1];
    const range = lower === undefined ? `≤ ${formatMs(bound)}` : `${formatMs(lower)} – ${formatMs(bound)}`;
    return markup`<rect class="bar ${colour}" data-upper-ms="${bound}" data-count="${count}" x="${coord(chart.left + index * slot + slot * 0.1)}" y="${coord(yAt(count))}" width="${coord(slot * 0.8)}" height="${coord(bottom - yAt(count))}"><title>${`${range}: ${count}`}</title></rect>`;
  });
  const every = Math.ceil(bounds.length / maxBoundLabels);
  const labels = bounds.map((bound, index) =>
    index % every === 0
      ? markup`<text class="x-tick" x="${coord(chart.left + (index + 1) * slot)}" y="${bottom + 14}" text-anchor="middle">${formatMs(bound)}</text>`
      : '',
  );
  return markup`<figure class="card histogram-chart" data-version="${version}">
<figcaption><span class="swatch ${colour}"></span>${version} <span class="muted">${`${total} requests`}</span></figcaption>
<svg class="histogram" data-version="${version}" width="${chart.width}" height="${chart.height}" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${`Latency histogram of ${version}`}">
<title>${`Latency histogram of ${version}`}</title>
${grid}${bars}
<line class="axis" x1="${chart.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>
${labels}<text class="axis-label" x="${coord(chart.left + plotWidth / 2)}" y="${chart.height - 4}" text-anchor="middle">latency (bucket upper bound)</text>
</svg>
</figure>
`;
}

/** 0.25 ms reads as 250µs and 1500 ms as 1.5s: bucket bounds span microseconds to minutes. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${formatNumber(ms * 1000)}µs`;
  if (ms < 1000) return `${formatNumber(ms)}ms`;
  return `${formatNumber(ms / 1000)}s`;
}
