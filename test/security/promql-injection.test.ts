import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNunjucks } from '../../src/metrics/templates/nunjucks-template.js';
import { compileProvider } from '../../src/metrics/templates/render-provider.js';
import { builtinTemplateDir } from '../../src/metrics/templates/template-source.js';
import { hostileText } from './hostile-text.js';

/**
 * Values spliced into PromQL through the escaping filters (and the builtin templates) cannot
 * change the query: Prometheus's own grammar parses it to the same tree as with a plain value,
 * and the label matcher holds exactly the value given.
 */

interface Matcher {
  name: string;
  op: string;
  value: string;
}

/** Node names in order (the tree's shape) and every label matcher, decoded; throws on a syntax error. */
function parsePromql(query: string): { shape: string[]; matchers: Matcher[] } {
  const shape: string[] = [];
  const matchers: Matcher[] = [];
  const tree = parser.parse(query);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) throw new Error(`syntax error at ${node.from} in ${JSON.stringify(query)}`);
      shape.push(node.name);
      if (node.name === 'UnquotedLabelMatcher') {
        const child = (name: string) => {
          const found = node.node.getChild(name);
          return found ? query.slice(found.from, found.to) : '';
        };
        matchers.push({
          name: child('LabelName'),
          op: child('MatchOp'),
          value: unquote(child('StringLiteral')),
        });
      }
    },
  });
  return { shape, matchers };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** A PromQL (Go) double-quoted string literal's value. */
function unquote(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  return literal
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/gsu, (_, escape: string) => {
      if (/^[xuU]/.test(escape)) return String.fromCodePoint(parseInt(escape.slice(1), 16));
      if (/^[0-7]{3}$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
      const simple = SIMPLE_ESCAPES[escape];
      if (simple === undefined) throw new Error(`invalid escape \\${escape}`);
      return simple;
    });
}

const render = (template: string, data: object) => compileNunjucks(template, 't').render(data);

describe('the promql filters', () => {
  it('`| promql` keeps any value inside its label matcher', () => {
    const template = 'sum(rate(up{pod="{{ value | promql }}",job="api"}[5m]))';
    const plain = parsePromql(render(template, { value: 'x' }));
    fc.assert(
      fc.property(hostileText, (value) => {
        const parsed = parsePromql(render(template, { value }));
        expect(parsed.shape).toEqual(plain.shape);
        expect(parsed.matchers).toEqual([
          { name: 'pod', op: '=', value },
          { name: 'job', op: '=', value: 'api' },
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('`| promql_labels` makes one matcher per label, each with its value', () => {
    const template = 'up{ {{ labels | promql_labels }} }';
    const plain = parsePromql(render(template, { labels: { app: 'a', pod: 'b' } }));
    fc.assert(
      fc.property(hostileText, hostileText, (app, pod) => {
        const parsed = parsePromql(render(template, { labels: { app, pod } }));
        expect(parsed.shape).toEqual(plain.shape);
        expect(parsed.matchers).toEqual([
          { name: 'app', op: '=', value: app },
          { name: 'pod', op: '=', value: pod },
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('`| promql_labels` refuses a label name that is not one, instead of splicing it', () => {
    for (const name of ['a"} or vector(1) #', 'a b', '0a', 'a-b'])
      expect(() => render('up{ {{ labels | promql_labels }} }', { labels: { [name]: 'v' } })).toThrow(
        /is not a Prometheus label name/,
      );
  });
});

async function builtin(name: string) {
  const text = await readFile(path.join(builtinTemplateDir, `${name}.njk`), 'utf8');
  return compileProvider({ origin: `builtin:${name}`, text, syntax: 'nunjucks' }, name);
}

/** Every rendered query of a spec, by metric name. */
function queries(spec: {
  metrics: Array<{ name: string; params?: Array<{ name: string; value: string }> }>;
}) {
  return Object.fromEntries(
    spec.metrics.map((m) => [m.name, m.params?.find((p) => p.name === 'query')?.value ?? '']),
  );
}

describe('builtin templates render the same queries and the same spec, whatever the label values', () => {
  const cases: Array<{ template: string; values: (label: string) => Record<string, unknown> }> = [
    {
      template: 'prometheus',
      values: (label) => ({
        labels: { app: label },
        metrics: [
          { name: 'rate', query: 'sum(rate(http_requests_total{$labels,code=~"5.."}[$window])) / $elapsed' },
          { name: 'plain', query: 'up{$labels}' },
        ],
      }),
    },
    {
      template: 'kserve-prometheus',
      values: (label) => ({ labels: { revision_name: label }, latencyPercentiles: [50, 99.9] }),
    },
    { template: 'istio-prometheus', values: (label) => ({ labels: { destination_workload: label } }) },
  ];

  it.each(cases)('$template', async ({ template, values }) => {
    const provider = await builtin(template);
    const plain = provider.render(values('x'), 120).spec;
    const plainQueries = Object.fromEntries(
      Object.entries(queries(plain)).map(([name, query]) => [name, parsePromql(query)]),
    );
    fc.assert(
      fc.property(hostileText, (label) => {
        const { spec } = provider.render(values(label), 120);
        // Same metrics, same keys: a value cannot add a metric or a field to the YAML.
        expect(spec.metrics.map((m) => Object.keys(m))).toEqual(plain.metrics.map((m) => Object.keys(m)));
        expect(spec.url).toBe(plain.url);
        for (const [name, query] of Object.entries(queries(spec))) {
          const parsed = parsePromql(query);
          expect(parsed.shape).toEqual(plainQueries[name]!.shape);
          const labelled = parsed.matchers.filter(
            (m) => m.name === Object.keys(values('x').labels as object)[0],
          );
          expect(labelled.length).toBeGreaterThan(0);
          for (const matcher of labelled) expect(matcher).toEqual({ ...matcher, op: '=', value: label });
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('provider templates: a value cannot change the YAML they render', () => {
  it('`| dump` keeps newlines, colons and braces inside one string', async () => {
    const provider = await builtin('prometheus');
    fc.assert(
      fc.property(hostileText, (text) => {
        // The query is PromQL written by the user, placeholders and all; it must arrive as written.
        const query = `up{a="${text.replaceAll('$', '')}"}`;
        const { spec } = provider.render(
          {
            prometheusURL: 'http://127.0.0.1:9090/api/v1/query',
            metrics: [{ name: 'n', query, description: `d${text}`, units: `u${text}` }],
          },
          60,
        );
        expect(spec.metrics).toHaveLength(1);
        expect(spec.metrics[0]).toMatchObject({
          name: 'n',
          description: `d${text}`,
          units: `u${text}`,
        });
        expect(queries(spec)).toEqual({ n: query });
        expect(Object.keys(spec).sort()).toEqual(['method', 'metrics', 'provider', 'url']);
      }),
      { numRuns: 200 },
    );
  });
});
