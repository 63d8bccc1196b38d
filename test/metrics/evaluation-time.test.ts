import { describe, expect, it } from 'vitest';
import { compileProvider } from '../../src/metrics/templates/render-provider.js';
import type { TemplateSource } from '../../src/metrics/templates/template-source.js';
import { atEvaluationTime } from '../../src/tasks/custommetrics/evaluation-time.js';
import type { RenderedProvider } from '../../src/tasks/custommetrics/providers.js';

const at = new Date('2026-11-01T10:00:00Z');

function rendered(syntax: TemplateSource['syntax'], text: string, time?: Date) {
  const source: TemplateSource = { origin: `test.${syntax === 'go' ? 'tpl' : 'njk'}`, text, syntax };
  return compileProvider(source, 'test').render({ url: 'http://127.0.0.1:1/x' }, 3600, time).text;
}

describe('templates see the evaluation time', () => {
  it('Go templates (Iter8 .tpl): RFC 3339 string, integer Unix seconds, integer elapsed seconds', () => {
    const text = rendered(
      'go',
      '# {{ .evaluationTime }} {{ .evaluationTimestamp }} {{ printf "%T %T" .evaluationTimestamp .elapsedTimeSeconds }} {{ add .evaluationTimestamp 1 }}\nurl: {{ .url }}\nmetrics: []\n',
      at,
    );
    expect(text.split('\n')[0]).toBe('# 2026-11-01T10:00:00Z 1793527200 int64 int64 1793527201');
  });

  it('nunjucks templates: the same values', () => {
    const text = rendered(
      'nunjucks',
      '# {{ evaluationTime }} {{ evaluationTimestamp }} {{ evaluationTimestamp + 1 }}\nurl: {{ url }}\nmetrics: []\n',
      at,
    );
    expect(text.split('\n')[0]).toBe('# 2026-11-01T10:00:00Z 1793527200 1793527201');
  });

  it('without a time, a template evaluates now', () => {
    const before = Math.floor(Date.now() / 1000);
    const text = rendered('nunjucks', '# {{ evaluationTimestamp }}\nurl: {{ url }}\nmetrics: []\n');
    const stamp = Number(text.split('\n')[0]!.slice(2));
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });
});

describe('atEvaluationTime', () => {
  const metric = (name: string, params: Array<{ name: string; value: string }>) => ({
    name,
    jqExpression: '.',
    params,
  });
  const providers: RenderedProvider[] = [
    {
      version: 0,
      templateName: 'prom',
      elapsedTimeSeconds: 60,
      spec: {
        url: 'http://prom:9090/api/v1/query',
        metrics: [
          metric('plain', [{ name: 'query', value: 'up' }]),
          metric('own-time', [
            { name: 'query', value: 'up' },
            { name: 'time', value: '1700000000' },
          ]),
        ],
      },
    },
    {
      version: 0,
      templateName: 'range',
      elapsedTimeSeconds: 60,
      spec: {
        url: 'http://prom:9090/api/v1/query_range',
        metrics: [metric('r', [{ name: 'query', value: 'up' }])],
      },
    },
    {
      version: 0,
      templateName: 'other',
      elapsedTimeSeconds: 60,
      spec: { url: 'https://api.example/v1/query-metrics', metrics: [metric('o', [])] },
    },
  ];

  it('gives Prometheus instant queries the time, keeps a time the template set, and leaves other APIs alone', () => {
    const [prom, range, other] = atEvaluationTime(providers, at);
    expect(prom!.spec.metrics.map((m) => m.params)).toEqual([
      [
        { name: 'query', value: 'up' },
        { name: 'time', value: '2026-11-01T10:00:00Z' },
      ],
      [
        { name: 'query', value: 'up' },
        { name: 'time', value: '1700000000' },
      ],
    ]);
    expect(range).toEqual(providers[1]);
    expect(other).toEqual(providers[2]);
    // The input is not changed: each loop renders afresh, but a caller may keep it.
    expect(providers[0]!.spec.metrics[0]!.params).toHaveLength(1);
  });
});
