import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderMarkdown } from '../../src/report/render-markdown.js';
import { renderOpenMetrics } from '../../src/report/render-openmetrics.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import { firstLoop, header, secondLoop } from '../report/report-fixtures.js';
import { hostileText } from './hostile-text.js';
import { showControlCharacters } from '../../src/util/show-control-characters.js';

/**
 * Version names, reasons, descriptions, units and the experiment name come from users and from
 * backends. Whatever they hold, every report has the same structure as with plain text: the same
 * HTML elements and attributes, the same markdown table cells and lines, the same OpenMetrics
 * samples, with the text as label values.
 */

interface Inputs {
  versions: [string, string];
  reason: string;
  description: string;
  units: string;
  experiment: string;
}

const plain: Inputs = {
  versions: ['v-a', 'v-b'],
  reason: 'r',
  description: 'd',
  units: 'u',
  experiment: 'e',
};

const inputs = fc
  .record({
    versions: fc.tuple(hostileText, hostileText),
    reason: hostileText,
    description: hostileText,
    units: hostileText,
    experiment: hostileText,
  })
  // Never empty (an empty description is left out, which is not an injection) and two distinct versions.
  .map((i) => ({
    versions: [`${i.versions[0]}1`, `${i.versions[1]}2`] as [string, string],
    reason: `r${i.reason}`,
    description: `d${i.description}`,
    units: `u${i.units}`,
    experiment: `e${i.experiment}`,
  }));

function history({ versions, reason, description, units, experiment }: Inputs): ResultHistory {
  const loop = secondLoop(versions);
  const metric = 'kserve-prometheus/latency-p90';
  loop.metrics[0] = { ...loop.metrics[0], [metric]: { value: null, reason } };
  loop.metricInfo = { ...loop.metricInfo, [metric]: { description, units } };
  const head = header(versions);
  head.experiment = { ...head.experiment, metadata: { ...head.experiment.metadata, name: experiment } };
  return { file: 'canary-results/x.jsonl', header: head, loops: [firstLoop(versions), loop], warnings: [] };
}

/** Every start tag's name and attribute names, and every end tag, in order. */
function htmlStructure(html: string): string[] {
  const tags: string[] = [];
  // Raw text elements hold no markup: their content is checked apart.
  const withoutRaw = html.replace(/<(style|script)\b[^>]*>[^]*?<\/\1>/g, '<$1></$1>');
  for (const match of withoutRaw.matchAll(
    /<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g,
  )) {
    const attributes = [
      ...match[3]!.matchAll(/\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g),
    ].map((a) => a[1]);
    tags.push(`${match[1]}${match[2]}${attributes.length ? ` ${attributes.join(' ')}` : ''}`);
  }
  return tags;
}

/**
 * Table rows as their number of cells, the number of lines, and how many unescaped characters
 * that mean something in markdown (emphasis, code, links, HTML) the text has.
 */
function markdownStructure(markdown: string): { lines: number; cells: number[]; markup: number } {
  const lines = markdown.split('\n');
  const unescaped = markdown.replace(/\\./g, '');
  return {
    lines: lines.length,
    cells: lines.filter((l) => l.startsWith('|')).map((l) => l.replace(/\\./g, '').split('|').length),
    markup: (unescaped.match(/[`*_~[\]<>!]/g) ?? []).length,
  };
}

/** Samples as metric name and label map, decoded per the OpenMetrics escaping rules. */
function openMetricsSamples(text: string): Array<{ name: string; labels: Record<string, string> }> {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{((?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\.)*",?)*)\})? \S+$/.exec(line);
      if (!match) throw new Error(`not an OpenMetrics sample: ${JSON.stringify(line)}`);
      const labels: Record<string, string> = {};
      for (const l of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\\n]|\\.)*)"/g))
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      return { name: match[1]!, labels };
    });
}

describe('reports keep their structure whatever the text in them', () => {
  const plainReport = buildReport(history(plain));

  it('html: the same elements and attributes; text only as text', () => {
    const expected = htmlStructure(renderHtml(plainReport));
    fc.assert(
      fc.property(inputs, (hostile) => {
        const html = renderHtml(buildReport(history(hostile)));
        expect(htmlStructure(html)).toEqual(expected);
        expect(html).not.toContain('<script>alert(1)');
        expect(html).not.toContain('<img src=x');
      }),
      { numRuns: 150 },
    );
  });

  it('markdown: the same lines, table cells and markup', () => {
    const expected = markdownStructure(renderMarkdown(plainReport));
    fc.assert(
      fc.property(inputs, (hostile) => {
        expect(markdownStructure(renderMarkdown(buildReport(history(hostile))))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('openmetrics: the same samples, with the names as label values, control characters shown', () => {
    const expected = openMetricsSamples(renderOpenMetrics(plainReport));
    // A line feed is the spec's own escape; any other control character becomes visible text (`\x00`).
    const shown = (name: string) => showControlCharacters(name, '\n');
    const rename = (value: string, hostile: Inputs) =>
      value === plain.versions[0]
        ? shown(hostile.versions[0])
        : value === plain.versions[1]
          ? shown(hostile.versions[1])
          : value === plain.experiment
            ? shown(hostile.experiment)
            : value;
    fc.assert(
      fc.property(inputs, (hostile) => {
        const samples = openMetricsSamples(renderOpenMetrics(buildReport(history(hostile))));
        expect(samples).toEqual(
          expected.map((s) => ({
            name: s.name,
            labels: Object.fromEntries(Object.entries(s.labels).map(([k, v]) => [k, rename(v, hostile)])),
          })),
        );
      }),
      { numRuns: 150 },
    );
  });
});
