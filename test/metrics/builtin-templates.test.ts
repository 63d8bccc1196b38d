import { describe, expect, it } from 'vitest';
import { loadTemplateSource } from '../../src/metrics/templates/template-source.js';
import { compileProvider } from '../../src/metrics/templates/render-provider.js';
import { checkPromql } from '../../src/metrics/backend/promql.js';
import { percentileToQuantile } from '../../src/metrics/templates/nunjucks-template.js';

async function render(name: string, values: Record<string, unknown>, elapsed = 600) {
  const source = await loadTemplateSource(`builtin:${name}`, {
    experimentDir: '.',
    cacheDir: '/nonexistent',
    memory: new Map(),
  });
  return compileProvider(source, name).render(values, elapsed).spec;
}

function queries(spec: {
  metrics: Array<{ name: string; params?: Array<{ name: string; value: string }> }>;
}) {
  return Object.fromEntries(
    spec.metrics.map((m) => [m.name, m.params?.find((p) => p.name === 'query')?.value ?? '']),
  );
}

describe('builtin templates', () => {
  it('kserve-prometheus: the Knative queue-proxy series, any percentile, escaped labels', async () => {
    const spec = await render('kserve-prometheus', {
      labels: { service_name: 'sklearn-iris-predictor-default', revision_name: 'rev"1\\x' },
      latencyPercentiles: [50, 90, 99.9],
      prometheusURL: 'http://127.0.0.1:9090/api/v1/query',
    });
    expect(spec.url).toBe('http://127.0.0.1:9090/api/v1/query');
    const q = queries(spec);
    expect(Object.keys(q)).toEqual([
      'request-count',
      'error-count',
      'error-rate',
      'latency-mean',
      'latency',
      'latency-p50',
      'latency-p90',
      'latency-p99.9',
    ]);
    const selector = 'service_name="sklearn-iris-predictor-default",revision_name="rev\\"1\\\\x"';
    expect(q['request-count']).toBe(
      `sum(last_over_time(revision_app_request_latencies_count{${selector}}[600s])) or on() vector(0)`,
    );
    expect(q['error-count']).toContain(`{${selector},response_code_class="5xx"}[600s]`);
    expect(q['latency-p99.9']).toBe(
      `histogram_quantile(0.999, sum by (le) (last_over_time(revision_app_request_latencies_bucket{${selector}}[600s])))`,
    );
    for (const [name, query] of Object.entries(q)) expect(checkPromql(query), name).toEqual([]);
  });

  it('kserve-prometheus: in-cluster default URL, no labels, and a 1 s window at the very start', async () => {
    const spec = await render('kserve-prometheus', {}, 0);
    expect(spec.url).toBe('http://prometheus-operated.monitoring:9090/api/v1/query');
    expect(queries(spec)['request-count']).toBe(
      'sum(last_over_time(revision_app_request_latencies_count{}[1s])) or on() vector(0)',
    );
  });

  it("istio-prometheus: Iter8's metric set, istioPromURL accepted, response_code refused", async () => {
    const spec = await render('istio-prometheus', {
      istioPromURL: 'http://prom:9090/api/v1/query',
      labels: { destination_workload: 'reviews-v2', destination_workload_namespace: 'default' },
      latencyPercentiles: [95],
    });
    expect(spec.url).toBe('http://prom:9090/api/v1/query');
    const q = queries(spec);
    expect(Object.keys(q)).toEqual([
      'request-count',
      'error-count',
      'error-rate',
      'latency-mean',
      'latency',
      'latency-p95',
    ]);
    expect(q['error-count']).toContain('response_code=~"5.."');
    for (const [name, query] of Object.entries(q)) expect(checkPromql(query), name).toEqual([]);
    await expect(render('istio-prometheus', { labels: { response_code: '200' } })).rejects.toThrow(
      /should not contain response_code/,
    );
  });

  it('prometheus: metrics given as PromQL with $labels, $window and $elapsed', async () => {
    const spec = await render('prometheus', {
      labels: { app: 'web', version: 'v2' },
      metrics: [
        {
          name: 'error-rate',
          query:
            'sum(rate(http_requests_total{$labels,code=~"5.."}[$window])) / sum(rate(http_requests_total{$labels}[$window]))',
        },
        { name: 'uptime', query: 'time() - $elapsed', units: 's', type: 'counter' },
      ],
    });
    expect(queries(spec)).toEqual({
      'error-rate':
        'sum(rate(http_requests_total{app="web",version="v2",code=~"5.."}[600s])) / sum(rate(http_requests_total{app="web",version="v2"}[600s]))',
      uptime: 'time() - 600',
    });
    expect(spec.metrics[1]).toMatchObject({ units: 's', type: 'counter' });
    expect((await render('prometheus', {})).metrics).toEqual([]);
  });

  it('percentiles become quantiles on the decimal text, with no float noise', () => {
    expect([50, 75, 90, 95, 99, 99.9, 5, 0.5, 100, '99.90'].map(percentileToQuantile)).toEqual([
      '0.5',
      '0.75',
      '0.9',
      '0.95',
      '0.99',
      '0.999',
      '0.05',
      '0.005',
      '1',
      '0.999',
    ]);
    expect(() => percentileToQuantile(101)).toThrow(/\(0, 100\]/);
  });
});
