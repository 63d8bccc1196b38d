/**
 * One row per figure: { benchmark, measured, baseline, ratio (number), goal, met (boolean or undefined
 * for figures without a goal) }. Printed as a Markdown table so it can be pasted into bench/README.md.
 */
export function printTable(rows, out = process.stdout) {
  const header = ['benchmark', 'measured', 'baseline', 'ratio', 'goal', 'met?'];
  const cells = rows.map((r) => [
    r.benchmark,
    r.measured,
    r.baseline,
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(r.ratio < 10 ? 3 : 1)}x` : '',
    r.goal,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  out.write(`${line(header)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const c of cells) out.write(`${line(c)}\n`);
}
