#!/usr/bin/env node
// One custommetrics loop of 2 versions x 50 metrics against a real local Prometheus: concurrent (the
// task's default concurrency) vs sequential (concurrency 1), and vs the slowest single query. Twice:
// straight to Prometheus (sub-millisecond answers), and through a loopback proxy, in its own process,
// that adds 20 ms per request, as a Prometheus across a network would. Informative rows: CPU time per
// query on each side and the speed-up 2 cores allow, a bare undici client sending the same requests,
// and other concurrency settings 20 ms away.
// Run with `npm run bench:metrics` (builds first); `npm run bench` runs it with the others. Needs `prometheus` and `promtool` on the PATH.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadExperiment } from '../dist/config/load-experiment.js';
import { runLoop } from '../dist/engine/run-loop.js';
import { request as undiciRequest, Agent } from 'undici';
import { defaultQueryConcurrency } from '../dist/tasks/custommetrics/collect-metrics.js';
import { queryBackend } from '../dist/metrics/backend/http-query.js';
import { startDelayProxy } from './lib/delay-proxy.mjs';
import { interleave, median } from './lib/stats.mjs';

const run = promisify(execFile);
const metricsPerVersion = 50;
const rounds = Number(process.env.ROUNDS ?? 5);
const warmUps = 3;

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
${concurrency === undefined ? '' : `        concurrency: ${concurrency}\n`}        values: {count: ${metricsPerVersion}, url: "${url}/api/v1/query"}
        versionValues: [{version: v0}, {version: v1}]
`;
}

/** Wall time of one loop (the experiment is loaded before the clock starts); `cpu` gets its CPU time. */
async function timeLoop(dir, file, cpu) {
  const loaded = await loadExperiment({ file, cwd: dir, values: {}, env: {} });
  if (!loaded.plan) throw new Error(JSON.stringify(loaded.diagnostics));
  const prometheusBefore = cpu ? await processCpuMs(cpu.prometheusPid) : 0;
  const own = process.cpuUsage();
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
  if (cpu) {
    const used = process.cpuUsage(own);
    cpu.canaryMs += (used.user + used.system) / 1000;
    cpu.prometheusMs += (await processCpuMs(cpu.prometheusPid)) - prometheusBefore;
    cpu.loops++;
  }
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
        // as the loop sends it: default timeout and retries, under a signal
        { timeoutMs: 10_000, retries: 2, signal: new AbortController().signal },
      );
      slowest = Math.max(slowest, Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  return slowest;
}

/** CPU seconds a process has used so far (Linux), or NaN where /proc is missing. */
async function processCpuMs(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
const clockTicks = 100; // USER_HZ on Linux

/** The loop's 100 requests from a bare undici client at `concurrency`: what the client side could be. */
async function bareClientLoop(url, concurrency) {
  const agent = bareAgents.get(url) ?? bareAgents.set(url, new Agent()).get(url);
  const started = process.hrtime.bigint();
  let next = 0;
  const total = 2 * metricsPerVersion;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        const query = `sum(rate(bench_requests_total{version="v${i % 2}",metric="m${i >> 1}"}[5m]))`;
        const response = await undiciRequest(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, {
          dispatcher: agent,
        });
        JSON.parse(await response.body.text());
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const bareAgents = new Map();

async function measure(root, url, label, { prometheusPid, remote }) {
  const concurrent = defaultQueryConcurrency;
  await writeFile(path.join(root, 'sequential.yaml'), experiment(1, url));
  await writeFile(path.join(root, 'concurrent.yaml'), experiment(undefined, url));
  await writeFile(path.join(root, 'c16.yaml'), experiment(16, url));
  await writeFile(path.join(root, 'c100.yaml'), experiment(100, url));
  // Warm up Prometheus, connections and the JIT alike for every variant.
  for (let i = 0; i < warmUps; i++) {
    await timeLoop(root, 'concurrent.yaml');
    await timeLoop(root, 'sequential.yaml');
    await bareClientLoop(url, concurrent);
  }
  // CPU time of canary's own process and of Prometheus over the concurrent loops only
  const cpu = { prometheusPid, canaryMs: 0, prometheusMs: 0, loops: 0 };
  const variants = {
    sequential: () => timeLoop(root, 'sequential.yaml'),
    concurrent: () => timeLoop(root, 'concurrent.yaml', cpu),
    slowest: () => slowestSingleQuery(url),
    bare: () => bareClientLoop(url, concurrent),
    ...(remote ? { c16: () => timeLoop(root, 'c16.yaml'), c100: () => timeLoop(root, 'c100.yaml') } : {}),
  };
  const samples = await interleave(variants, rounds);
  const s = median(samples.sequential);
  const c = median(samples.concurrent);
  const q = median(samples.slowest);
  const b = median(samples.bare);
  const queries = 2 * metricsPerVersion;
  const canaryPerQuery = cpu.canaryMs / cpu.loops / queries;
  const prometheusPerQuery = cpu.prometheusMs / cpu.loops / queries;
  const cores = os.availableParallelism();
  // With both processes busy on every core, no schedule beats (their CPU time) / cores.
  const floor = ((canaryPerQuery + prometheusPerQuery) * queries) / cores;
  const rows = [
    {
      benchmark: `metrics loop, ${label}: 2 versions x ${metricsPerVersion} metrics, concurrency ${concurrent} (default) vs 1`,
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
    {
      benchmark: `metrics loop, ${label} (reference): bare undici client, the same ${queries} requests at ${concurrent}`,
      measured: `${c.toFixed(1)} ms`,
      baseline: `bare client: ${b.toFixed(1)} ms`,
      ratio: c / b,
      goal: '',
      met: undefined,
    },
  ];
  if (!remote) {
    rows.push({
      benchmark: `metrics loop, ${label} (reference): CPU per query, canary + Prometheus; ${cores} cores allow at most`,
      measured: `${canaryPerQuery.toFixed(3)} + ${prometheusPerQuery.toFixed(3)} ms`,
      baseline: `loop >= ${floor.toFixed(1)} ms`,
      ratio: s / floor,
      goal: 'max speed-up',
      met: undefined,
    });
  } else {
    for (const [name, n] of [
      ['c16', 16],
      ['c100', 100],
    ]) {
      const m = median(samples[name]);
      rows.push({
        benchmark: `metrics loop, ${label} (reference): concurrency ${n} vs 1`,
        measured: `${m.toFixed(1)} ms`,
        baseline: `sequential: ${s.toFixed(1)} ms`,
        ratio: s / m,
        goal: `vs slowest query: ${(m / q).toFixed(2)}x`,
        met: undefined,
      });
    }
  }
  return rows;
}

/** Both scenarios against one real local Prometheus: straight, and 20 ms away through a proxy. */
export async function measureMetricsLoop() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'canary-bench-'));
  const { url, child } = await startPrometheus(root);
  const proxy = await startDelayProxy(url, 20);
  try {
    await writeFile(path.join(root, 'bench.njk'), template);
    return [
      ...(await measure(root, url, 'local Prometheus', { prometheusPid: child.pid, remote: false })),
      ...(await measure(root, proxy.url, 'Prometheus 20 ms away', {
        prometheusPid: child.pid,
        remote: true,
      })),
    ];
  } finally {
    await proxy.close();
    await Promise.all([...bareAgents.values()].map((agent) => agent.close()));
    bareAgents.clear();
    child.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import('./lib/table.mjs');
  printTable(await measureMetricsLoop());
}
