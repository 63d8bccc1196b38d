import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { escapeLabelValue, renderOpenMetrics } from '../../src/report/render-openmetrics.js';
import type { LoopRecord } from '../../src/results/records.js';
import { queryPrometheus, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { header, loopRecord } from '../results/fixtures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Label values that need every escape the spec has: backslash, quote, newline. */
const awkward = 'cand\\idate "b"\nline2';
const loop: LoopRecord = loopRecord(4, {
  end: '2024-05-01T10:00:02.500Z',
  versions: ['baseline', awkward],
  metrics: [
    { 'p/latency': { value: 3.25 }, 'p/errors': { value: 0 } },
    { 'p/latency': { value: 30 }, 'p/errors': { value: null, reason: 'NaN' } },
  ],
  slos: [
    { metric: 'p/latency', op: '<=', limit: 10, version: 0, value: 3.25, status: 'pass' },
    { metric: 'p/latency', op: '<=', limit: 10, version: 1, value: 30, status: 'fail' },
    { metric: 'p/errors', op: '<=', limit: null, version: 1, value: null, status: 'nodata', reason: 'NaN' },
    { metric: 'p/latency', op: '>=', limit: 1, version: 1, value: 30, status: 'insufficient-data' },
  ],
});
const text = renderOpenMetrics(
  buildReport({ file: 'x.jsonl', header: header(), loops: [loop], warnings: [] }),
);

function promtoolCheck(input: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

describe('canary report -o openmetrics', () => {
  it('escapes label values per the spec and ends with # EOF', () => {
    expect(escapeLabelValue(awkward)).toBe('cand\\\\idate \\"b\\"\\nline2');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain(
      'canary_metric_value{experiment="demo",version="baseline",metric="p/latency"} 3.25\n',
    );
    // A metric without a value has no sample; an SLO without a limit has no limit sample.
    expect(text).not.toMatch(/canary_metric_value\{[^}]*version="cand[^}]*metric="p\/errors"/);
    expect(text.match(/^canary_slo_limit/gm)).toHaveLength(3);
    expect(text).toContain('canary_loop_end_timestamp_seconds{experiment="demo"} 1714557602.5\n');
  });

  it('passes promtool check metrics without a lint problem', async () => {
    expect(await promtoolCheck(text)).toEqual({ code: 0, output: '' });
    // The check is real: a raw newline in a label value is refused.
    const broken = text.replace('\\nline2', '\nline2');
    expect((await promtoolCheck(broken)).code).not.toBe(0);
  });
});

describe('scraped by a real Prometheus (OpenMetrics parser)', () => {
  let server: Server;
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      });
      response.end(text);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeInterval: '1s' });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  type Vector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  async function query(expr: string): Promise<Vector['data']['result']> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = (await queryPrometheus(prometheus, expr)) as Vector;
      if (answer.data?.result?.length) return answer.data.result;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return [];
  }

  it('reads back every value with the escaped labels intact', async () => {
    const verdicts = await query('canary_slo_verdict');
    const byKey = Object.fromEntries(
      verdicts.map((r) => [`${r.metric.version}|${r.metric.metric}|${r.metric.op}`, Number(r.value[1])]),
    );
    expect(byKey).toEqual({
      'baseline|p/latency|<=': 1,
      [`${awkward}|p/latency|<=`]: 0,
      [`${awkward}|p/errors|<=`]: -1,
      [`${awkward}|p/latency|>=`]: -1,
    });
    const values = await query(`canary_metric_value{version=${JSON.stringify(awkward)}}`);
    expect(values.map((r) => [r.metric.metric, Number(r.value[1])])).toEqual([['p/latency', 30]]);
    const status = await query('canary_slo_status == 1');
    expect(status.map((r) => r.metric.status).sort()).toEqual([
      'fail',
      'insufficient-data',
      'nodata',
      'pass',
    ]);
    expect(Number((await query('canary_loop'))[0]?.value[1])).toBe(4);
  }, 30_000);

  it('the Grafana dashboard graphs exported series, and every panel query answers', async () => {
    const dashboard = JSON.parse(
      await readFile(path.join(root, 'docs/grafana/canary-dashboard.json'), 'utf8'),
    ) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) gauge$/gm)].map((m) => m[1]));
    const referenced = new Set<string>();
    expect(dashboard.panels.length).toBeGreaterThan(3);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\bcanary_[a-z_]+/g)].map((m) => m[0]);
        expect(names.length, expr).toBeGreaterThan(0);
        for (const name of names) {
          expect(exported, `${panel.title}: ${name}`).toContain(name);
          referenced.add(name);
        }
        const concrete = expr.replaceAll('$experiment', 'demo').replaceAll('$metric', '.*');
        expect((await query(concrete)).length, `${panel.title}: ${concrete}`).toBeGreaterThan(0);
      }
    }
    expect([...referenced].sort()).toEqual([...exported].sort());
  }, 60_000);
});
