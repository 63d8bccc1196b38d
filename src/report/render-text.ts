import { showControlCharacters } from '../util/show-control-characters.js';
import { describeUnjudgedSlos } from '../results/defined-slos.js';
import { describeReward, rewardColumns } from './best-versions.js';
import { formatDuration } from '../util/duration.js';
import { formatNumber } from './format-number.js';
import type { Report, SloEntry } from './report-schema.js';
import { versionName } from '../config/experiment.js';

type ReportVersion = Report['versions'][number];

/** One SLO across versions: the rows of every renderer's SLO matrix. */
export interface SloRow {
  metric: string;
  op: SloEntry['op'];
  limit: number | null;
  /** The SLO in words; relative SLOs and comparisons share one row whatever each version's bound. */
  label: string;
  /** By version index; undefined when that version was not judged on this SLO. */
  cells: Array<SloEntry | undefined>;
}

/** Distinct SLOs (metric, operator, limit) in first-seen order, each with every version's verdict. */
export function collectSloRows(report: Report): SloRow[] {
  const rows = new Map<string, SloRow>();
  report.versions.forEach((version, index) => {
    for (const slo of version.slos) {
      const label =
        slo.kind === 'relative' || slo.kind === 'compare' ? (slo.rule ?? describeSlo(slo)) : describeSlo(slo);
      const key = JSON.stringify([slo.kind ?? 'absolute', label]);
      let row = rows.get(key);
      if (!row) {
        row = {
          metric: slo.metric,
          op: slo.op,
          limit: slo.limit,
          label,
          cells: report.versions.map(() => undefined),
        };
        rows.set(key, row);
      }
      row.cells[index] = slo;
    }
  });
  return [...rows.values()];
}

/** Metrics any version reported in the latest loop, in first-seen order (the board keeps them sorted). */
export function collectMetricNames(report: Report): string[] {
  const names = new Set<string>();
  for (const version of report.versions) {
    for (const name of Object.keys(version.metrics)) names.add(name);
    for (const name of Object.keys(version.metricErrors)) names.add(name);
  }
  return [...names];
}

/** `kserve-prometheus/latency-mean <= 25`: how every renderer names an SLO. */
export function describeSlo(slo: Pick<SloRow, 'metric' | 'op' | 'limit'> & { label?: string }): string {
  if (slo.label !== undefined) return slo.label;
  return `${slo.metric} ${slo.op} ${slo.limit === null ? '?' : formatNumber(slo.limit)}`;
}

/** A metric's latest value for one version: the number, `no value (reason)`, or `-` when never reported. */
export function describeMetricValue(
  version: ReportVersion,
  metric: string,
  folded: ReadonlySet<string> = new Set(),
): string {
  const value = version.metrics[metric];
  if (typeof value === 'number') return formatNumber(value);
  const reason = version.metricErrors[metric];
  if (value === null || reason !== undefined)
    return reason && reason !== 'no value' && !folded.has(reason) ? `no value (${reason})` : 'no value';
  return '-';
}

/**
 * Reasons shared by more than one metric value, with how many: when a backend is down every cell
 * would repeat the same long reason, so tables say `no value` and one line below says why.
 */
export function repeatedMetricReasons(report: Report, names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) {
    for (const version of report.versions) {
      const reason = version.metricErrors[name];
      if (typeof version.metrics[name] === 'number' || !reason || reason === 'no value') continue;
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
  }
  return new Map([...counts].filter(([, count]) => count > 1));
}

/**
 * One line when a shown percentile came from Prometheus's histogram_quantile: it is interpolated
 * between bucket bounds, so it can differ from a percentile of the raw latencies by up to a bucket.
 */
export function interpolationNote(report: Report): string | undefined {
  const interpolated = report.versions.some((version) =>
    Object.values(version.queries ?? {}).some((query) => query.includes('histogram_quantile')),
  );
  return interpolated
    ? 'Prometheus percentiles (histogram_quantile) are interpolated within histogram buckets: exact to bucket resolution.'
    : undefined;
}

/** `no value: connection refused (12 metrics)`, one line per folded reason. */
export function describeFoldedReasons(folded: ReadonlyMap<string, number>): string[] {
  return [...folded].map(([reason, count]) => `no value: ${reason} (${count} metrics)`);
}

/** Metric name with its units when known, e.g. `kserve-prometheus/latency-mean (msec)`. */
export function describeMetricLabel(report: Report, metric: string): string {
  const units = report.metricInfo[metric]?.units;
  return units ? `${metric} (${units})` : metric;
}

/**
 * The label of a metric's value: a histogram metric's value is the number of observations it holds,
 * not an amount in its units (`kserve-prometheus/latency (histogram in ms: count)`).
 */
export function describeMetricValueLabel(report: Report, metric: string): string {
  const info = report.metricInfo[metric];
  if (info?.type !== 'histogram') return describeMetricLabel(report, metric);
  return `${metric} (histogram${info.units ? ` in ${info.units}` : ''}: count)`;
}

/** Description, units and type of a metric for a tooltip; the name itself when nothing is known. */
export function describeMetricInfo(report: Report, metric: string): string {
  const info = report.metricInfo[metric];
  const parts = [
    info?.description,
    info?.units ? `units: ${info.units}` : undefined,
    info?.type ? `type: ${info.type}` : undefined,
  ];
  const text = parts.filter((p): p is string => Boolean(p)).join('; ');
  return text === '' ? metric : text;
}

/** Terminal report in the spirit of `iter8 report`: summary, tasks, SLO matrix, latest metrics. */
export function renderText(report: Report): string {
  const lines: string[] = [];
  lines.push(...section('Experiment summary', summaryLines(report)));
  if (report.loops === 0) {
    lines.push('', '  no loops recorded yet');
  } else {
    lines.push('', ...section(`Tasks (loop ${report.latestLoop?.loop ?? '?'})`, taskLines(report)));
    lines.push('', ...section('SLOs', sloLines(report)));
    if (report.rewards?.length) {
      const rows = report.rewards.map((entry) => describeReward(entry).map(clean));
      lines.push(
        '',
        ...section(
          'Best versions (rewards)',
          renderTable(
            rewardColumns.map((c) => c.toUpperCase()),
            rows,
          ),
        ),
      );
    }
    lines.push('', ...section('Latest metrics', metricLines(report)));
  }
  if (report.warnings.length > 0) {
    lines.push(
      '',
      ...section(
        'Warnings',
        report.warnings.map((w) => `- ${clean(w)}`),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function section(title: string, body: string[]): string[] {
  return [title, '*'.repeat(textWidth(title)), '', ...body.map((line) => (line === '' ? '' : `  ${line}`))];
}

function summaryLines(report: Report): string[] {
  const entries: Array<[string, string]> = [['Experiment', clean(report.experiment.name)]];
  if (report.experiment.namespace) entries.push(['Namespace', clean(report.experiment.namespace)]);
  entries.push(
    ['Loops', String(report.loops)],
    ['Completed', String(report.completed)],
    ['Failure', String(report.failure)],
    ['Verdict', `${report.verdict} (exit code ${report.exitCode})`],
  );
  if (report.unjudgedSlos) entries.push(['SLOs', clean(describeUnjudgedSlos(report.unjudgedSlos))]);
  const latest = report.latestLoop;
  if (latest) {
    entries.push([
      'Latest loop',
      `${latest.loop}, started ${clean(latest.start)}, took ${formatMs(latest.durationMs)}, ${clean(latest.status)}`,
    ]);
    if (latest.skippedTicks && latest.skippedTicks.length > 0) {
      entries.push([
        'Skipped ticks',
        `${latest.skippedTicks.length} (${latest.skippedTicks.map(clean).join(', ')})`,
      ]);
    }
    if (latest.retrospective)
      entries.push(['Evaluated at', `${clean(latest.retrospective.at)} (retrospective)`]);
  }
  if (report.pins) {
    const pins = Object.entries(report.pins).map(([name, loop]) => `${clean(name)} = loop ${loop}`);
    entries.push(['Pins', pins.join(', ')]);
  }
  if (report.invalidLoops) {
    entries.push([
      'Invalid loops',
      report.invalidLoops.map((l) => `${l.loop} (${clean(l.reason)})`).join(', '),
    ]);
  }
  if (report.compactedLoops) entries.push(['Compacted loops', String(report.compactedLoops)]);
  if (report.finished) entries.push(['Run', 'finished']);
  entries.push(['Result file', clean(report.resultsFile)]);
  const width = Math.max(...entries.map(([label]) => textWidth(label))) + 1;
  return entries.map(([label, value]) => `${padCell(`${label}:`, width)} ${value}`);
}

function taskLines(report: Report): string[] {
  if (report.tasks.length === 0) return ['no tasks recorded'];
  return renderTable(
    ['ID', 'TASK', 'STATUS', 'DURATION', 'MESSAGE'],
    report.tasks.map((t) => [
      clean(t.id),
      clean(t.task),
      clean(t.status),
      t.durationMs === undefined ? '-' : formatMs(t.durationMs),
      t.message === undefined ? '' : clean(t.message),
    ]),
  );
}

function sloLines(report: Report): string[] {
  const rows = collectSloRows(report);
  if (rows.length === 0) return ['no SLOs evaluated'];
  const table = renderTable(
    ['SLO', ...report.versions.map((v) => clean(v.name))],
    rows.map((row) => [clean(row.label), ...row.cells.map(describeSloCell)]),
  );
  // Reasons are too long for the matrix; list them below so "no data" or "fail" is never a dead end.
  const why = rows.flatMap((row) => row.cells.flatMap((cell) => cell?.explanation ?? []).map(clean));
  const observed = rows.flatMap((row) =>
    row.cells.flatMap((cell, index) =>
      cell?.history && cell.policy
        ? [
            `${clean(
              versionName(
                report.versions.map((v) => v.name),
                index,
              ),
            )}: ${clean(row.label)} ` +
              `(${String((cell.policy as { mode?: string }).mode)}) would have failed in ${cell.history.violations} of ${cell.history.loops} loops`,
          ]
        : [],
    ),
  );
  return [
    ...table,
    ...(why.length > 0 ? ['', ...why] : []),
    ...(observed.length > 0 ? ['', ...observed] : []),
  ];
}

/** One cell of the SLO matrix: the status mark and value, the bound a relative SLO had, the policy's effect. */
export function describeSloCell(cell: SloEntry | undefined): string {
  if (!cell) return '-';
  const effect = cell.gate === 'warn' || cell.gate === 'observe' ? ` [${cell.gate}]` : '';
  if (cell.status === 'nodata') return `no data${effect}`;
  if (cell.status === 'insufficient-data') return `too few samples${effect}`;
  if (cell.status === 'inconclusive') return `? inconclusive${effect}`;
  const mark = cell.status === 'pass' ? '✔' : '✘';
  if (cell.kind === 'compare') {
    const units = (cell.comparison as { effect?: { units?: string } } | undefined)?.effect?.units;
    const shift =
      cell.value === null
        ? ''
        : ` ${cell.value > 0 ? '+' : ''}${formatNumber(cell.value)}${units ? ` ${units}` : ''}`;
    return `${mark} ${cell.status === 'pass' ? 'not worse' : 'worse'}${shift}${effect}`;
  }
  const bound =
    cell.kind === 'relative' && cell.limit !== null
      ? ` (${cell.op === '<=' ? '≤' : '≥'} ${formatNumber(cell.limit)})`
      : '';
  return `${mark} ${formatNumber(cell.value)}${bound}${effect}`;
}

function metricLines(report: Report): string[] {
  const names = collectMetricNames(report);
  if (names.length === 0) return ['no metrics recorded'];
  const folded = repeatedMetricReasons(report, names);
  const reasons = new Set(folded.keys());
  return [
    ...renderTable(
      ['METRIC', ...report.versions.map((v) => clean(v.name))],
      names.map((name) => [
        clean(describeMetricValueLabel(report, name)),
        ...report.versions.map((v) => clean(describeMetricValue(v, name, reasons))),
      ]),
    ),
    ...describeFoldedReasons(folded).map(clean),
    ...[interpolationNote(report)].filter((note) => note !== undefined),
  ];
}

/** Aligned columns separated by two spaces; the last column is not padded so long messages do not widen others. */
function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(textWidth(title), ...rows.map((row) => textWidth(row[i] ?? ''))),
  );
  const renderRow = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : padCell(cell, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [renderRow(header), renderRow(widths.map((w) => '-'.repeat(w))), ...rows.map(renderRow)];
}

/** Width in code points: close enough for ✔/✘ and accented names; wide CJK glyphs will drift. */
function textWidth(text: string): number {
  return Array.from(text).length;
}

function padCell(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

function formatMs(ms: number): string {
  return Number.isFinite(ms) ? formatDuration(ms) : '-';
}

/**
 * Names and messages come from user files and task output: a line break or tab would break the
 * table, so each run of them becomes one space; any other control character (an ANSI escape that
 * would rewrite the terminal) is shown as its escape.
 */
function clean(text: string): string {
  return showControlCharacters(text.replace(/[\r\n\t]+/g, ' '));
}
