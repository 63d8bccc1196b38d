/** `canary diff` as text (terminal) or markdown (PR comments, job summaries). */
import { formatNumber } from '../report/format-number.js';
import type { Diff, DiffSide, DiffVersion } from './diff-schema.js';
import { showControlCharacters } from '../util/show-control-characters.js';

type Row = DiffVersion['slos'][number];

export function renderDiff(diff: Diff, format: 'text' | 'markdown'): string {
  // Names and reasons come from result files: their control characters are shown, never sent.
  return showControlCharacters(format === 'markdown' ? renderMarkdown(diff) : renderText(diff), '\n');
}

function describeSide(side: DiffSide): string {
  const marks = [
    ...(side.pin !== undefined ? [`pinned ${side.pin}`] : []),
    ...(side.invalid !== undefined ? [`INVALID: ${side.invalid}`] : []),
  ];
  return `loop ${side.loop} of ${side.file}${marks.length ? ` (${marks.join('; ')})` : ''}, ${side.start}, ${side.status}`;
}

function summaryLine(diff: Diff): string {
  const s = diff.summary;
  const parts = (['regressed', 'fixed', 'changed', 'added', 'removed', 'unchanged'] as const)
    .filter((k) => s[k] > 0)
    .map((k) => `${s[k]} ${k}`);
  return `SLOs: ${parts.length > 0 ? parts.join(', ') : 'none on either side'}`;
}

const statusText = (status: string | null) => status ?? '(none)';
const sloText = (row: Row) =>
  `${row.slo} ${formatNumber(row.limitA)}${row.limitB !== row.limitA ? ` -> ${formatNumber(row.limitB)}` : ''}`;

function formatChange(value: number | null): string {
  if (value === null) return '-';
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

function formatRelative(value: number | null): string {
  if (value === null) return '-';
  const percent = value * 100;
  return `${percent > 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

function table(header: string[], rows: string[][], rightFrom: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= rightFrom ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderText(diff: Diff): string {
  const lines = ['A: ' + describeSide(diff.a), 'B: ' + describeSide(diff.b), summaryLine(diff)];
  for (const version of diff.versions) {
    lines.push('', `version ${version.name}`);
    if (version.slos.length > 0) {
      const rows = version.slos.map((row) => [
        row.change === 'unchanged' ? '' : row.change.toUpperCase(),
        sloText(row),
        `${statusText(row.statusA)} -> ${statusText(row.statusB)}`,
        `${formatNumber(row.valueA)} -> ${formatNumber(row.valueB)}`,
      ]);
      lines.push(
        ...table(['change', 'SLO', 'verdict A -> B', 'value A -> B'], rows, 99).map((l) => `  ${l}`),
      );
    } else {
      lines.push('  no SLOs');
    }
    if (version.metrics.length > 0) {
      const rows = version.metrics.map((m) => [
        m.metric,
        formatNumber(m.a),
        formatNumber(m.b),
        formatChange(m.change),
        formatRelative(m.relativeChange),
      ]);
      lines.push('', ...table(['metric', 'A', 'B', 'change', 'relative'], rows, 1).map((l) => `  ${l}`));
    }
  }
  if (diff.onlyInA.length > 0) lines.push('', `versions only in A: ${diff.onlyInA.join(', ')}`);
  if (diff.onlyInB.length > 0) lines.push('', `versions only in B: ${diff.onlyInB.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Table cells must not break the table: pipes escaped, newlines flattened. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function renderMarkdown(diff: Diff): string {
  const blocks = [
    '## canary diff',
    `- **A**: ${cell(describeSide(diff.a))}\n- **B**: ${cell(describeSide(diff.b))}\n- ${summaryLine(diff)}`,
  ];
  for (const version of diff.versions) {
    const lines = [`### ${cell(version.name)}`, ''];
    if (version.slos.length > 0) {
      lines.push('| change | SLO | verdict A → B | value A → B |', '|---|---|---|---|');
      for (const row of version.slos) {
        const change = row.change === 'unchanged' ? '' : `**${row.change}**`;
        lines.push(
          `| ${change} | \`${cell(sloText(row))}\` | ${statusText(row.statusA)} → ${statusText(row.statusB)} | ${formatNumber(row.valueA)} → ${formatNumber(row.valueB)} |`,
        );
      }
      lines.push('');
    }
    if (version.metrics.length > 0) {
      lines.push('| metric | A | B | change | relative |', '|---|--:|--:|--:|--:|');
      for (const m of version.metrics) {
        lines.push(
          `| ${cell(m.metric)} | ${formatNumber(m.a)} | ${formatNumber(m.b)} | ${formatChange(m.change)} | ${formatRelative(m.relativeChange)} |`,
        );
      }
    }
    blocks.push(lines.join('\n').trimEnd());
  }
  if (diff.onlyInA.length > 0) blocks.push(`Versions only in A: ${diff.onlyInA.map(cell).join(', ')}`);
  if (diff.onlyInB.length > 0) blocks.push(`Versions only in B: ${diff.onlyInB.map(cell).join(', ')}`);
  return `${blocks.join('\n\n')}\n`;
}
