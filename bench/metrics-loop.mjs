#!/usr/bin/env node
// One custommetrics loop of 2 versions x 50 metrics against a real local Prometheus:
// concurrent vs sequential (concurrency 1), and vs the slowest single query. Twice: straight to
// Prometheus (sub-millisecond answers), and through a loopback proxy that adds 20 ms per request,
// as a Prometheus across a network would.
// Run with `npm run bench:metrics` (builds first); `npm run bench` runs it with the others. Needs `prometheus` and `promtool` on the PATH.
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadExperiment } from '../dist/config/load-experiment.js';
import { runLoop } from '../dist/engine/run-loop.js';
import { queryBackend } from '../dist/metrics/backend/http-query.js';
import { interleave, median } from './lib/stats.mjs';

const run = promisify(execFile);
const metricsPerVersion = 50;
const rounds = Number(process.env.ROUNDS ?? 5);

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startPrometheus(root) {
  // 2 versions x 50 series, one sample every 15 s for the last 2 hours: real work per query.
  const now = Math.floor(Date.now() / 1000);
  const lines = ['# TYPE bench_requests counter'];
  for (let v = 0; v < 2; v++) {
    for (let m = 0; m < metricsPerVersion; m++) {
      for (let t = now - 7200; t <= now - 60; t += 15) {
        lines.push(`bench_requests_total{version="v${v}",metric="m${m}"} ${(t - now + 7200) * (m + 1)} ${t}`);
      }
    }
  }
  lines.push('# EOF');
  await writeFile(path.join(root, 'data.om'), `${lines.join('\n')}\n`);
  await run('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--quiet',
    path.join(root, 'data.om'),
    path.join(root, 'data'),
  ]);
  await writeFile(path.join(root, 'prometheus.yml'), 'global: {scrape_interval: 1m}\n');
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(root, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(root, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=error',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('prometheus did not start');
}

/** Forwards to Prometheus after a fixed delay: network latency without a network. */
async function startDelayProxy(target, delayMs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((request, response) => {
    setTimeout(() => {
      const upstream = http.request(
        `${target}${request.url}`,
        { method: request.method, headers: request.headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    }, delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        agent.destroy();
        server.close(r);
      }),
  };
}

const template = `# canary-template: nunjucks
url: {{ url | dump }}
metrics:
{%- for m in range(0, count) %}
- name: m{{ m }}
  params:
  - name: query
    value: {{ ("sum(rate(bench_requests_total{version=\\"" + version + "\\",metric=\\"m" + m + "\\"}[5m]))") | dump }}
  jqExpression: .data.result[0].value[1] | tonumber
{%- endfor %}
`;

function experiment(concurrency, url) {
  return `apiVersion: canary/v1
kind: Experiment
metadata: {name: bench}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: {bench: bench.njk}
        concurrency: ${concurrency}
        values: {count: ${metricsPerVersion}, url: "${url}/api/v1/query"}
        versionValues: [{version: v0}, {version: v1}]
`;
}

async function timeLoop(dir, file) {
  const loaded = await loadExperiment({ file, cwd: dir, values: {}, env: {} });
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.diagnostics));
  const started = process.hrtime.bigint();
  const record = await runLoop({
    plan: loaded.plan,
    registry: loaded.registry,
    loop: 1,
    experimentHash: 'x',
    experimentDir: dir,
    experimentStart: new Date(),
    env: {},
    values: {},
    signal: new AbortController().signal,
    observers: [],
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const values = record.metrics.flatMap((m) => Object.values(m)).filter((v) => v.value !== null).length;
  if (values !== 2 * metricsPerVersion)
    throw new Error(
      `expected ${2 * metricsPerVersion} values, got ${values}: ${JSON.stringify(record.tasks)}`,
    );
  return ms;
}

async function slowestSingleQuery(url) {
  let slowest = 0;
  for (let v = 0; v < 2; v++) {
    for (let m = 0; m < metricsPerVersion; m++) {
      const started = process.hrtime.bigint();
      await queryBackend(
        {
          url: `${url}/api/v1/query`,
          method: 'GET',
          headers: {},
          params: [
            { name: 'query', value: `sum(rate(bench_requests_total{version="v${v}",metric="m${m}"}[5m]))` },
          ],
        },
        { timeoutMs: 10_000, retries: 0 },
      );
      slowest = Math.max(slowest, Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return slowest;
}

async function measure(root, url, label) {
  await writeFile(path.join(root, 'sequential.yaml'), experiment(1, url));
  await writeFile(path.join(root, 'concurrent.yaml'), experiment(16, url));
  await timeLoop(root, 'concurrent.yaml'); // warm up Prometheus, jq and connections
  const samples = await interleave(
    {
      sequential: () => timeLoop(root, 'sequential.yaml'),
      concurrent: () => timeLoop(root, 'concurrent.yaml'),
      slowest: () => slowestSingleQuery(url),
    },
    rounds,
  );
  const s = median(samples.sequential);
  const c = median(samples.concurrent);
  const q = median(samples.slowest);
  return [
    {
      benchmark: `metrics loop, ${label}: 2 versions x ${metricsPerVersion} metrics, concurrency 16 vs 1`,
      measured: `${c.toFixed(1)} ms`,
      baseline: `sequential: ${s.toFixed(1)} ms`,
      ratio: s / c,
      goal: '>= 10x speed-up',
      met: s / c >= 10,
    },
    {
      benchmark: `metrics loop, ${label}: loop vs slowest single query`,
      measured: `${c.toFixed(1)} ms`,
      baseline: `slowest query: ${q.toFixed(1)} ms`,
      ratio: c / q,
      goal: '<= 1.5x',
      met: c / q <= 1.5,
    },
  ];
}

/** Both scenarios against one real local Prometheus: straight, and 20 ms away through a proxy. */
export async function measureMetricsLoop() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'canary-bench-'));
  const { url, child } = await startPrometheus(root);
  const proxy = await startDelayProxy(url, 20);
  try {
    await writeFile(path.join(root, 'bench.njk'), template);
    return [
      ...(await measure(root, url, 'local Prometheus')),
      ...(await measure(root, proxy.url, 'Prometheus 20 ms away')),
    ];
  } finally {
    await proxy.close();
    child.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib/table.mjs');
  printTable(await measureMetricsLoop());
}
