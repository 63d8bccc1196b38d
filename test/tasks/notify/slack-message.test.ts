import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build-report.js';
import type { Report } from '../../../src/report/report-schema.js';
import { buildSlackMessage, escapeSlack, limitText } from '../../../src/tasks/notify/slack-message.js';
import { twoLoopHistory } from '../../report/report-fixtures.js';

function reportWith(versions: string[], reason = 'query returned no series'): Report {
  const report = buildReport(twoLoopHistory());
  report.versions = versions.map((name, i) => ({
    name,
    metrics: {},
    metricErrors: {},
    slos: [
      { metric: 'p/latency-mean', op: '<=', limit: 25, value: 20 + i, status: i % 2 ? 'fail' : 'pass' },
      { metric: 'p/error-rate', op: '>=', limit: 0.5, value: null, status: 'nodata', reason },
    ],
  }));
  return report;
}

/** Every mrkdwn text of the message. */
function textsOf(report: Report): string[] {
  const message = buildSlackMessage(report);
  return [message.text, ...message.blocks.map((b) => b.text.text)];
}

describe('buildSlackMessage', () => {
  it('heads with the verdict and lists each version’s SLOs', () => {
    const message = buildSlackMessage(buildReport(twoLoopHistory()));
    expect(message.text).toBe('canary kserve-test/sklearn-iris-slos loop 2: fail');
    expect(message.blocks.map((b) => b.text.text)).toEqual([
      ':x: *canary* `kserve-test/sklearn-iris-slos` loop 2: *fail*\nSLOs: 4 met, 1 violated, 1 without data',
      [
        ':white_check_mark: `sklearn-iris-00001` 3 SLOs checked',
        ':white_check_mark: `kserve-prometheus/error-count ≤ 0` 0',
        ':white_check_mark: `kserve-prometheus/latency-mean ≤ 25` 21.3',
        ':white_check_mark: `kserve-prometheus/latency-p90 ≤ 40` 38.1235',
      ].join('\n'),
      [
        ':x: `sklearn-iris-00002` 1 of 3 SLOs violated',
        ':white_check_mark: `kserve-prometheus/error-count ≤ 0` 0',
        ':x: `kserve-prometheus/latency-mean ≤ 25` 31',
        ':grey_question: `kserve-prometheus/latency-p90 ≤ 40` no data (query returned no series)',
      ].join('\n'),
    ]);
    expect(message.blocks.every((b) => b.type === 'section' && b.text.type === 'mrkdwn')).toBe(true);
  });

  it('escapes &, < and > and keeps names in code spans', () => {
    const texts = textsOf(
      reportWith(['<!channel> & <@U123|boss>', 'a`b*c_d~e'], '<http://evil|click> & more'),
    );
    for (const text of texts) expect(text).not.toMatch(/[<>]/);
    // texts: the fallback, the headline, then one block per version.
    expect(texts[2]).toContain('`&lt;!channel&gt; &amp; &lt;@U123|boss&gt;`');
    expect(texts[2]).toContain('no data (&lt;http://evil|click&gt; &amp; more)');
    expect(texts[3]).toContain('`aˋb*c_d~e`');
  });

  it('is valid JSON with the names intact for any content', () => {
    const nasty = [
      '"quoted"',
      'back\\slash',
      'new\nline\ttab\r',
      '</script><script>alert(1)</script>',
      '\u0000\u001f\u2028\u2029',
      '\ud800 lone surrogate',
      '🚀 emoji',
    ];
    const message = buildSlackMessage(reportWith(nasty, 'reason "with" \\ \n and </script>'));
    const json = JSON.stringify(message);
    expect(JSON.parse(json)).toEqual(message);
    expect(json).toContain('🚀 emoji');
  });

  it('stays within Slack’s block and text limits', () => {
    const many = buildSlackMessage(reportWith(Array.from({ length: 80 }, (_, i) => `v${i}`)));
    expect(many.blocks).toHaveLength(50);
    expect(many.blocks.at(-1)!.text.text).toBe('…and 32 more versions');
    expect(many.blocks[48]!.text.text).toContain('`v47`');
    const long = buildSlackMessage(reportWith(['x'.repeat(5000)], '&'.repeat(4000)));
    for (const block of long.blocks) expect(block.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('limitText', () => {
  it('cuts at a line and never inside an entity', () => {
    expect(limitText('short', 10)).toBe('short');
    expect(limitText('line one\nline two\nline three', 22)).toBe('line one\nline two\n…');
    expect(limitText('&amp;&amp;&amp;', 11)).toBe('&amp;\n…');
    expect(limitText('&amp;&amp;&amp;', 12)).toBe('&amp;&amp;\n…');
  });
});

describe('escapeSlack', () => {
  it('escapes only what Slack asks for', () => {
    expect(escapeSlack('a & <b> "c" *d*')).toBe('a &amp; &lt;b&gt; "c" *d*');
  });
});
