import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { escapeMarkdown, renderMarkdown } from '../../src/report/render-markdown.js';
import {
  baseline,
  candidate,
  emptyHistory,
  hostileHistory,
  hostileVersion,
  twoLoopHistory,
} from './report-fixtures.js';

/** Cells of a markdown table row, split on pipes that are not escaped. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

function rowStarting(markdown: string, first: string): string[] {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${first} |`));
  expect(row, `a row for ${first}`).toBeDefined();
  return cells(row ?? '');
}

/** The markdown from a heading line to the next heading (or the end). */
function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  expect(start, heading).toBeGreaterThan(-1);
  const rest = markdown.slice(start + heading.length);
  const next = rest.search(/\n(##|<details>)/);
  return heading + (next === -1 ? rest : rest.slice(0, next));
}

/** Every table keeps one cell per header column in every row. */
function expectRectangularTables(markdown: string): void {
  for (const table of markdown.split(/\n(?!\|)/).filter((block) => block.startsWith('|'))) {
    const rows = table.split('\n');
    const width = cells(rows[0]!).length;
    for (const row of rows) expect(cells(row), row).toHaveLength(width);
  }
}

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(buildReport(twoLoopHistory()));

  it('heads the summary with the verdict', () => {
    expect(markdown.split('\n')[0]).toBe('## ❌ sklearn-iris-slos: fail');
    expect(markdown).toContain('Loops: **2** · latest loop **2** completed at 2024-05-01T10:02:00.000Z (3s)');
  });

  it('renders the SLO matrix with a cell per version', () => {
    expect(rowStarting(markdown, 'SLO')).toEqual(['SLO', baseline, candidate]);
    expect(rowStarting(markdown, 'kserve-prometheus/latency-mean &lt;= 25')).toEqual([
      'kserve-prometheus/latency-mean &lt;= 25',
      '✅ 21.3',
      '❌ 31',
    ]);
    expect(rowStarting(markdown, 'kserve-prometheus/latency-p90 &lt;= 40')).toEqual([
      'kserve-prometheus/latency-p90 &lt;= 40',
      '✅ 38.1235',
      '❔ no data (query returned no series)',
    ]);
  });

  it('renders latest metrics, folded, with units and the reason for a missing value', () => {
    const metrics = sectionOf(markdown, '<details><summary>Latest metrics</summary>');
    expect(metrics).toContain('</details>');
    expect(rowStarting(metrics, 'kserve-prometheus/latency-mean (msec)')).toEqual([
      'kserve-prometheus/latency-mean (msec)',
      '21.3',
      '31',
    ]);
    expect(rowStarting(metrics, 'kserve-prometheus/latency-p90')).toEqual([
      'kserve-prometheus/latency-p90',
      '38.1235',
      'no value (query returned no series)',
    ]);
  });

  it('lists the metrics that moved most since the previous loop', () => {
    const changes = sectionOf(markdown, '### Top changes since loop 1');
    expect(
      changes
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map(cells),
    ).toEqual([
      ['Metric', 'Version', 'Loop 1', 'Loop 2', 'Change'],
      ['---', '---', '---:', '---:', '---:'],
      ['kserve-prometheus/latency-mean (msec)', candidate, '22.25', '31', '+8.75 (+39.3%)'],
      ['kserve-prometheus/latency-p90', baseline, '33', '38.1235', '+5.1235 (+15.5%)'],
      ['kserve-prometheus/latency-mean (msec)', baseline, '19.8', '21.3', '+1.5 (+7.6%)'],
    ]);
    // The verdict and SLOs come first, the folded raw numbers last.
    expect(markdown.indexOf('### SLOs')).toBeLessThan(markdown.indexOf('### Top changes'));
    expect(markdown.indexOf('### Top changes')).toBeLessThan(markdown.indexOf('<details>'));
  });

  it('has no top changes with a single loop', () => {
    const history = twoLoopHistory();
    history.loops.pop();
    expect(renderMarkdown(buildReport(history))).not.toContain('Top changes');
  });

  it('lists no failed tasks when all completed', () => {
    expect(markdown).not.toContain('did not complete');
  });

  it('renders an empty report', () => {
    const empty = renderMarkdown(buildReport(emptyHistory()));
    expect(empty.split('\n')[0]).toBe('## ⏳ unknown: none');
    expect(empty).toContain('No loops recorded yet.');
    expect(empty).not.toContain('|');
  });

  it('escapes names that carry HTML or table pipes', () => {
    const hostile = renderMarkdown(buildReport(hostileHistory()));
    expect(hostile).not.toContain(hostileVersion);
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<b>');
    expect(hostile).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(rowStarting(hostile, 'SLO')).toEqual(['SLO', baseline, '&lt;img src=x onerror=alert(1)&gt;']);
    expect(rowStarting(hostile, 'evil\\|provider/latency\\|p99 &gt;= 5')).toHaveLength(3);
    const metrics = sectionOf(hostile, '<details><summary>Latest metrics</summary>');
    expect(rowStarting(metrics, 'evil\\|provider/latency\\|p99 (&lt;ms&gt;)')).toEqual([
      'evil\\|provider/latency\\|p99 (&lt;ms&gt;)',
      'no value (bad &lt;b&gt;query&lt;/b&gt; &amp; "quotes")',
      '7',
    ]);
    expectRectangularTables(hostile);
  });

  it('lists failed tasks with their message on one line', () => {
    const hostile = renderMarkdown(buildReport(hostileHistory()));
    expect(hostile).toContain(
      '- **assess** (assess): failed — version &lt;script&gt;alert(1)&lt;/script&gt; \\| broke line two',
    );
  });
});

describe('escapeMarkdown', () => {
  it('escapes pipes, newlines, HTML and inline markup', () => {
    expect(escapeMarkdown('a|b\nc & <d> [x](y) `z` *e*')).toBe(
      'a\\|b c &amp; &lt;d&gt; \\[x\\](y) \\`z\\` \\*e\\*',
    );
  });
});
