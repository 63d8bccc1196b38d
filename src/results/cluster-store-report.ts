/**
 * The summarized loops of a cluster store as a report section (text or markdown): what the
 * report's loop history cannot show, since it only sees the loops kept in full.
 */
import { formatNumber } from '../report/format-number.js';
import type { LoopSummary, MetricAggregate } from './cluster-store-summary.js';

export function renderEarlierLoops(summary: LoopSummary, format: 'text' | 'markdown'): string {
  if (summary.loops === 0) return '';
  const range = `${summary.firstLoop ?? '?'}-${summary.lastLoop ?? '?'}`;
  const when = summary.firstStart && summary.lastEnd ? `, ${summary.firstStart} to ${summary.lastEnd}` : '';
  const statuses = Object.entries(summary.status)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
  const title = `Earlier loops (summarized): ${summary.loops} loops, ${range}${when}; ${statuses}`;
  const lines: string[] = format === 'markdown' ? ['', `### ${title}`, ''] : ['', title];
  const versions = [...new Set([...Object.keys(summary.metrics), ...Object.keys(summary.slos)])];
  for (const version of versions) {
    const metrics = Object.entries(summary.metrics[version] ?? {});
    const slos = Object.entries(summary.slos[version] ?? {});
    if (format === 'markdown') {
      lines.push(
        `**${version}**`,
        '',
        '| metric | mean | min | max | last | no data |',
        '|---|---|---|---|---|---|',
      );
      for (const [name, a] of metrics) lines.push(`| ${name} | ${cells(a).join(' | ')} |`);
      lines.push('');
      for (const [slo, c] of slos)
        lines.push(`- SLO \`${slo}\`: ${c.pass} pass, ${c.fail} fail, ${c.nodata} no data`);
      if (slos.length > 0) lines.push('');
      continue;
    }
    lines.push(`  ${version}`);
    const width = Math.max(6, ...metrics.map(([name]) => name.length));
    if (metrics.length > 0) {
      lines.push(
        `    ${'metric'.padEnd(width)}  ${['mean', 'min', 'max', 'last', 'no data'].map((h) => h.padStart(9)).join(' ')}`,
      );
    }
    for (const [name, a] of metrics) {
      lines.push(
        `    ${name.padEnd(width)}  ${cells(a)
          .map((c) => c.padStart(9))
          .join(' ')}`,
      );
    }
    for (const [slo, c] of slos) {
      lines.push(`    SLO ${slo}: ${c.pass} pass, ${c.fail} fail, ${c.nodata} no data`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function cells(a: MetricAggregate): string[] {
  const mean = a.count > 0 ? a.sum / a.count : null;
  return [
    formatNumber(mean),
    formatNumber(a.min),
    formatNumber(a.max),
    formatNumber(a.last),
    String(a.nodata),
  ];
}
