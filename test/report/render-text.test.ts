import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { baseline, candidate, emptyHistory, firstLoop, header, twoLoopHistory } from './report-fixtures.js';

function lineWith(text: string, needle: string): string {
  const line = text.split('\n').find((l) => l.includes(needle));
  expect(line, `a line with ${needle}`).toBeDefined();
  return line ?? '';
}

describe('renderText', () => {
  const text = renderText(buildReport(twoLoopHistory()));

  it('summarises the experiment and its latest loop', () => {
    expect(text).toContain('Experiment summary');
    expect(lineWith(text, 'Experiment:')).toMatch(/sklearn-iris-slos$/);
    expect(lineWith(text, 'Loops:')).toMatch(/ 2$/);
    expect(lineWith(text, 'Completed:')).toMatch(/true$/);
    expect(lineWith(text, 'Failure:')).toMatch(/false$/);
    expect(lineWith(text, 'Verdict:')).toContain('fail (exit code 1)');
    expect(lineWith(text, 'Latest loop:')).toContain(
      '2, started 2024-05-01T10:02:00.000Z, took 3s, completed',
    );
    expect(lineWith(text, 'Skipped ticks:')).toContain('1 (2024-05-01T10:01:30.000Z)');
    expect(lineWith(text, 'Result file:')).toContain('canary-results/sklearn-iris-slos.jsonl');
  });

  it('lists the tasks of the latest loop', () => {
    expect(text).toContain('Tasks (loop 2)');
    expect(lineWith(text, 'custommetrics  ')).toMatch(/custommetrics\s+custommetrics\s+completed\s+1\.5s/);
  });

  it('renders one SLO row with a cell per version', () => {
    const row = lineWith(text, 'kserve-prometheus/latency-mean <= 25');
    expect(row).toMatch(/latency-mean <= 25\s+✔ 21\.3\s+✘ 31$/);
    expect(lineWith(text, 'kserve-prometheus/latency-p90 <= 40')).toMatch(/✔ 38\.1235\s+no data$/);
    // Below the matrix: why the cell has no data, and how it counts.
    expect(text).toContain(
      `? ${candidate}: kserve-prometheus/latency-p90 <= 40: nodata (counts as inconclusive)\n      query returned no series`,
    );
  });

  it('aligns the SLO columns under their version headers', () => {
    const head = lineWith(text, `SLO  `);
    const row = lineWith(text, 'latency-mean <= 25');
    expect(row.indexOf('✔')).toBe(head.indexOf(baseline));
    expect(row.indexOf('✘')).toBe(head.indexOf(candidate));
  });

  it('shows latest metrics with units and the reason for a missing value', () => {
    expect(lineWith(text, 'kserve-prometheus/latency-mean (msec)')).toMatch(/21\.3\s+31$/);
    expect(lineWith(text, 'kserve-prometheus/latency-p90  ')).toMatch(
      /38\.1235\s+no value \(query returned no series\)$/,
    );
  });

  it('labels the value of a histogram metric as the count it is, not an amount in its units', () => {
    const history = twoLoopHistory();
    const latest = history.loops.at(-1)!;
    latest.metrics = latest.metrics.map((m) => ({ ...m, 'kserve-prometheus/latency': { value: 180 } }));
    latest.metricInfo = {
      ...latest.metricInfo,
      'kserve-prometheus/latency': { units: 'ms', type: 'histogram', description: 'Latency histogram' },
    };
    const report = buildReport(history);
    const rendered = renderText(report);
    expect(lineWith(rendered, 'kserve-prometheus/latency (histogram in ms: count)')).toMatch(/180\s+180$/);
    expect(rendered).not.toContain('kserve-prometheus/latency (ms)');
    expect(rendered).toContain('kserve-prometheus/latency-mean (msec)');
    expect(renderMarkdown(report)).toContain('kserve-prometheus/latency (histogram in ms: count)');
    expect(renderHtml(report)).toContain('kserve-prometheus/latency (histogram in ms: count)');
  });

  it('renders an empty report', () => {
    const empty = renderText(buildReport(emptyHistory()));
    expect(empty).toContain('Experiment summary');
    expect(lineWith(empty, 'Experiment:')).toContain('unknown');
    expect(lineWith(empty, 'Verdict:')).toContain('none');
    expect(empty).toContain('no loops recorded yet');
    expect(empty).not.toContain('SLOs');
  });

  it('renders no data for SLOs on a metric a version never reported', () => {
    const loop = firstLoop();
    loop.metrics[1] = {};
    loop.slos = loop.slos.map((s) =>
      s.version === 1 ? { ...s, value: null, status: 'nodata' as const, reason: 'metric not observed' } : s,
    );
    const out = renderText(buildReport({ file: 'r.jsonl', header: header(), loops: [loop], warnings: [] }));
    expect(lineWith(out, 'latency-mean <= 25')).toMatch(/✔ 19\.8\s+no data$/);
    expect(lineWith(out, 'kserve-prometheus/latency-mean (msec)')).toMatch(/19\.8\s+-$/);
  });

  it('prints warnings last and shows control characters in names as escapes', () => {
    const history = twoLoopHistory();
    history.warnings.push('skipped line 3: not a valid result record');
    history.loops[1]!.tasks[0]!.message = 'boom\n\u001b[31mred';
    const out = renderText(buildReport(history));
    expect(out.trimEnd().split('\n').at(-1)).toBe('  - skipped line 3: not a valid result record');
    expect(out).not.toContain('\u001b');
    expect(out).toContain('boom \\x1b[31mred');
  });
});
