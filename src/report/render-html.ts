import { formatDuration } from '../util/duration.js';
import { escapeHtml } from './escape-html.js';
import { formatNumber } from './format-number.js';
import type { Report, SloEntry } from './report-schema.js';
import {
  collectMetricNames,
  collectSloRows,
  describeMetricLabel,
  describeMetricValue,
  describeSlo,
  type SloRow,
} from './render-text.js';

/** Markup already escaped; anything else interpolated into `markup` goes through escapeHtml. */
class SafeHtml {
  constructor(readonly text: string) {}
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

/**
 * Template tag: every interpolated value is escaped unless it is itself a SafeHtml fragment.
 * Deliberately not named `html`: Prettier would reformat the markup inside and change the output.
 */
function markup(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += toHtml(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(text);
}

function toHtml(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

const verdictLabels: Record<Report['verdict'], string> = {
  pass: 'Pass',
  fail: 'Fail',
  inconclusive: 'Inconclusive',
  error: 'Error',
  none: 'No loops yet',
};

/** Series colours by version index (wrapping), shared by chart lines and legend swatches. */
const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];

const styles = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; background: #fff; }
body { margin: 0 auto; max-width: 1100px; padding: 0 1rem 2rem; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
.banner { margin: 1rem 0; padding: 1rem; border-radius: 6px; border: 1px solid #d0d7de; background: #f6f8fa; }
.verdict-pass { background: #dafbe1; border-color: #4ac26b; }
.verdict-fail, .verdict-error { background: #ffebe9; border-color: #ff8182; }
.verdict-inconclusive { background: #fff8c5; border-color: #d4a72c; }
.verdict-label { text-transform: uppercase; letter-spacing: .05em; margin-right: .5rem; }
.summary { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: 0; }
.summary div { display: flex; gap: .4rem; }
.summary dt { color: #57606a; }
.summary dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
td.number, td[data-value] { text-align: right; font-variant-numeric: tabular-nums; }
.status-pass { background: #dafbe1; }
.status-fail { background: #ffebe9; }
.status-nodata { background: #fff8c5; }
.task-failed, .task-error, .task-interrupted { background: #ffebe9; }
.task-not-run { background: #fff8c5; }
.limit, .muted { color: #57606a; }
.empty { font-style: italic; color: #57606a; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; padding: .5rem; border: 1px solid #d0d7de; border-radius: 6px; }
figcaption { font-size: .9rem; margin-bottom: .25rem; }
svg.trend { display: block; font-size: 10px; }
svg.trend .axis { stroke: #8c959f; stroke-width: 1; }
svg.trend .limit-line { stroke: #cf222e; stroke-width: 1; stroke-dasharray: 4 3; }
svg.trend text { fill: #57606a; }
svg.trend polyline { fill: none; stroke-width: 2; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; margin: .25rem 0 0; font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
${palette
  .map(
    (colour, i) =>
      `.series-${i} { stroke: ${colour}; fill: ${colour}; } .swatch.series-${i} { background: ${colour}; } svg.trend polyline.series-${i} { fill: none; }`,
  )
  .join('\n')}
footer { margin-top: 2rem; font-size: .8rem; color: #57606a; }
`;

/**
 * One self-contained HTML5 page: inline CSS and SVG only, and a CSP that forbids fetching
 * anything, so the file can be attached to CI artifacts and opened offline safely.
 */
export function renderHtml(report: Report): string {
  const title = `canary: ${report.experiment.name} (${report.verdict})`;
  const body =
    report.loops === 0
      ? markup`<p class="empty" id="no-loops">No loops recorded yet.</p>`
      : markup`${sloSection(report)}${metricSection(report)}${taskSection(report)}${trendSection(report)}`;
  const page = markup`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
${banner(report)}
<main>
${body}
${warningSection(report)}
</main>
<footer>Generated by canary${report.toolVersion ? ` ${report.toolVersion}` : ''} from ${report.resultsFile}</footer>
</body>
</html>
`;
  return page.text;
}

function banner(report: Report): SafeHtml {
  const latest = report.latestLoop;
  const facts: Array<[string, string, string]> = [
    ['loops', 'Loops', String(report.loops)],
    ['completed', 'Completed', String(report.completed)],
    ['failure', 'Failure', String(report.failure)],
  ];
  if (latest) {
    facts.push(
      [
        'latest-loop',
        'Latest loop',
        `${latest.loop} (${latest.status}, ${formatDuration(latest.durationMs)})`,
      ],
      ['latest-start', 'Started', latest.start],
    );
    if (latest.skippedTicks && latest.skippedTicks.length > 0) {
      facts.push(['skipped-ticks', 'Skipped ticks', String(latest.skippedTicks.length)]);
    }
  }
  if (report.finished) facts.push(['finished', 'Run', 'finished']);
  const namespace = report.experiment.namespace
    ? markup`<span class="muted">${report.experiment.namespace}/</span>`
    : '';
  return markup`<header id="verdict" class="banner verdict-${report.verdict}" data-verdict="${report.verdict}" data-exit-code="${report.exitCode}">
<h1><span class="verdict-label">${verdictLabels[report.verdict]}</span> ${namespace}${report.experiment.name}</h1>
<dl class="summary">${facts.map(([id, label, value]) => markup`<div><dt>${label}</dt><dd id="summary-${id}">${value}</dd></div>`)}</dl>
</header>`;
}

function sloSection(report: Report): SafeHtml {
  const rows = collectSloRows(report);
  if (rows.length === 0)
    return markup`<section id="slos"><h2>SLOs</h2><p class="empty">No SLOs evaluated.</p></section>`;
  return markup`<section id="slos"><h2>SLOs</h2>
<table id="slo-matrix">
<thead><tr><th scope="col">SLO</th>${versionHeaders(report)}</tr></thead>
<tbody>
${rows.map(
  (row) =>
    markup`<tr data-metric="${row.metric}" data-op="${row.op}" data-limit="${row.limit}"><th scope="row">${describeSlo(row)}</th>${row.cells.map(
      (cell, index) => sloCell(row, cell, report.versions[index]?.name ?? `version-${index}`),
    )}</tr>
`,
)}</tbody>
</table>
</section>
`;
}

function versionHeaders(report: Report): SafeHtml[] {
  return report.versions.map((v) => markup`<th scope="col" data-version="${v.name}">${v.name}</th>`);
}

function sloCell(row: SloRow, cell: SloEntry | undefined, version: string): SafeHtml {
  if (!cell) {
    return markup`<td class="status-absent" data-version="${version}" data-metric="${row.metric}" data-status="absent" data-value="" title="not judged for this version">–</td>`;
  }
  const value = cell.value === null ? '' : String(cell.value);
  if (cell.status === 'nodata') {
    const reason = cell.reason ?? 'no value';
    return markup`<td class="status-nodata" data-version="${version}" data-metric="${row.metric}" data-status="nodata" data-value="${value}" title="${`no data: ${reason}`}">no data</td>`;
  }
  const pass = cell.status === 'pass';
  // Show the comparison that actually holds: 21.3 ≤ 25 when met, 31 > 25 when violated.
  const relation = cell.op === '<=' ? (pass ? '≤' : '>') : pass ? '≥' : '<';
  const verb = pass ? 'satisfies' : 'violates';
  return markup`<td class="status-${cell.status}" data-version="${version}" data-metric="${row.metric}" data-status="${cell.status}" data-value="${value}" title="${`${formatNumber(cell.value)} ${verb} ${describeSlo(row)}`}">${pass ? '✔' : '✘'} ${formatNumber(cell.value)} <span class="limit">${relation} ${formatNumber(cell.limit)}</span></td>`;
}

function metricSection(report: Report): SafeHtml {
  const names = collectMetricNames(report);
  if (names.length === 0) {
    return markup`<section id="metrics"><h2>Latest metrics</h2><p class="empty">No metrics recorded.</p></section>`;
  }
  return markup`<section id="metrics"><h2>Latest metrics</h2>
<table id="latest-metrics">
<thead><tr><th scope="col">Metric</th>${versionHeaders(report)}</tr></thead>
<tbody>
${names.map(
  (name) =>
    markup`<tr data-metric="${name}"><th scope="row" title="${describeMetricInfo(report, name)}">${describeMetricLabel(report, name)}</th>${report.versions.map(
      (version) => metricCell(version, name),
    )}</tr>
`,
)}</tbody>
</table>
</section>
`;
}

function metricCell(version: Report['versions'][number], name: string): SafeHtml {
  const value = version.metrics[name];
  const reason = typeof value === 'number' ? undefined : version.metricErrors[name];
  const title = reason !== undefined ? markup` title="${reason}"` : '';
  return markup`<td data-version="${version.name}" data-metric="${name}" data-value="${typeof value === 'number' ? String(value) : ''}"${title}>${describeMetricValue(version, name)}</td>`;
}

function describeMetricInfo(report: Report, name: string): string {
  const info = report.metricInfo[name];
  const parts = [
    info?.description,
    info?.units ? `units: ${info.units}` : undefined,
    info?.type ? `type: ${info.type}` : undefined,
  ];
  const text = parts.filter((p): p is string => Boolean(p)).join('; ');
  return text === '' ? name : text;
}

function taskSection(report: Report): SafeHtml {
  const loop = report.latestLoop?.loop;
  if (report.tasks.length === 0) {
    return markup`<section id="tasks"><h2>Tasks</h2><p class="empty">No tasks recorded.</p></section>`;
  }
  return markup`<section id="tasks"><h2>Tasks of loop ${loop ?? '?'}</h2>
<table id="task-table">
<thead><tr><th scope="col">ID</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Message</th></tr></thead>
<tbody>
${report.tasks.map(
  (t) =>
    markup`<tr class="task-${t.status}" data-task-id="${t.id}" data-status="${t.status}"><td>${t.id}</td><td>${t.task}</td><td>${t.status}</td><td class="number">${t.durationMs === undefined ? '-' : formatDuration(t.durationMs)}</td><td>${t.message ?? ''}</td></tr>
`,
)}</tbody>
</table>
</section>
`;
}

function warningSection(report: Report): SafeHtml | string {
  if (report.warnings.length === 0) return '';
  return markup`<section id="warnings-section"><h2>Warnings</h2><ul id="warnings">${report.warnings.map((w) => markup`<li>${w}</li>`)}</ul></section>`;
}

function trendSection(report: Report): SafeHtml {
  const charts = collectTrendMetrics(report)
    .map((metric) => trendChart(report, metric))
    .filter((chart): chart is SafeHtml => chart !== undefined);
  if (charts.length === 0) {
    return markup`<section id="trends"><h2>Trends</h2><p class="empty">No values to chart yet.</p></section>`;
  }
  return markup`<section id="trends"><h2>Trends</h2><div class="charts">${charts}</div></section>
`;
}

/** Metrics seen in any loop (a metric may have stopped reporting), then latest-only ones. */
function collectTrendMetrics(report: Report): string[] {
  const names = new Set<string>();
  for (const loop of report.history)
    for (const values of loop.metrics) for (const name of Object.keys(values)) names.add(name);
  for (const name of collectMetricNames(report)) names.add(name);
  return [...names];
}

const chart = { width: 320, height: 150, left: 52, right: 12, top: 12, bottom: 28 };

interface Point {
  x: number;
  y: number;
  loop: number;
  value: number;
}

/** A line per version across the loops of `report.history`, dashed lines at SLO limits; undefined with no points. */
function trendChart(report: Report, metric: string): SafeHtml | undefined {
  const history = report.history;
  const versionCount = Math.max(report.versions.length, ...history.map((loop) => loop.metrics.length));
  const series = Array.from({ length: versionCount }, (_, v) =>
    history.map((loop) => {
      const value = loop.metrics[v]?.[metric];
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    }),
  );
  const values = series.flat().filter((value): value is number => value !== undefined);
  if (values.length === 0) return undefined;
  const limits = [
    ...new Set(
      collectSloRows(report)
        .filter((row) => row.metric === metric)
        .map((row) => row.limit),
    ),
  ];
  let min = Math.min(...values, ...limits);
  let max = Math.max(...values, ...limits);
  if (min === max) {
    // A flat line still needs a range to draw in.
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const xAt = (index: number) =>
    chart.left + (history.length <= 1 ? plotWidth / 2 : (index / (history.length - 1)) * plotWidth);
  const yAt = (value: number) => chart.top + ((max - value) / (max - min)) * plotHeight;
  const bottom = chart.top + plotHeight;
  const right = chart.left + plotWidth;
  const firstLoop = history[0]?.loop;
  const lastLoop = history.at(-1)?.loop;
  const versionLabel = (v: number) => report.versions[v]?.name ?? `version-${v}`;

  const lines = series.map((column, v) => {
    const name = versionLabel(v);
    const points: Point[] = [];
    column.forEach((value, index) => {
      if (value !== undefined)
        points.push({ x: xAt(index), y: yAt(value), loop: history[index]?.loop ?? index, value });
    });
    const colour = v % palette.length;
    // Missing loops break the line rather than being bridged, so a gap in data looks like one;
    // a one-point run draws nothing as a polyline, its circle marks it.
    const runs = splitRuns(column).filter((run) => run.length > 1);
    return markup`<g class="series series-${colour}" data-version="${name}">${runs.map(
      (run) =>
        markup`<polyline class="series-${colour}" points="${run.map((index) => `${coord(xAt(index))},${coord(yAt(column[index] ?? 0))}`).join(' ')}"/>`,
    )}${points.map(
      (p) =>
        markup`<circle class="series-${colour}" cx="${coord(p.x)}" cy="${coord(p.y)}" r="2.5"><title>${`${name}, loop ${p.loop}: ${formatNumber(p.value)}`}</title></circle>`,
    )}</g>`;
  });
  const limitLines = limits.map(
    (limit) =>
      markup`<line class="limit-line" data-limit="${limit}" x1="${coord(chart.left)}" y1="${coord(yAt(limit))}" x2="${coord(right)}" y2="${coord(yAt(limit))}"><title>${`SLO limit ${formatNumber(limit)}`}</title></line>`,
  );
  const label = describeMetricLabel(report, metric);
  const lastLabel =
    lastLoop !== firstLoop
      ? markup`<text class="x-max" x="${coord(right)}" y="${coord(bottom + 16)}" text-anchor="end">${`loop ${lastLoop ?? '?'}`}</text>`
      : '';
  return markup`<figure class="trend-chart" data-metric="${metric}">
<figcaption title="${describeMetricInfo(report, metric)}">${label}</figcaption>
<svg class="trend" data-metric="${metric}" width="${chart.width}" height="${chart.height}" viewBox="0 0 ${chart.width} ${chart.height}" role="img" aria-label="${`Trend of ${label} across loops`}">
<title>${label}</title>
<line class="axis" x1="${chart.left}" y1="${chart.top}" x2="${chart.left}" y2="${coord(bottom)}"/>
<line class="axis" x1="${chart.left}" y1="${coord(bottom)}" x2="${coord(right)}" y2="${coord(bottom)}"/>
<text class="y-max" x="${chart.left - 4}" y="${chart.top + 4}" text-anchor="end">${formatNumber(max)}</text>
<text class="y-min" x="${chart.left - 4}" y="${coord(bottom)}" text-anchor="end">${formatNumber(min)}</text>
<text class="x-min" x="${chart.left}" y="${coord(bottom + 16)}" text-anchor="start">${`loop ${firstLoop ?? '?'}`}</text>
${lastLabel}
${limitLines}${lines}
</svg>
<ul class="legend">${series.map((_, v) => markup`<li><span class="swatch series-${v % palette.length}"></span>${versionLabel(v)}</li>`)}</ul>
</figure>
`;
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

/** Fixed precision keeps the SVG byte-for-byte stable across runs and platforms. */
function coord(value: number): string {
  return String(Math.round(value * 10) / 10);
}
