import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeBackendConnections } from '../../src/metrics/backend/http-query.js';
import { defaultQueryConcurrency } from '../../src/tasks/custommetrics/collect-metrics.js';
import { type LoopbackServer, sendJson, startServer } from '../metrics/backend/loopback-server.js';
import { runOneLoop } from '../support/run-one-loop.js';

const vector = (value: string) => ({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: {}, value: [1, value] }] },
});

/** `count` metrics per version; `shared` metrics ask the same query for every version. */
const template = `# canary-template: nunjucks
url: {{ url | dump }}
{%- if header %}
headers: {X-Tenant: {{ header | dump }}}
{%- endif %}
metrics:
{%- for m in range(0, count) %}
- name: m{{ m }}
  params: [{name: query, value: {{ ("q" + m + "{version=\\"" + version + "\\"}") | dump }}}]
  jqExpression: .data.result[0].value[1] | tonumber
{%- endfor %}
{%- for m in range(0, shared or 0) %}
- name: shared{{ m }}
  params: [{name: query, value: {{ ("shared" + m) | dump }}}]
  jqExpression: .data.result[0].value[1] | tonumber
{%- endfor %}
`;

const servers: LoopbackServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await closeBackendConnections();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function runWith(withBlock: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-cmq-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 't.njk'), template);
  await writeFile(
    path.join(dir, 'e.yaml'),
    `apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: cmq}\nspec:\n  tasks:\n    - task: custommetrics\n      with:\n${withBlock}`,
  );
  return runOneLoop(dir);
}

/**
 * A backend that holds every answer until `bound` requests wait together (or all that are left), then
 * waits a moment more, so that a client sending more than `bound` at once shows it, and answers them.
 */
async function holdingServer(bound: number, total: number) {
  const state = { inFlight: 0, maxInFlight: 0, answered: 0 };
  const held: Array<() => void> = [];
  let releasing = false;
  const server = await startServer((request, response) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    held.push(() => {
      state.inFlight--;
      state.answered++;
      sendJson(
        response,
        200,
        vector(String(new URL(request.url, 'http://x').searchParams.get('query')?.length)),
      );
    });
    if (!releasing && held.length === Math.min(bound, total - state.answered)) {
      releasing = true;
      setTimeout(() => {
        releasing = false;
        for (const send of held.splice(0)) send();
      }, 30);
    }
  });
  servers.push(server);
  return { server, state };
}

describe('custommetrics keeps its queries in flight within the bound', () => {
  for (const [label, bound, setting] of [
    ['concurrency: 3', 3, '        concurrency: 3\n'],
    [`the default (${defaultQueryConcurrency})`, defaultQueryConcurrency, ''],
  ] as const) {
    it(label, async () => {
      const count = 40; // 2 versions x 40 metrics: more than either bound
      const { server, state } = await holdingServer(bound, 2 * count);
      const record = await runWith(
        `        templates: {t: t.njk}\n        values: {url: "${server.url}/api/v1/query", count: ${count}}\n        versionValues: [{version: v0}, {version: v1}]\n${setting}`,
      );
      expect(record.tasks[0]!.status).toBe('completed');
      expect(server.requests).toHaveLength(2 * count);
      expect(state.maxInFlight).toBe(bound);
      const values = record.metrics.flatMap((m) => Object.values(m)).filter((v) => v.value !== null);
      expect(values).toHaveLength(2 * count);
    });
  }
});

describe('metrics that make the same request share one query', () => {
  it('a query without version labels is sent once for both versions; each version records it', async () => {
    const server = await startServer((request, response) =>
      sendJson(
        response,
        200,
        vector(new URL(request.url, 'http://x').searchParams.get('query') === 'shared0' ? '7' : '1'),
      ),
    );
    servers.push(server);
    const record = await runWith(
      `        templates: {t: t.njk}\n        values: {url: "${server.url}/api/v1/query", count: 2, shared: 1}\n        versionValues: [{version: v0}, {version: v1}]\n`,
    );
    const queries = server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('query')).sort();
    expect(queries).toEqual([
      'q0{version="v0"}',
      'q0{version="v1"}',
      'q1{version="v0"}',
      'q1{version="v1"}',
      'shared0',
    ]);
    for (const version of [0, 1]) {
      expect(record.metrics[version]!['t/shared0']).toMatchObject({ value: 7, query: 'shared0' });
      expect(record.metrics[version]!['t/m0']).toMatchObject({
        value: 1,
        query: `q0{version="v${version}"}`,
      });
    }
  });

  it('requests that differ in a header are both sent', async () => {
    const server = await startServer((_, response) => sendJson(response, 200, vector('1')));
    servers.push(server);
    const record = await runWith(
      `        templates: {t: t.njk}\n        values: {url: "${server.url}/api/v1/query", count: 0, shared: 1}\n        versionValues: [{header: a}, {header: b}]\n`,
    );
    expect(server.requests.map((r) => r.headers['x-tenant']).sort()).toEqual(['a', 'b']);
    expect(record.metrics.map((m) => m['t/shared0']?.value)).toEqual([1, 1]);
  });

  it('a failed shared query gives each metric the reason', async () => {
    const server = await startServer((_, response) =>
      sendJson(response, 400, { status: 'error', errorType: 'bad_data', error: 'no such thing' }),
    );
    servers.push(server);
    const record = await runWith(
      `        templates: {t: t.njk}\n        values: {url: "${server.url}/api/v1/query", count: 0, shared: 1}\n        versionValues: [{version: v0}, {version: v1}]\n        retries: 0\n`,
    );
    expect(server.requests).toHaveLength(1);
    for (const version of [0, 1])
      expect(record.metrics[version]!['t/shared0']!.reason).toMatch(
        /HTTP 400: Prometheus error \(bad_data\): no such thing/,
      );
  });
});
