import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { twoLoopHistory } from './report-fixtures.js';

/** The fixture's two loops, as a retrospective run over a past window would record them. */
function retrospectiveHistory() {
  const history = twoLoopHistory();
  history.loops[0]!.retrospective = { at: '2024-04-24T06:00:00.000Z' };
  history.loops[1]!.retrospective = { at: '2024-04-24T18:00:00.000Z' };
  return history;
}

describe('reports of retrospective loops', () => {
  const report = buildReport(retrospectiveHistory());

  it('the JSON report keeps the evaluation time of the latest loop and of every loop in the history', () => {
    expect(report.latestLoop?.retrospective).toEqual({ at: '2024-04-24T18:00:00.000Z' });
    // start stays wall-clock.
    expect(report.latestLoop?.start).toBe('2024-05-01T10:02:00.000Z');
    expect(report.history.map((h) => h.retrospective?.at)).toEqual([
      '2024-04-24T06:00:00.000Z',
      '2024-04-24T18:00:00.000Z',
    ]);
  });

  it('text, markdown and html say when the latest loop evaluated', () => {
    expect(renderText(report)).toMatch(/Evaluated at: +2024-04-24T18:00:00.000Z \(retrospective\)/);
    expect(renderMarkdown(report)).toContain('evaluated at 2024-04-24T18:00:00.000Z (retrospective)');
    expect(renderHtml(report)).toContain('2024-04-24T18:00:00.000Z (retrospective)');
  });

  it('live loops say nothing of it', () => {
    const live = buildReport(twoLoopHistory());
    expect(live.latestLoop).not.toHaveProperty('retrospective');
    expect(live.history.every((h) => !('retrospective' in h))).toBe(true);
    expect(renderText(live)).not.toContain('retrospective');
    expect(renderMarkdown(live)).not.toContain('retrospective');
    expect(renderHtml(live)).not.toContain('(retrospective)');
  });
});
