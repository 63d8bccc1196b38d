import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderText } from '../../src/report/render-text.js';
import { twoLoopHistory } from './report-fixtures.js';

const refused = 'query http://127.0.0.1:9/api/v1/query failed: connect ECONNREFUSED 127.0.0.1:9';

/** The fixture's latest loop with every metric of both versions unreachable but one. */
function backendDown() {
  const history = twoLoopHistory();
  const latest = history.loops.at(-1)!;
  latest.metrics = latest.metrics.map((metrics, version) =>
    Object.fromEntries(
      Object.keys(metrics).map((name) => [
        name,
        version === 0 && name.endsWith('error-count')
          ? { value: null, reason: 'query returned no series' }
          : { value: null, reason: refused },
      ]),
    ),
  );
  latest.slos = latest.slos.map((slo) => ({ ...slo, value: null, status: 'nodata', reason: refused }));
  return buildReport(history);
}

describe('repeated reasons are folded', () => {
  it('in text: cells say "no value", one line below says why and how often', () => {
    const text = renderText(backendDown()).split('Latest metrics')[1]!;
    expect(text.split(refused)).toHaveLength(2); // once
    expect(text).toContain(`no value: ${refused} (5 metrics)`);
    expect(text).toContain('no value (query returned no series)'); // a reason seen once stays inline
  });

  it('in markdown likewise', () => {
    const markdown = renderMarkdown(backendDown());
    const slos = markdown.slice(markdown.indexOf('### SLOs'), markdown.indexOf('**Why**'));
    expect(slos.split('ECONNREFUSED')).toHaveLength(2);
    expect(slos).toMatch(/^- no data: query .*ECONNREFUSED 127\.0\.0\.1:9 \(\d+ SLOs\)$/m);
    const metrics = markdown.slice(markdown.indexOf('Latest metrics'));
    expect(metrics.split('ECONNREFUSED')).toHaveLength(2);
    expect(markdown).toMatch(/^- no value: query .*ECONNREFUSED 127\.0\.0\.1:9 \(5 metrics\)$/m);
    expect(markdown).toContain('no value (query returned no series)');
  });
});
