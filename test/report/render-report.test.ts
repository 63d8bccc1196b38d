import { describe, expect, it } from 'vitest';
import { renderReport, renderReportChunks } from '../../src/report/render-report.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import { emptyHistory, threeLoopHistory } from './report-fixtures.js';

describe('renderReportChunks', () => {
  it('writes the JSON report one history entry at a time, as the same text as the whole report', () => {
    const history = threeLoopHistory();
    // A warning that looks like the history key must not be taken for it.
    history.warnings.push('\n  "history": []');
    const chunks = [...renderReportChunks(history, 'json')];
    expect(chunks.length).toBe(history.loops.length + 2);
    expect(chunks.join('')).toBe(renderReport(history, 'json'));
    expect(JSON.parse(chunks.join('')).history).toHaveLength(3);
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
