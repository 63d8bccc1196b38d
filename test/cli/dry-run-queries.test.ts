import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { sendJson, startServer, type LoopbackServer } from '../metrics/backend/loopback-server.js';

// `run --dry-run` shows what the run sends: the same bytes (an Iter8 `value: |` query keeps its
// newline), at the times --at or --from/--to/--step give. A real loopback server sees the run's requests.

let server: LoopbackServer;
let dir: string;

const template = (url: string) => `url: ${url}
provider: p
method: GET
metrics:
- name: up
  type: gauge
  params:
  - name: query
    value: |
      sum(last_over_time(up{job="x"}[{{ .elapsedTimeSeconds }}s]))
  jqExpression: .data.result[0].value[1] | tonumber
- name: other
  type: gauge
  body: |
    {"q": 1}
  jqExpression: .data.result[0].value[1] | tonumber
`;

beforeAll(async () => {
  server = await startServer((_, response) =>
    sendJson(response, 200, { status: 'success', data: { result: [{ value: [0, '1'] }] } }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-dry-'));
  await writeFile(path.join(dir, 'p.tpl'), template(`${server.url}/api/v1/query`));
  await writeFile(
    path.join(dir, 'e.yaml'),
    'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: dry}\nspec:\n  tasks:\n' +
      '    - task: custommetrics\n      with:\n        templates: {p: {file: p.tpl}}\n' +
      '        values: {startingTime: "2026-01-01T00:00:00Z"}\n',
  );
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Preview {
  evaluationTime?: string;
  queries: Record<string, string>;
  requests: Record<string, { request: string; contentType?: string; body?: string }>;
}

async function dryRun(args: string[]): Promise<Preview[]> {
  const result = await runCli(['run', 'e.yaml', '--dry-run', ...args], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).previews.custommetrics as Preview[];
}

describe('run --dry-run', () => {
  it('with --at, previews the untrimmed query and the exact request the run then sends', async () => {
    const at = '2026-01-01T00:10:00Z';
    const [preview] = await dryRun(['--at', at]);
    expect(preview!.evaluationTime).toBe('2026-01-01T00:10:00.000Z');
    expect(preview!.queries['p/up']).toBe('sum(last_over_time(up{job="x"}[600s]))\n');
    const { request } = preview!.requests['p/up']!;
    expect(request).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?query=.*%5B600s%5D.*%0A&time=2026-01-01T00%3A10%3A00Z$/,
    );
    expect(preview!.requests['p/other']).toMatchObject({
      contentType: 'application/json;charset=utf-8',
      body: '{"q": 1}\n',
    });

    server.requests.length = 0;
    const run = await runCli(['run', 'e.yaml', '--at', at, '-q', '--results', 'r.jsonl'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const sent = server.requests.map((r) => `${r.method} ${new URL(r.url, 'http://h').search}`).sort();
    const previewed = Object.values(preview!.requests)
      .map((r) => `${r.request.split(' ')[0]} ${new URL(r.request.split(' ')[1]!).search}`)
      .sort();
    expect(sent).toEqual(previewed);
    expect(server.requests.find((r) => r.body !== '')).toMatchObject({
      method: 'GET',
      body: '{"q": 1}\n',
      headers: { 'content-type': 'application/json;charset=utf-8' },
    });
  });

  it('with --from/--to/--step, previews each loop at its own time', async () => {
    const previews = await dryRun([
      '--from',
      '2026-01-01T00:01:00Z',
      '--to',
      '2026-01-01T00:03:00Z',
      '--step',
      '1m',
    ]);
    expect(previews.map((p) => [p.evaluationTime, p.queries['p/up']])).toEqual([
      ['2026-01-01T00:01:00.000Z', 'sum(last_over_time(up{job="x"}[60s]))\n'],
      ['2026-01-01T00:02:00.000Z', 'sum(last_over_time(up{job="x"}[120s]))\n'],
      ['2026-01-01T00:03:00.000Z', 'sum(last_over_time(up{job="x"}[180s]))\n'],
    ]);
  });
});
