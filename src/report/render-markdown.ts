import { showControlCharacters } from '../util/show-control-characters.js';
import { describeUnjudgedSlos } from '../results/defined-slos.js';
import { describeReward, rewardColumns } from './best-versions.js';
import { formatDuration } from '../util/duration.js';
import { formatNumber } from './format-number.js';
import type { Report, RewardEntry, SloEntry } from './report-schema.js';
import {
  collectMetricNames,
  collectSloRows,
  describeMetricLabel,
  describeMetricValueLabel,
  describeMetricValue,
  describeFoldedReasons,
  repeatedMetricReasons,
  interpolationNote,
  describeSlo,
  describeSloCell,
} from './render-text.js';
import { collectTopChanges, type MetricChange } from './top-changes.js';

const verdictEmoji: Record<Report['verdict'], string> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '⚠️',
  error: '🛑',
  none: '⏳',
};

/**
 * A compact GitHub job summary (`$GITHUB_STEP_SUMMARY`): verdict, SLO matrix, failed tasks, the
 * metrics that moved most since the previous loop, and the latest metrics folded away.
 */
export function renderMarkdown(report: Report): string {
  const blocks: string[] = [];
  blocks.push(
    `## ${verdictEmoji[report.verdict]} ${escapeMarkdown(report.experiment.name)}: ${report.verdict}`,
  );
  blocks.push(statusLine(report));
  if (report.unjudgedSlos)
    blocks.push(`**SLOs:** ${escapeMarkdown(describeUnjudgedSlos(report.unjudgedSlos))}`);
  if (report.loops === 0) {
    blocks.push('No loops recorded yet.');
  } else {
    blocks.push(sloBlock(report));
    if (report.rewards?.length) blocks.push(rewardBlock(report.rewards));
    const failed = failedTaskBlock(report);
    if (failed) blocks.push(failed);
    const changes = changeBlock(report);
    if (changes) blocks.push(changes);
    blocks.push(metricBlock(report));
  }
  if (report.warnings.length > 0) {
    blocks.push(['**Warnings**', '', ...report.warnings.map((w) => `- ${escapeMarkdown(w)}`)].join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

function statusLine(report: Report): string {
  const parts = [`Loops: **${report.loops}**`];
  const latest = report.latestLoop;
  if (latest) {
    parts.push(
      `latest loop **${latest.loop}** ${escapeMarkdown(latest.status)} at ${escapeMarkdown(latest.start)} (${formatDuration(latest.durationMs)})`,
    );
    if (latest.skippedTicks && latest.skippedTicks.length > 0)
      parts.push(`skipped ticks: ${latest.skippedTicks.length}`);
    if (latest.retrospective)
      parts.push(`evaluated at ${escapeMarkdown(latest.retrospective.at)} (retrospective)`);
  }
  parts.push(`completed: ${report.completed}`, `failure: ${report.failure}`);
  return parts.join(' · ');
}

function sloBlock(report: Report): string {
  const rows = collectSloRows(report);
  if (rows.length === 0) return '### SLOs\n\nNo SLOs evaluated.';
  // A reason shared by several no-data cells (a backend down) is said once, below the table.
  const reasonCounts = new Map<string, number>();
  for (const cell of rows.flatMap((row) => row.cells)) {
    if (cell?.status !== 'nodata' || !cell.reason) continue;
    reasonCounts.set(cell.reason, (reasonCounts.get(cell.reason) ?? 0) + 1);
  }
  const folded = new Map([...reasonCounts].filter(([, count]) => count > 1));
  return [
    '### SLOs',
    '',
    tableRow(['SLO', ...report.versions.map((v) => v.name)].map(escapeMarkdown)),
    tableRow(['---', ...report.versions.map(() => '---')]),
    ...rows.map((row) =>
      tableRow([
        escapeMarkdown(describeSlo(row)),
        ...row.cells.map((cell) => describeMarkdownCell(cell, folded)),
      ]),
    ),
    ...(folded.size > 0
      ? ['', ...[...folded].map(([reason, count]) => `- no data: ${escapeMarkdown(reason)} (${count} SLOs)`)]
      : []),
    ...whyLines(rows),
  ].join('\n');
}

/** The text report's cell with emoji; a no-data cell keeps its reason inline. */
function describeMarkdownCell(cell: SloEntry | undefined, folded: ReadonlyMap<string, number>): string {
  if (!cell) return '–';
  if (cell.status === 'nodata') {
    return cell.reason !== undefined && folded.has(cell.reason)
      ? '❔ no data'
      : `❔ no data (${escapeMarkdown(cell.reason ?? 'no value')})`;
  }
  const text = escapeMarkdown(describeSloCell(cell).replace(/^[✔✘?] /, ''));
  const mark = cell.status === 'pass' ? '✅' : cell.status === 'fail' ? '❌' : '❔';
  return `${mark} ${text}`;
}

/** Why each failing, inconclusive or warning SLO is what it is, as a list under the table. */
function whyLines(rows: ReturnType<typeof collectSloRows>): string[] {
  const lines = rows.flatMap((row) => row.cells.flatMap((cell) => cell?.explanation ?? []));
  if (lines.length === 0) return [];
  // Headline lines are items; their detail lines are nested items. Every line is escaped like a cell.
  return [
    '',
    '**Why**',
    '',
    ...lines.map((line) =>
      line.startsWith('    ') ? `  - ${escapeMarkdown(line.trim())}` : `- ${escapeMarkdown(line)}`,
    ),
  ];
}

function changeBlock(report: Report): string | undefined {
  const changes = collectTopChanges(report);
  const first = changes[0];
  if (!first) return undefined;
  return [
    `### Top changes since loop ${first.previousLoop}`,
    '',
    tableRow(['Metric', 'Version', `Loop ${first.previousLoop}`, `Loop ${first.loop}`, 'Change']),
    tableRow(['---', '---', '---:', '---:', '---:']),
    ...changes.map((c) =>
      tableRow([
        escapeMarkdown(describeMetricLabel(report, c.metric)),
        escapeMarkdown(c.version),
        formatNumber(c.previous),
        formatNumber(c.current),
        describeChange(c),
      ]),
    ),
  ].join('\n');
}

/** `+8.75 (+39.3%)`; a move from zero has no percentage. */
export function describeChange(change: MetricChange): string {
  const sign = change.delta > 0 ? '+' : '';
  const absolute = `${sign}${formatNumber(change.delta)}`;
  if (change.relative === undefined) return absolute;
  return `${absolute} (${sign}${formatNumber(Math.round(change.relative * 1000) / 10)}%)`;
}

/** Folded: the verdict and SLOs are what a reviewer reads first; the raw numbers are one click away. */
function rewardBlock(rewards: readonly RewardEntry[]): string {
  return [
    '### Best versions (rewards)',
    '',
    tableRow([...rewardColumns]),
    tableRow(['---', '---', '---', '---:']),
    ...rewards.map((entry) => tableRow(describeReward(entry).map(escapeMarkdown))),
  ].join('\n');
}

function metricBlock(report: Report): string {
  const names = collectMetricNames(report);
  if (names.length === 0) return '### Latest metrics\n\nNo metrics recorded.';
  const folded = repeatedMetricReasons(report, names);
  const reasons = new Set(folded.keys());
  const foldedLines = describeFoldedReasons(folded).map((line) => `- ${escapeMarkdown(line)}`);
  return [
    '<details><summary>Latest metrics</summary>',
    '',
    tableRow(['Metric', ...report.versions.map((v) => v.name)].map(escapeMarkdown)),
    tableRow(['---', ...report.versions.map(() => '---:')]),
    ...names.map((name) =>
      tableRow(
        [
          describeMetricValueLabel(report, name),
          ...report.versions.map((v) => describeMetricValue(v, name, reasons)),
        ].map(escapeMarkdown),
      ),
    ),
    ...(foldedLines.length > 0 ? ['', ...foldedLines] : []),
    ...(interpolationNote(report) !== undefined ? ['', `_${interpolationNote(report)}_`] : []),
    '',
    '</details>',
  ].join('\n');
}

function failedTaskBlock(report: Report): string | undefined {
  const failed = report.tasks.filter((t) => t.status !== 'completed' && t.status !== 'skipped');
  if (failed.length === 0) return undefined;
  return [
    '### Tasks that did not complete',
    '',
    ...failed.map(
      (t) =>
        `- **${escapeMarkdown(t.id)}** (${escapeMarkdown(t.task)}): ${escapeMarkdown(t.status)}` +
        (t.message ? ` — ${escapeMarkdown(t.message)}` : ''),
    ),
  ].join('\n');
}

function tableRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

const markdownEntities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Names, reasons and messages come from user files. GitHub renders raw HTML in summaries, so
 * `<`, `>` and `&` become entities; `|` would split a table cell and a newline would end the row;
 * backslash, backtick, `*`, `_`, `~`, `[` and `]` are escaped so a name cannot open code, emphasis or a link.
 */
export function escapeMarkdown(text: string): string {
  return showControlCharacters(text, '\r\n')
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(/[\\`*_~[\]|]/g, (char) => `\\${char}`)
    .replace(/[&<>]/g, (char) => markdownEntities[char] ?? char);
}
