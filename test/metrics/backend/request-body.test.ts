import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runOneLoop } from '../../support/run-one-loop.js';

// Iter8 v0.14.10's testdata/custommetrics/test-request-body.tpl sends a GET with a body; Go sends it,
// with Content-Type application/json;charset=utf-8. Here the same template, pointed at loopback
// (not at an /api/v1/query path, whose queries validate checks as PromQL).

const seen: Array<{ method: string; url: string; type: string | undefined; body: string }> = [];
let server: http.Server;
let dir: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        type: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'success', data: { result: [{ value: [0, '42'] }] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-body-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

it('sends a GET with a body, as Iter8 did, and records the value', async () => {
  const { port } = server.address() as AddressInfo;
  await writeFile(
    path.join(dir, 'test-request-body.tpl'),
    `url: http://127.0.0.1:${port}/database/query
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
  expect(seen).toEqual([
    {
      method: 'GET',
      url: '/database/query?query=example+query+parameter%0A',
      type: 'application/json;charset=utf-8',
      body: 'example request body\n',
    },
  ]);
});
