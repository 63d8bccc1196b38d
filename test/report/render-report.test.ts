import { describe, expect, it } from 'vitest';
import { renderReport, renderReportChunks } from '../../src/report/render-report.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import { emptyHistory, threeLoopHistory } from './report-fixtures.js';

describe('renderReportChunks', () => {
  it('writes the JSON report a few history entries at a time, as the same text as the whole report', () => {
    const history = threeLoopHistory();
    // A warning that looks like the history key must not be taken for it.
    history.warnings.push('\n  "history": []');
    const chunks = [...renderReportChunks(history, 'json')];
    expect(chunks.join('')).toBe(renderReport(history, 'json'));
    expect(JSON.parse(chunks.join('')).history).toHaveLength(3);

    // A long history goes out in pieces of about 64 KiB, never as one string.
    const [first] = history.loops;
    history.loops = Array.from({ length: 3000 }, (_, i) => ({ ...first!, loop: i + 1 }));
    const pieces = [...renderReportChunks(history, 'json')];
    const whole = renderReport(history, 'json');
    expect(pieces.join('')).toBe(whole);
    expect(whole.length).toBeGreaterThan(4 * 64 * 1024);
    expect(pieces.length).toBeGreaterThan(whole.length / (128 * 1024));
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(128 * 1024);
  });

  it('gives the whole report for an empty history and for the other formats', () => {
    const empty: ResultHistory = emptyHistory();
    expect([...renderReportChunks(empty, 'json')].join('')).toBe(renderReport(empty, 'json'));
    for (const format of ['text', 'markdown', 'html'] as const) {
      expect([...renderReportChunks(threeLoopHistory(), format)]).toEqual([
        renderReport(threeLoopHistory(), format),
      ]);
    }
  });
});
