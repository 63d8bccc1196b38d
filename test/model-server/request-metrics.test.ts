import { describe, expect, test } from 'vitest';
import { renderMetrics } from '../../src/model-server/render-metrics.js';
import { createRequestMetrics, knativeLatencyBucketsMs } from '../../src/model-server/request-metrics.js';
import { parsePrometheusText, samplesOf, valueOf } from './support/parse-prometheus-text.js';

const labels = {
  configuration_name: 'svc',
  container_name: 'queue-proxy',
  namespace_name: 'default',
  pod_name: 'svc-00001-deployment-local',
  revision_name: 'svc-00001',
  service_name: 'svc',
};

describe('request metrics', () => {
  test("Knative's latency buckets", () => {
    expect(knativeLatencyBucketsMs).toEqual([
      5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 400, 450, 500, 600, 700, 800, 900, 1000, 2000,
      5000, 10000, 20000, 50000, 100000,
    ]);
  });

  test('latencies are truncated to whole ms and bucketed as OpenCensus does (v < bound)', () => {
    const metrics = createRequestMetrics(labels);
    for (const ms of [0.4, 4.99, 5, 5.7, 59.9, 60, 250000]) metrics.record(200, ms);
    metrics.record(503, 12.9);
    const [ok, failed] = metrics.snapshot();
    expect(ok?.count).toBe(7);
    expect(ok?.sumMs).toBe(0 + 4 + 5 + 5 + 59 + 60 + 250000);
    const bucket = (le: number) => ok?.cumulativeBuckets[knativeLatencyBucketsMs.indexOf(le as never)];
    expect([bucket(5), bucket(10), bucket(60), bucket(80), bucket(100000)]).toEqual([2, 4, 5, 6, 6]);
    expect(failed?.labels).toMatchObject({ response_code: '503', response_code_class: '5xx' });
    expect(failed?.sumMs).toBe(12);
  });

  test('the exposition parses back to the same numbers, with every label', () => {
    const metrics = createRequestMetrics({ ...labels, pod_name: 'odd "pod"\\name\n' });
    metrics.record(200, 7);
    metrics.record(200, 30);
    metrics.record(400, 1);
    const text = renderMetrics(metrics.snapshot());
    const parsed = parsePrometheusText(text);
    expect(parsed.types.get('revision_app_request_count')).toBe('counter');
    expect(parsed.types.get('revision_app_request_latencies')).toBe('histogram');
    expect(valueOf(parsed, 'revision_app_request_count', { response_code: '200' })).toBe(2);
    expect(valueOf(parsed, 'revision_app_request_latencies_sum', { response_code: '200' })).toBe(37);
    expect(valueOf(parsed, 'revision_app_request_latencies_count', { response_code: '400' })).toBe(1);
    const buckets = samplesOf(parsed, 'revision_app_request_latencies_bucket', { response_code: '200' });
    expect(buckets.map((s) => s.labels.le)).toEqual([...knativeLatencyBucketsMs.map(String), '+Inf']);
    expect(buckets.map((s) => s.value).slice(0, 5)).toEqual([0, 1, 1, 2, 2]);
    const [first] = samplesOf(parsed, 'revision_app_request_count', { response_code: '400' });
    expect(first?.labels).toEqual({
      ...labels,
      pod_name: 'odd "pod"\\name\n',
      response_code: '400',
      response_code_class: '4xx',
    });
  });

  test('no requests, no series', () => {
    const parsed = parsePrometheusText(renderMetrics(createRequestMetrics(labels).snapshot()));
    expect(parsed.samples).toEqual([]);
  });
});
