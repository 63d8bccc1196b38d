import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/render-html.js';
import {
  baseline,
  candidate,
  emptyHistory,
  hostileHistory,
  hostileVersion,
  threeLoopHistory,
  twoLoopHistory,
} from './report-fixtures.js';

const voidElements = new Set([
  'meta',
  'link',
  'br',
  'hr',
  'img',
  'input',
  'source',
  'wbr',
  'col',
  'area',
  'base',
]);

interface Tag {
  name: string;
  attributes: Map<string, string>;
}

/** Every start tag with its attributes; all our attribute values are double-quoted. */
function startTags(html: string): Tag[] {
  const tags: Tag[] = [];
  for (const match of html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attributes = new Map<string, string>();
    for (const attr of (match[2] ?? '').matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g))
      attributes.set(attr[1]!, attr[2] ?? '');
    tags.push({ name: match[1]!.toLowerCase(), attributes });
  }
  return tags;
}

/** Open and close tags pair up (void and self-closed elements aside); `<style>` content is skipped. */
function expectBalanced(html: string): void {
  const markup = html.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/^<!DOCTYPE html>/, '');
  const stack: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][\w-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (closing) {
      expect(stack.pop(), `closing </${name}>`).toBe(name);
    } else if (!selfClosing && !voidElements.has(name)) {
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  // No stray angle brackets outside tags: all text was escaped.
  expect(markup.replace(/<\/?[a-zA-Z][\w-]*(?:\s[^<>]*?)?\/?>/g, '')).not.toMatch(/[<>]/);
}

function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/<script/i);
  for (const tag of startTags(html)) {
    for (const name of tag.attributes.keys()) {
      expect(['src', 'href', 'srcset', 'action', 'xlink:href'], `<${tag.name} ${name}>`).not.toContain(name);
      expect(name.startsWith('on'), `<${tag.name} ${name}>`).toBe(false);
    }
  }
}

function cell(html: string, version: string, metric: string): Tag {
  const found = startTags(html).find(
    (t) =>
      t.name === 'td' &&
      t.attributes.get('data-version') === version &&
      t.attributes.get('data-metric') === metric &&
      t.attributes.has('data-status'),
  );
  expect(found, `SLO cell ${version} ${metric}`).toBeDefined();
  return found!;
}

/** One trend chart's SVG markup. */
function svgOf(html: string, metric: string): string {
  const start = html.indexOf(`<svg class="trend" data-metric="${metric}"`);
  expect(start, `trend chart of ${metric}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</svg>', start));
}

describe('renderHtml', () => {
  const html = renderHtml(buildReport(twoLoopHistory()));

  it('is one self-contained HTML5 document', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expectSelfContained(html);
    expectBalanced(html);
  });

  it('shows the verdict banner', () => {
    const banner = startTags(html).find((t) => t.attributes.get('id') === 'verdict');
    expect(banner?.attributes.get('data-verdict')).toBe('fail');
    expect(html).toContain('<dd id="summary-loops">2</dd>');
    expect(html).toContain('<dd id="summary-latest-start">2024-05-01T10:02:00.000Z</dd>');
  });

  it('renders the SLO matrix with a cell per version', () => {
    expect(html).toContain('<table id="slo-matrix">');
    const pass = cell(html, baseline, 'kserve-prometheus/latency-mean');
    expect(pass.attributes.get('data-status')).toBe('pass');
    expect(pass.attributes.get('data-value')).toBe('21.3');
    const fail = cell(html, candidate, 'kserve-prometheus/latency-mean');
    expect(fail.attributes.get('data-status')).toBe('fail');
    expect(fail.attributes.get('data-value')).toBe('31');
    expect(fail.attributes.get('title')).toBe('31 violates kserve-prometheus/latency-mean &lt;= 25');
    const nodata = cell(html, candidate, 'kserve-prometheus/latency-p90');
    expect(nodata.attributes.get('data-status')).toBe('nodata');
    expect(nodata.attributes.get('title')).toBe('no data: query returned no series');
    expect(html).toContain('✘ 31 <span class="limit">&gt; 25</span>');
  });

  it('renders latest metrics with descriptions and the reason for a missing value', () => {
    expect(html).toContain(
      '<th scope="row" title="Mean latency; units: msec; type: gauge">kserve-prometheus/latency-mean (msec)</th>',
    );
    expect(html).toContain('title="query returned no series">no value (query returned no series)</td>');
  });

  it('lists the tasks of the latest loop', () => {
    expect(html).toContain('<h2>Tasks of loop 2</h2>');
    expect(html).toMatch(
      /<tr class="task-completed" data-task-id="custommetrics" data-status="completed">.*1\.5s/,
    );
  });

  it('draws a trend chart per metric with SLO limits on round gridlines', () => {
    const charts = startTags(html).filter((t) => t.name === 'svg');
    expect(charts.map((t) => [t.attributes.get('class'), t.attributes.get('data-metric')])).toEqual([
      ['trend', 'kserve-prometheus/error-count'],
      ['trend', 'kserve-prometheus/latency-mean'],
      ['trend', 'kserve-prometheus/latency-p90'],
    ]);
    const svg = svgOf(html, 'kserve-prometheus/latency-mean');
    expect(svg).toContain('<g class="limit" data-limit="25"><line class="limit-line"');
    expect(svg).toContain('>SLO ≤ 25</text>');
    expect(svg).toContain(
      `<g class="series series-1" data-version="${candidate}"><polyline class="series-1" points="50,123.7 524,48.4"/>`,
    );
    // Values 19.8..31 and the limit 25 on ticks 15..35.
    expect([...svg.matchAll(/<text class="y-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '15',
      '20',
      '25',
      '30',
      '35',
    ]);
    expect([...svg.matchAll(/<text class="x-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['1', '2']);
  });

  it('never draws a negative axis for a metric that stayed at zero', () => {
    const svg = svgOf(html, 'kserve-prometheus/error-count');
    expect([...svg.matchAll(/<text class="y-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '0',
      '0.25',
      '0.5',
      '0.75',
      '1',
    ]);
  });

  it('skips the chart of a metric that never had a value, and marks a lone point', () => {
    const history = twoLoopHistory();
    for (const loop of history.loops) {
      loop.metrics[0]!['kserve-prometheus/latency-p99'] = { value: null, reason: 'query returned no series' };
    }
    const page = renderHtml(buildReport(history));
    expect(page).toContain('<tr data-metric="kserve-prometheus/latency-p99">');
    expect(page).not.toContain('<svg class="trend" data-metric="kserve-prometheus/latency-p99"');
    // The candidate's p90 has a value in loop 1 only: a circle, no one-point polyline.
    expect(svgOf(page, 'kserve-prometheus/latency-p90')).toMatch(
      new RegExp(
        `<g class="series series-1" data-version="${candidate}"><circle class="series-1" cx="50" cy="[\\d.]+" r="3">`,
      ),
    );
  });

  it('counts SLO verdicts in the banner', () => {
    const stats = (status: string) =>
      new RegExp(`<li class="stat stat-${status}" data-status="${status}"><strong>(\\d+)</strong>`).exec(
        html,
      )?.[1];
    expect([stats('pass'), stats('fail'), stats('nodata')]).toEqual(['4', '1', '1']);
  });

  it('lists rendered queries and errors per version', () => {
    const page = renderHtml(buildReport(threeLoopHistory()));
    const section = page.slice(page.indexOf('<section id="queries">'));
    expect(section).toContain(`<details class="queries" data-version="${candidate}" open>`);
    expect(section).toContain(
      '<pre><code>histogram_quantile(0.9, sum by(le) (rate(revision_app_request_latencies_bucket{revision_name=&quot;sklearn-iris-00002&quot;}[180s])))</code></pre>',
    );
    // Loop 2 had no queries but an error: the error is listed without a query.
    expect(html).toContain('<td class="error-text">no value (query returned no series)</td>');
  });

  it('draws a latency histogram per version on shared buckets when the loop has them', () => {
    const page = renderHtml(buildReport(threeLoopHistory()));
    const histograms = startTags(page).filter(
      (t) => t.name === 'svg' && t.attributes.get('class') === 'histogram',
    );
    expect(histograms.map((t) => t.attributes.get('data-version'))).toEqual([baseline, candidate]);
    const bars = startTags(page).filter((t) => t.name === 'rect');
    expect(bars).toHaveLength(22);
    expect(
      bars
        .filter((b) => b.attributes.get('data-upper-ms') === '20')
        .map((b) => b.attributes.get('data-count')),
    ).toEqual(['400', '159']);
    expect(html).not.toContain('id="histograms"');
  });

  it('is deterministic', () => {
    expect(renderHtml(buildReport(twoLoopHistory()))).toBe(html);
  });

  it('renders an empty report', () => {
    const empty = renderHtml(buildReport(emptyHistory()));
    expect(empty).toContain('data-verdict="none"');
    expect(empty).toContain('No loops recorded yet.');
    expect(empty).not.toContain('<svg');
    expectSelfContained(empty);
    expectBalanced(empty);
  });

  it('escapes every name, reason and message, also in attributes', () => {
    const hostile = renderHtml(buildReport(hostileHistory()));
    expect(hostile).not.toContain(hostileVersion);
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<b>');
    expect(hostile).not.toContain('<ms>');
    expect(hostile).toContain(
      '<th scope="col" data-version="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt;</th>',
    );
    expect(hostile).toContain('title="x&quot; onmouseover=&quot;alert(1); units: &lt;ms&gt;"');
    expect(hostile).toContain('<svg class="trend" data-metric="evil|provider/latency|p99"');
    expect(
      cell(hostile, '&lt;img src=x onerror=alert(1)&gt;', 'evil|provider/latency|p99').attributes.get(
        'data-status',
      ),
    ).toBe('pass');
    expectSelfContained(hostile);
    expectBalanced(hostile);
  });
});
