/** A replay report as text (terminal, CI logs), markdown (PR comments, job summaries) or JSON. */
import { formatNumber } from '../report/format-number.js';
import { escapeMarkdown } from '../report/render-markdown.js';
import { formatAssertionLine } from '../results/assertions.js';
import { verdictGate, type SloVerdict } from '../results/records.js';
import { sloName, type ReplayReport } from './replay-report.js';
import type { TaskChange, VerdictChange } from './verdict-changes.js';
import { showControlCharacters } from '../util/show-control-characters.js';

export type ReplayOutputFormat = 'text' | 'json' | 'markdown';

export function renderReplay(report: ReplayReport, format: ReplayOutputFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  // Names and reasons come from result files: their control characters are shown, never sent.
  return showControlCharacters(format === 'markdown' ? renderMarkdown(report) : renderText(report), '\n');
}

/** `pass`, or the gate with the raw status when a policy made them differ: `warn (fail)`. */
export function verdictLabel(verdict: SloVerdict): string {
  const gate = verdictGate(verdict);
  return gate === verdict.status ? gate : `${gate} (${verdict.status})`;
}

const marks: Record<VerdictChange['change'], string> = { changed: '~', revised: '=', new: '+', gone: '-' };

/** `candidate  kserve-prometheus/latency-mean <=: pass -> fail  (limit 25 -> 20; value 22.1)`. */
export function describeVerdictChange(change: VerdictChange): string {
  const name = `${change.version}  ${sloName(change.change === 'new' ? change.after : change.before)}`;
  switch (change.change) {
    case 'changed':
    case 'revised':
      return `${name}: ${verdictLabel(change.before)} -> ${verdictLabel(change.after)}${details(changedDetails(change))}`;
    case 'new':
      return `${name}: ${verdictLabel(change.after)}${details(verdictDetails(change.after))}  [new SLO]`;
    case 'gone':
      return `${name}: was ${verdictLabel(change.before)}${details(verdictDetails(change.before))}  [gone]`;
  }
}

function details(parts: string[]): string {
  return parts.length > 0 ? `  (${parts.join('; ')})` : '';
}

function verdictDetails(verdict: SloVerdict): string[] {
  return [
    ...(verdict.relative ? [`rule ${verdict.relative.rule}`] : []),
    ...(verdict.limit !== null ? [`limit ${formatNumber(verdict.limit)}`] : []),
    ...(verdict.value !== null ? [`value ${formatNumber(verdict.value)}`] : []),
    ...(verdict.reason !== undefined ? [verdict.reason] : []),
  ];
}

/** The fields that changed, limit and value first; the value shown even unchanged, for context. */
function changedDetails(change: Extract<VerdictChange, { change: 'changed' | 'revised' }>): string[] {
  const { before, after, fields } = change;
  const parts: string[] = [];
  const pair = (label: string, a: number | null, b: number | null) => {
    if (fields.includes(label)) parts.push(`${label} ${formatNumber(a)} -> ${formatNumber(b)}`);
    else if (b !== null) parts.push(`${label} ${formatNumber(b)}`);
  };
  pair('limit', before.limit, after.limit);
  pair('value', before.value, after.value);
  if (fields.includes('reason') && after.reason !== undefined) parts.push(after.reason);
  const others = fields.filter((field) => !['limit', 'value', 'reason', 'status', 'gate'].includes(field));
  if (others.length > 0) parts.push(`also changed: ${others.join(', ')}`);
  return parts;
}

function describeTaskChange(change: TaskChange): string {
  const status = (value: string | null) => value ?? '(absent)';
  return `task ${change.id}: ${status(change.before)} -> ${status(change.after)}${change.message ? ` (${change.message})` : ''}`;
}

function loopHeadline(loop: ReplayReport['loops'][number]): string {
  const counts = (['changed', 'revised', 'new', 'gone'] as const)
    .map((kind) => [kind, loop.verdicts.filter((v) => v.change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const total = loop.slos.length;
  if (counts.length === 0 && loop.tasks.length === 0)
    return `loop ${loop.loop}: no change (${total} verdict${total === 1 ? '' : 's'})`;
  return `loop ${loop.loop}: ${[...counts, `${loop.unchanged} unchanged`].join(', ')}`;
}

export function summaryLine(report: ReplayReport): string {
  const s = report.summary;
  const loops =
    s.loops === report.replayed
      ? `${s.loops} loop${s.loops === 1 ? '' : 's'} replayed`
      : `${s.loops} of ${report.replayed} replayed loops shown`;
  if (s.loopsWithChanges === 0) return `summary: ${loops}, no verdict changed (${s.unchanged} verdicts)`;
  const kinds = (['changed', 'revised', 'new', 'gone', 'unchanged'] as const).map(
    (kind) => `${s[kind]} ${kind}`,
  );
  const tasks = s.taskChanges > 0 ? `, ${s.taskChanges} task change${s.taskChanges === 1 ? '' : 's'}` : '';
  return `summary: ${loops}, ${s.loopsWithChanges} with changes: ${kinds.join(', ')}${tasks}`;
}

function headline(report: ReplayReport): string {
  const invalid = report.invalid.length > 0 ? ` (skipped invalid loops ${report.invalid.join(', ')})` : '';
  return `replay of ${report.results} with experiment ${report.experiment.name}${report.experiment.source ? ` (${report.experiment.source})` : ''}${invalid}`;
}

function latestLine(report: ReplayReport): string {
  const latest = report.loops.at(-1);
  return latest ? `loop ${latest.loop} as replayed:` : 'no loop replayed:';
}

function renderText(report: ReplayReport): string {
  const lines = [headline(report)];
  for (const loop of report.loops) {
    lines.push(loopHeadline(loop));
    for (const task of loop.tasks) lines.push(`  ${describeTaskChange(task)}`);
    for (const change of loop.verdicts)
      lines.push(`  ${marks[change.change]} ${describeVerdictChange(change)}`);
  }
  lines.push(summaryLine(report));
  if (report.summary.newSlos.length > 0)
    lines.push(`SLOs new in the experiment: ${report.summary.newSlos.join(', ')}`);
  if (report.summary.goneSlos.length > 0)
    lines.push(`SLOs gone from the experiment: ${report.summary.goneSlos.join(', ')}`);
  lines.push(latestLine(report), ...report.assertions.lines.map(formatAssertionLine));
  return lines.join('\n');
}

function renderMarkdown(report: ReplayReport): string {
  const lines = [
    `### canary replay: ${escapeMarkdown(report.experiment.name)}`,
    '',
    escapeMarkdown(headline(report)),
    '',
    escapeMarkdown(summaryLine(report)),
  ];
  if (report.summary.newSlos.length > 0)
    lines.push('', `SLOs new in the experiment: ${report.summary.newSlos.map(code).join(', ')}`);
  if (report.summary.goneSlos.length > 0)
    lines.push('', `SLOs gone from the experiment: ${report.summary.goneSlos.map(code).join(', ')}`);
  const rows = report.loops.flatMap((loop) => [
    ...loop.tasks.map((task) => [String(loop.loop), '', describeTaskChange(task), '', '']),
    ...loop.verdicts.map((change) => [
      String(loop.loop),
      change.change,
      `${change.version} ${sloName(change.change === 'new' ? change.after : change.before)}`,
      change.change === 'new' ? '' : verdictLabel(change.before),
      change.change === 'gone' ? '' : verdictLabel(change.after),
    ]),
  ]);
  if (rows.length > 0) {
    lines.push('', '| Loop | Change | SLO | Before | After |', '| ---: | --- | --- | --- | --- |');
    for (const row of rows) lines.push(`| ${row.map(escapeMarkdown).join(' | ')} |`);
  }
  lines.push('', escapeMarkdown(latestLine(report)), '');
  for (const line of report.assertions.lines) lines.push(`- ${escapeMarkdown(formatAssertionLine(line))}`);
  return lines.join('\n');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
