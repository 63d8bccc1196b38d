import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  GoInt,
  GoTemplateError,
  parseGoTemplate,
  renderGoTemplate,
} from '../../../src/metrics/go-template/index.js';
import { goldenRoot, readValues } from './golden-cases.js';

function captureError(run: () => unknown): GoTemplateError {
  try {
    run();
  } catch (error) {
    if (error instanceof GoTemplateError) return error;
    throw error;
  }
  throw new Error('expected a GoTemplateError');
}

const istioSource = readFileSync(join(goldenRoot, 'istio-basic.tpl'), 'utf8');

describe('parseGoTemplate', () => {
  it('reports syntax errors with Go wording, template name, line and column', () => {
    const error = captureError(() => parseGoTemplate('ok\n  {{ .a }x }}', 'provider template'));
    expect(error.message).toBe('template: provider template:2: unexpected "}" in operand');
    expect(error.phase).toBe('parse');
    expect(error.templateName).toBe('provider template');
    expect(error.line).toBe(2);
    expect(error.column).toBe(9);
    expect(error.reason).toBe('unexpected "}" in operand');
  });

  it('rejects unknown functions at parse time, like Go', () => {
    expect(captureError(() => parseGoTemplate('{{ foo 1 }}', 't')).message).toBe(
      'template: t:1: function "foo" not defined',
    );
  });

  it('names Sprig functions that canary does not implement instead of failing later', () => {
    expect(captureError(() => parseGoTemplate('{{ now }}', 't')).reason).toBe(
      'function "now" is not supported by canary',
    );
    expect(captureError(() => parseGoTemplate('{{ call .f }}', 't')).reason).toBe(
      'function "call" is not supported by canary',
    );
  });

  it('lists the templates a source defines', () => {
    expect(parseGoTemplate(istioSource, 'istio').templateNames().sort()).toEqual(['istio', 'labels']);
  });
});

describe('GoTemplate.execute', () => {
  it("surfaces Sprig's fail with Go's location and the bare message as reason", () => {
    const template = parseGoTemplate(istioSource, 'provider template');
    const error = captureError(() =>
      template.execute({ labels: { response_code: '200' }, elapsedTimeSeconds: new GoInt(1) }),
    );
    expect(error.phase).toBe('execute');
    expect(error.reason).toBe("labels should not contain 'response_code'");
    expect(error.message).toBe(
      'template: provider template:13:4: executing "labels" at <fail "labels should not contain \'response_code\'">: ' +
        "error calling fail: labels should not contain 'response_code'",
    );
    expect(error.templateName).toBe('labels');
    expect(error.line).toBe(13);
    expect(error.column).toBe(5);
  });

  it('parses once and renders many times with independent values', () => {
    const template = parseGoTemplate('{{ range $k, $v := .labels }}{{ $k }}={{ $v }};{{ end }}{{ .n }}', 't');
    expect(template.execute({ labels: { b: 1, a: 'x' }, n: new GoInt(3) })).toBe('a=x;b=1;3');
    expect(template.execute({ labels: {}, n: 2.5 })).toBe('2.5');
    expect(template.execute({})).toBe('<no value>');
  });

  it('treats GoInt as a Go int and plain numbers as float64, as Iter8 does', () => {
    const source = '{{ typeOf .e }} {{ typeOf .f }} {{ eq .e 30 }} {{ printf "%d|%v" .e .f }}';
    expect(renderGoTemplate(source, 't', { e: new GoInt(30), f: 30 })).toBe('int float64 true 30|30');
    expect(captureError(() => renderGoTemplate('{{ eq .f 30 }}', 't', { f: 30 })).reason).toBe(
      'error calling eq: incompatible types for comparison',
    );
  });

  it('renders the istio-style fixture into a provider spec with one metric per percentile', () => {
    const values = readValues(join(goldenRoot, 'istio-basic.values.json'));
    const text = parseGoTemplate(istioSource, 'istio').execute(values);
    const spec = parseYaml(text) as { url: string; metrics: { name: string; params: { value: string }[] }[] };
    expect(spec.url).toBe('http://prometheus.istio-system:9090/api/v1/query');
    expect(spec.metrics.map((m) => m.name)).toEqual([
      'request-count',
      'error-rate',
      'latency-p50',
      'latency-p75',
      'latency-p90',
      'latency-p95',
      'latency-p99.9',
    ]);
    expect(spec.metrics[0]?.params[0]?.value).toContain(
      '  app="httpbin",\n  destination_workload="httpbin-v2",',
    );
    expect(spec.metrics[0]?.params[0]?.value).toContain('}[300s]))');
  });

  it('renders a 150-line template with 4 percentiles in well under a millisecond', () => {
    const source = istioSource + '\n'.repeat(Math.max(0, 150 - istioSource.split('\n').length));
    const template = parseGoTemplate(source, 'perf');
    const values = {
      labels: { app: 'httpbin', version: 'v2', namespace: 'default' },
      latencyPercentiles: [50, 75, 90, 95],
      elapsedTimeSeconds: new GoInt(120),
    };
    for (let i = 0; i < 100; i++) template.execute(values);
    const runs = 500;
    const start = performance.now();
    for (let i = 0; i < runs; i++) template.execute(values);
    const perRender = (performance.now() - start) / runs;
    expect(perRender).toBeLessThan(1);
  });
});
