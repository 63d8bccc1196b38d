import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOneLoop } from '../../support/run-one-loop.js';
import { sendJson, startServer, type LoopbackServer } from './loopback-server.js';

// Iter8 v0.14.10's testdata/custommetrics/test-request-body.tpl sends a GET with a body; Go sends it,
// with Content-Type application/json;charset=utf-8. Here the same template, pointed at loopback
// (not at an /api/v1/query path, whose queries validate checks as PromQL).

let server: LoopbackServer;
let dir: string;

beforeAll(async () => {
  server = await startServer((_, response) =>
    sendJson(response, 200, { status: 'success', data: { result: [{ value: [0, '42'] }] } }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-body-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it('sends a GET with a body, as Iter8 did, and records the value', async () => {
  await writeFile(
    path.join(dir, 'test-request-body.tpl'),
    `url: ${server.url}/database/query
provider: test-request-body
method: GET
metrics:
- name: request-count
  type: counter
  description: |
    Number of requests
  body: |
    example request body
  params:
  - name: query
    value: |
      example query parameter
  jqExpression: .data.result[0].value[1] | tonumber
`,
  );
  await writeFile(
    path.join(dir, 'e.yaml'),
    'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: body}\nspec:\n  tasks:\n' +
      '    - task: custommetrics\n      with:\n        templates: {test-request-body: {file: test-request-body.tpl}}\n',
  );
  const loop = await runOneLoop(dir);
  expect(loop.status, JSON.stringify(loop.tasks)).toBe('completed');
  expect(loop.metrics[0]!['test-request-body/request-count']).toMatchObject({ value: 42 });
  const seen = server.requests.map(({ method, url, headers, body }) => ({
    method,
    url,
    type: headers['content-type'],
    body,
  }));
  expect(seen).toEqual([
    {
      method: 'GET',
      url: '/database/query?query=example+query+parameter%0A',
      type: 'application/json;charset=utf-8',
      body: 'example request body\n',
    },
  ]);
});
