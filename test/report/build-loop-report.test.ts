import { describe, expect, it } from 'vitest';
import { MetricBoard } from '../../src/metrics/metric-board.js';
import { buildLoopReport } from '../../src/report/build-loop-report.js';
import { ReportSchema } from '../../src/report/report-schema.js';
import { renderHtml } from '../../src/report/render-html.js';
import { checkAgainstSchema } from '../../src/config/schema-check.js';
import type { SloVerdict } from '../../src/results/records.js';

function loopSoFar(slos: SloVerdict[] = []) {
  const metrics = new MetricBoard();
  metrics.record(0, 'p/latency-mean', 12, { query: 'mean{v="a"}', info: { units: 'ms' } });
  metrics.record(1, 'p/latency-mean', 31, { query: 'mean{v="b"}' });
  metrics.record(1, 'p/error-rate', null, { reason: 'query returned no series' });
  return {
    loop: 4,
    experiment: { name: 'checkout', namespace: 'shop' },
    versions: ['stable', 'canary'],
    metrics,
    slos,
  };
}

const fail: SloVerdict = {
  metric: 'p/latency-mean',
  op: '<=',
  limit: 25,
  version: 1,
  value: 31,
  status: 'fail',
};
const pass: SloVerdict = {
  metric: 'p/latency-mean',
  op: '<=',
  limit: 25,
  version: 0,
  value: 12,
  status: 'pass',
};

describe('buildLoopReport', () => {
  it('builds a schema-valid report of the running loop from the board and verdicts so far', () => {
    const report = buildLoopReport(loopSoFar([pass, fail]), new Date('2026-01-02T03:04:05.000Z'));
    expect(checkAgainstSchema(ReportSchema, report)).toEqual([]);
    expect(report).toMatchObject({
      experiment: { name: 'checkout', namespace: 'shop' },
      loops: 4,
      completed: false,
      verdict: 'fail',
      exitCode: 1,
      latestLoop: { loop: 4, status: 'running', start: '2026-01-02T03:04:05.000Z' },
      metricInfo: { 'p/latency-mean': { units: 'ms' } },
    });
    expect(report.versions.map((v) => v.name)).toEqual(['stable', 'canary']);
    expect(report.versions[1]).toMatchObject({
      metrics: { 'p/latency-mean': 31, 'p/error-rate': null },
      metricErrors: { 'p/error-rate': 'query returned no series' },
      queries: { 'p/latency-mean': 'mean{v="b"}' },
      slos: [{ metric: 'p/latency-mean', value: 31, status: 'fail' }],
    });
    expect(report.history).toHaveLength(1);
    expect(report.history[0]!.loop).toBe(4);
  });

  it('judges the verdict on SLOs alone: pass, inconclusive, and pass with none', () => {
    expect(buildLoopReport(loopSoFar([pass])).verdict).toBe('pass');
    const nodata: SloVerdict = { ...pass, version: 1, value: null, status: 'nodata', reason: 'NaN' };
    expect(buildLoopReport(loopSoFar([pass, nodata])).verdict).toBe('inconclusive');
    expect(buildLoopReport(loopSoFar()).verdict).toBe('pass');
  });

  it('copies the verdicts: SLOs judged later do not change a report already sent', () => {
    const context = loopSoFar([pass]);
    const report = buildLoopReport(context);
    context.slos.push(fail);
    expect(report.versions[1]!.slos).toEqual([]);
  });

  it('names versions that a task recorded beyond the known ones', () => {
    const context = loopSoFar();
    context.metrics.record(2, 'p/latency-mean', 5);
    expect(buildLoopReport(context).versions.map((v) => v.name)).toEqual(['stable', 'canary', 'version-2']);
  });

  it('renders as HTML', () => {
    const html = renderHtml(buildLoopReport(loopSoFar([pass, fail])));
    expect(html).toContain('data-verdict="fail"');
    expect(html).toContain('from a running loop</footer>');
  });
});
