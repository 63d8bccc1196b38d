import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';
import { runCli } from '../cli/cli-harness.js';
import { runOneLoop } from '../support/run-one-loop.js';

/** A loopback stand-in for Prometheus whose answer depends on the query text. */
let server: http.Server;
let url: string;
let refusedUrl: string;
const seenAuthorization: string[] = [];
const flakyCalls = new Map<string, number>();

function vector(value: string) {
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
  });
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const query = new URL(request.url!, 'http://x').searchParams.get('query') ?? '';
    seenAuthorization.push(request.headers.authorization ?? '');
    const send = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body);
    };
    if (query.startsWith('ok')) return send(200, vector(query.includes('v1') ? '2.25' : '3.5'));
    if (query === 'nan') return send(200, vector('NaN'));
    if (query === 'inf') return send(200, vector('+Inf'));
    if (query === 'empty')
      return send(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    if (query === 'bad')
      return send(
        400,
        JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }),
      );
    if (query === 'flaky') {
      const calls = (flakyCalls.get(query) ?? 0) + 1;
      flakyCalls.set(query, calls);
      return calls === 1 ? send(500, 'overloaded') : send(200, vector('7'));
    }
    if (query === 'html') return send(200, '<html>proxy login</html>');
    if (query === 'slow') return void setTimeout(() => send(200, vector('1')), 1500);
    return send(404, 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/query`;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/v1/query`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const cases = ['ok', 'nan', 'inf', 'empty', 'bad', 'flaky', 'html', 'slow'];

function faultTemplate(): string {
  return `# canary-template: nunjucks
url: {{ url | dump }}
metrics:
{%- for q in cases %}
- name: {{ q }}
  params:
  - name: query
    value: {{ (q + (suffix or "")) | dump }}
  jqExpression: .data.result[0].value[1] | tonumber
{%- endfor %}
`;
}

async function experimentDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-cm-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

function experimentYaml(withBlock: string): string {
  return `apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: cm}\nspec:\n  tasks:\n    - task: custommetrics\n      with:\n${withBlock}`;
}

describe('custommetrics records one outcome per metric and version, whatever the backend does', () => {
  it('values, no-value reasons, retries and timeouts', async () => {
    const dir = await experimentDir({
      'faults.njk': faultTemplate(),
      'e.yaml': experimentYaml(
        `        templates: {faults: faults.njk}\n        values: {url: "${url}", cases: [${cases.join(', ')}]}\n        timeout: 500ms\n        retries: 1\n`,
      ),
    });
    try {
      const record = await runOneLoop(dir);
      expect(record.tasks[0]!.status).toBe('completed');
      const metrics = record.metrics[0]!;
      expect(Object.keys(metrics).sort()).toEqual(cases.map((c) => `faults/${c}`).sort());
      expect(metrics['faults/ok']).toMatchObject({ value: 3.5, query: 'ok' });
      expect(metrics['faults/flaky']).toMatchObject({ value: 7 });
      expect(metrics['faults/nan']).toMatchObject({ value: null, reason: 'NaN' });
      expect(metrics['faults/inf']).toMatchObject({ value: null, reason: '+Inf' });
      expect(metrics['faults/empty']!.value).toBeNull();
      expect(metrics['faults/empty']!.reason).toMatch(/null|empty/);
      expect(metrics['faults/bad']!.reason).toMatch(
        /HTTP 400: Prometheus error \(bad_data\): parse error at char 3/,
      );
      expect(metrics['faults/html']!.reason).toMatch(/not JSON: <html>proxy login/);
      expect(metrics['faults/slow']!.reason).toMatch(/timeout/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unreachable backend: every metric says why, and the task could not run (exit 4)', async () => {
    const dir = await experimentDir({
      'faults.njk': faultTemplate(),
      'e.yaml': experimentYaml(
        `        templates: {faults: faults.njk}\n        values: {url: "${refusedUrl}", cases: [ok, nan]}\n        retries: 0\n`,
      ),
    });
    try {
      const record = await runOneLoop(dir);
      expect(record.tasks[0]!.status).toBe('error');
      expect(record.tasks[0]!.message).toMatch(
        /no metrics backend answered \(2 queries\): connection refused/,
      );
      expect(record.metrics[0]!['faults/ok']!.reason).toMatch(/connection refused/);
      expect(record.metrics[0]!['faults/nan']!.reason).toMatch(/connection refused/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('version values merge over shared values without leaking into the next version', async () => {
    const template = `# canary-template: nunjucks
url: {{ url | dump }}
metrics:
- name: q
  params:
  - name: query
    value: {{ ("ok{" + (labels | promql_labels) + "}") | dump }}
  jqExpression: .data.result[0].value[1] | tonumber
`;
    const dir = await experimentDir({
      't.njk': template,
      'e.yaml': experimentYaml(
        `        templates: {t: t.njk}\n        values: {url: "${url}", labels: {service: s, zone: a}}\n        versionValues:\n          - labels: {revision: r2, extra: only-v0}\n          - labels: {revision: 'r1"v1', zone: b}\n`,
      ),
    });
    try {
      const record = await runOneLoop(dir);
      expect(record.versions).toEqual(['version-0', 'version-1']);
      expect(record.metrics[0]!['t/q']!.query).toBe('ok{service="s",zone="a",revision="r2",extra="only-v0"}');
      // The quote in the revision name is escaped, and version 0's `extra` did not leak.
      expect(record.metrics[1]!['t/q']!.query).toBe('ok{service="s",zone="b",revision="r1\\"v1"}');
      expect(record.metrics[1]!['t/q']!.value).toBe(2.25);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('secret headers reach the backend but never the record', async () => {
    const dir = await experimentDir({
      'faults.njk': faultTemplate(),
      'e.yaml': experimentYaml(
        `        templates: {faults: faults.njk}\n        values: {url: "${url}", cases: [bad], suffix: ""}\n        auth: {bearer: {env: PROM_TOKEN}}\n`,
      ),
    });
    try {
      seenAuthorization.length = 0;
      const record = await runOneLoop(dir, { env: { PROM_TOKEN: 's3cr3t-token-value' } });
      expect(seenAuthorization).toContain('Bearer s3cr3t-token-value');
      expect(JSON.stringify(record)).not.toContain('s3cr3t-token-value');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('templates are checked when the experiment is validated', () => {
  async function diagnosticsFor(files: Record<string, string>): Promise<Diagnostic[]> {
    const dir = await experimentDir(files);
    try {
      return (await loadExperiment({ file: 'e.yaml', cwd: dir, env: {} })).diagnostics;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a PromQL typo names the template, its line and the metric', async () => {
    const template = `# canary-template: nunjucks\nurl: http://127.0.0.1:9/api/v1/query\nmetrics:\n- name: typo\n  params:\n  - name: query\n    value: "sum(rate(x[5m])"\n  jqExpression: .data.result[0].value[1]\n`;
    const diagnostics = await diagnosticsFor({
      't.njk': template,
      'e.yaml': experimentYaml('        templates: {t: t.njk}\n'),
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.path).toBe('spec.tasks[0].with.templates.t');
    expect(diagnostics[0]!.line).toBe(8);
    expect(diagnostics[0]!.message).toMatch(/^template t \(t\.njk:4\), metric typo, version 0: PromQL /);
  });

  it('a jq syntax error, an unknown builtin, a missing value and a bad provider spec', async () => {
    const jq = `# canary-template: nunjucks\nurl: http://127.0.0.1:9/api/v1/query\nmetrics:\n- name: m\n  params: [{name: query, value: "up"}]\n  jqExpression: ".data |"\n`;
    const missing = `# canary-template: nunjucks\nurl: {{ nowhere.url }}\nmetrics: []\n`;
    const shape = `# canary-template: nunjucks\nurl: http://127.0.0.1:9/\nmetrics:\n- name: m\n`;
    const diagnostics = await diagnosticsFor({
      'jq.njk': jq,
      'missing.njk': missing,
      'shape.njk': shape,
      'e.yaml': experimentYaml(
        '        templates: {jq: jq.njk, missing: missing.njk, shape: shape.njk, nope: "builtin:nope"}\n',
      ),
    });
    // Every broken template is reported, each at its own key.
    expect(diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      expect.stringMatching(
        /^spec\.tasks\[0\]\.with\.templates\.jq: template jq \(jq\.njk:4\), metric m, version 0: jqExpression: syntax error/,
      ),
      expect.stringMatching(
        /^spec\.tasks\[0\]\.with\.templates\.missing: template missing \(missing\.njk:2:6\), version 0: a value used here is not set$/,
      ),
      expect.stringMatching(
        /^spec\.tasks\[0\]\.with\.templates\.shape: template shape \(shape\.njk\), version 0: the rendered provider spec is invalid: metrics\.0: missing required key "jqExpression"$/,
      ),
      expect.stringMatching(
        /^spec\.tasks\[0\]\.with\.templates\.nope: template nope: no builtin template "nope"/,
      ),
    ]);
  });
});

describe('canary run --dry-run', () => {
  it('prints every rendered query per version, and no secret', async () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
    // The seed experiment, made to send a bearer token: the dry run must not show it.
    const text = (await readFile(path.join(root, 'experiments/sklearn-local.yaml'), 'utf8')).replace(
      '        templates:\n',
      '        auth: {bearer: {env: PROM_TOKEN}}\n        templates:\n',
    );
    expect(text).toContain('auth: {bearer: {env: PROM_TOKEN}}');
    const dir = await experimentDir({ 'e.yaml': text });
    const result = await runCli(['run', 'e.yaml', '--dry-run'], {
      cwd: dir,
      env: { PROM_TOKEN: 'never-printed-token' },
    });
    await rm(dir, { recursive: true, force: true });
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    const previews = output.previews.metrics as Array<{ version: number; queries: Record<string, string> }>;
    expect(previews.map((p) => p.version)).toEqual([0, 1]);
    expect(previews[0]!.queries['kserve-prometheus/latency-p90']).toContain(
      'revision_name="sklearn-iris-predictor-default-00002"',
    );
    expect(previews[1]!.queries['kserve-prometheus/latency-p90']).toContain(
      'revision_name="sklearn-iris-predictor-default-00001"',
    );
    expect(result.stdout).not.toContain('never-printed-token');
  });
});
