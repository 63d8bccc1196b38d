import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { twoLoopHistory } from './report-fixtures.js';

const note = 'Prometheus percentiles (histogram_quantile) are interpolated within histogram buckets';

/** The fixture, with the query each version's p90 was read with. */
function withP90Query(query: string) {
  const history = twoLoopHistory();
  const latest = history.loops.at(-1)!;
  latest.metrics = latest.metrics.map((metrics) => ({
    ...metrics,
    'kserve-prometheus/latency-p90': { value: 9.4, query },
  }));
  return buildReport(history);
}

describe('the report says once that Prometheus percentiles are interpolated', () => {
  it('when a percentile came from histogram_quantile, in text and markdown', () => {
    const report = withP90Query('histogram_quantile(0.9, sum by (le) (rate(x_bucket[1m])))');
    expect(renderText(report).split(note)).toHaveLength(2);
    expect(renderMarkdown(report).split(note)).toHaveLength(2);
  });

  it('and not otherwise', () => {
    const report = withP90Query('max(x)');
    expect(renderText(report)).not.toContain(note);
    expect(renderMarkdown(report)).not.toContain(note);
  });
});
