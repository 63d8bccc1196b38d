import { niceScale } from './chart-scale.js';
import { formatNumber } from './format-number.js';
import { coord, markup, seriesClass, type SafeHtml } from './html-markup.js';
import type { Report } from './report-schema.js';
import { collectSloRows, describeMetricInfo, describeMetricValueLabel, type SloRow } from './render-text.js';
import { versionName } from '../config/experiment.js';

const chart = { width: 540, height: 220, left: 50, right: 16, top: 14, bottom: 34 };
/** Beyond this many loops, x labels would overlap: label about this many instead. */
const maxLoopLabels = 10;

/** Metrics seen in any loop (a metric may have stopped reporting), in first-seen order. */
export function collectTrendMetrics(report: Report): string[] {
  const names = new Set<string>();
  for (const loop of report.history)
    for (const values of loop.metrics) for (const name of Object.keys(values)) names.add(name);
  for (const version of report.versions) for (const name of Object.keys(version.metrics)) names.add(name);
  return [...names];
}

/**
 * A line per version across the loops of `report.history`, dashed lines at SLO limits, round
 * gridlines; undefined when the metric never had a value.
 */
export function renderTrendChart(report: Report, metric: string): SafeHtml | undefined {
  const history = report.history;
  const versionCount = Math.max(report.versions.length, ...history.map((loop) => loop.metrics.length));
  const versionLabel = (v: number) => report.versions[v]?.name ?? versionName(history.at(-1)?.versions, v);
  const series = Array.from({ length: versionCount }, (_, v) =>
    history.map((loop) => {
      const value = loop.metrics[v]?.[metric];
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    }),
  );
  const values = series.flat().filter((value): value is number => value !== undefined);
  if (values.length === 0) return undefined;
  const limits = sloLimits(report, metric);
  const scale = niceScale([...values, ...limits.map((row) => row.limit)]);

  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const bottom = chart.top + plotHeight;
  const right = chart.left + plotWidth;
  const xAt = (index: number) =>
    chart.left + (history.length <= 1 ? plotWidth / 2 : (index / (history.length - 1)) * plotWidth);
  const yAt = (value: number) => chart.top + ((scale.max - value) / (scale.max - scale.min)) * plotHeight;

  const grid = scale.ticks.map(
    (tick) =>
      markup`<line class="grid" x1="${chart.left}" y1="${coord(yAt(tick))}" x2="${right}" y2="${coord(yAt(tick))}"/><text class="y-tick" x="${chart.left - 6}" y="${coord(yAt(tick) + 3.5)}" text-anchor="end">${formatNumber(tick)}</text>`,
  );
  const every = Math.ceil(history.length / maxLoopLabels);
  const loopTicks = history.map((loop, index) =>
    index % every === 0 || index === history.length - 1
      ? markup`<text class="x-tick" x="${coord(xAt(index))}" y="${bottom + 15}" text-anchor="middle">${loop.loop}</text>`
      : '',
  );
  const limitLines = limits.map(
    (row) =>
      markup`<g class="limit" data-limit="${row.limit}"><line class="limit-line" x1="${chart.left}" y1="${coord(yAt(row.limit))}" x2="${right}" y2="${coord(yAt(row.limit))}"/><text class="limit-label" x="${right - 2}" y="${coord(yAt(row.limit) - 4)}" text-anchor="end">${`SLO ${row.op === '<=' ? '≤' : '≥'} ${formatNumber(row.limit)}`}</text><title>${`SLO limit: ${metric} ${row.op} ${formatNumber(row.limit)}`}</title></g>`,
  );
  const lines = series.map((column, v) => {
    const name = versionLabel(v);
    const colour = seriesClass(v);
    // Missing loops break the line rather than being bridged, so a gap in data looks like one;
    // a one-point run draws nothing as a polyline, its circle marks it.
    const runs = splitRuns(column).filter((run) => run.length > 1);
    const points = column.flatMap((value, index) =>
      value === undefined
        ? []
        : [
            markup`<circle class="${colour}" cx="${coord(xAt(index))}" cy="${coord(yAt(value))}" r="3"><title>${`${name}, loop ${history[index]?.loop ?? index}: ${formatNumber(value)}`}</title></circle>`,
          ],
    );
    return markup`<g class="series ${colour}" data-version="${name}">${runs.map(
      (run) =>
        markup`<polyline class="${colour}" points="${run.map((index) => `${coord(xAt(index))},${coord(yAt(column[index] ?? 0))}`).join(' ')}"/>`,
    )}${points}</g>`;
  });
  const label = describeMetricValueLabel(report, metric);
  return markup`<figure class="card trend-chart" data-metric="${metric}">
<figcaption title="${describeMetricInfo(report, metric)}">${label}</figcaption>
<svg class="trend" data-metric="${metric}" width="${chart.width}" height="${chart.height}" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${`Trend of ${label} across loops`}">
<title>${label}</title>
${grid}
<line class="axis" x1="${chart.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>
${loopTicks}<text class="axis-label" x="${coord(chart.left + plotWidth / 2)}" y="${chart.height - 3}" text-anchor="middle">loop</text>
${limitLines}${lines}
</svg>
<ul class="legend">${series.map((_, v) => markup`<li><span class="swatch ${seriesClass(v)}"></span>${versionLabel(v)}</li>`)}</ul>
</figure>
`;
}

type SloLimit = SloRow & { limit: number };
const limitsByReport = new WeakMap<Report, Map<string, SloLimit[]>>();

/**
 * The distinct SLO limits on `metric`, first seen first. Collected once per report: a chart is drawn
 * per metric, and collecting every SLO row for each would be quadratic (100 metrics x 100 versions).
 */
function sloLimits(report: Report, metric: string): SloLimit[] {
  let byMetric = limitsByReport.get(report);
  if (!byMetric) {
    byMetric = new Map();
    for (const row of collectSloRows(report)) {
      if (row.limit === null) continue;
      const limits = byMetric.get(row.metric) ?? [];
      if (!limits.some((r) => r.limit === row.limit && r.op === row.op)) limits.push(row as SloLimit);
      byMetric.set(row.metric, limits);
    }
    limitsByReport.set(report, byMetric);
  }
  return byMetric.get(metric) ?? [];
}

/** Indexes of consecutive defined values: one polyline per run. */
function splitRuns(column: Array<number | undefined>): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  column.forEach((value, index) => {
    if (value === undefined) {
      if (current.length > 0) runs.push(current);
      current = [];
    } else {
      current.push(index);
    }
  });
  if (current.length > 0) runs.push(current);
  return runs;
}
