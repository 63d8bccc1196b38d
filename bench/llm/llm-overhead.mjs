#!/usr/bin/env node
// Benchmark (not a test): how far the llm task's TTFT and ITL lie above the emulated vLLM server's own
// timestamps, at 1, 16 and 64 concurrent streams.
//
//   npm run build && node bench/llm/llm-overhead.mjs [--requests 128] [--tokens 32]
//
// The server runs in a child process, so it and the client each get a core. Per concurrency the task
// sends `requests` streamed chat requests; the server records, per request, when its first token and
// each later token left (from the request's arrival), and the table compares the means. The client's
// TTFT also holds the loopback trip (request there, first token back), measured alone as the RTT of a
// small GET; the goal is the accuracy target: within 1 ms plus that round trip. Each
// concurrency sends at least 10 requests per stream: the first request of each stream also opens its
// connection, and 64 connects at once (on a loaded machine) would otherwise dominate the mean.
import { fork } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { llmTask } from '../../dist/tasks/llm/llm.js';
import { startLlmServer } from '../../dist/model-server/llm/llm-server.js';
import { MetricBoard } from '../../dist/metrics/metric-board.js';
import { benchTaskContext } from '../lib/task-context.mjs';

const firstTokenDelayMs = 40;
const tokenIntervalMs = 10;

if (process.argv[2] === '--server') {
  await serve();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '128' }, tokens: { type: 'string', default: '32' } },
  });
  const { printTable } = await import('../lib/table.mjs');
  printTable(await measureLlm({ requests: Number(values.requests), tokens: Number(values.tokens) }));
}

/** The child: one emulated revision; on `stats` it sends its mean first-token time and token gap, and resets. */
async function serve() {
  const server = await startLlmServer({ revisionName: 'bench', firstTokenDelayMs, tokenIntervalMs, seed: 1 });
  process.send({ url: server.url });
  process.on('message', async (message) => {
    if (message === 'stats') {
      const done = server.timings.filter((t) => !t.failed && Number.isFinite(t.endMs));
      const gaps = done.flatMap((t) => t.tokenTimesMs.slice(1).map((x, i) => x - t.tokenTimesMs[i]));
      process.send({ ttft: mean(done.map((t) => t.firstTokenMs)), itl: mean(gaps), count: done.length });
      server.timings.length = 0;
    } else if (message === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
}

export async function measureLlm({ requests = 128, tokens = 32 } = {}) {
  const child = fork(fileURLToPath(import.meta.url), ['--server'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const { url } = await next();
  const rows = [];
  try {
    const rtt = await roundTripMs(url);
    for (const concurrency of [1, 16, 64]) {
      const metrics = new MetricBoard();
      await llmTask.run(
        {
          url,
          maxTokens: tokens,
          numRequests: Math.max(requests, concurrency * 10),
          concurrency,
          prompts: ['bench'],
        },
        benchTaskContext(metrics, { taskId: 'llm', iteration: 1 }),
      );
      child.send('stats');
      const truth = await next();
      const ttft = metrics.get(0, 'llm/ttft-mean').value;
      const itl = metrics.get(0, 'llm/itl-mean').value;
      const goal = 1 + rtt;
      rows.push({
        benchmark: `llm TTFT mean, ${concurrency} stream(s)`,
        measured: `${ttft.toFixed(2)} ms (+${(ttft - truth.ttft).toFixed(2)})`,
        baseline: `server ${truth.ttft.toFixed(2)} ms`,
        ratio: ttft / truth.ttft,
        goal: `<= +${goal.toFixed(2)} ms (1 ms + RTT)`,
        met: ttft - truth.ttft <= goal,
      });
      rows.push({
        benchmark: `llm ITL mean, ${concurrency} stream(s)`,
        measured: `${itl.toFixed(2)} ms (${itl >= truth.itl ? '+' : ''}${(itl - truth.itl).toFixed(2)})`,
        baseline: `server ${truth.itl.toFixed(2)} ms`,
        ratio: itl / truth.itl,
        goal: `within ${goal.toFixed(2)} ms`,
        met: Math.abs(itl - truth.itl) <= goal,
      });
    }
  } finally {
    child.send('stop');
  }
  return rows;
}

/** Median round trip of a small GET on one keep-alive connection, ms. */
async function roundTripMs(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  for (let i = 0; i < 50; i++) {
    const start = performance.now();
    await new Promise((resolve, reject) =>
      http.get(`${url}/models`, { agent }, (r) => r.resume().on('end', resolve)).on('error', reject),
    );
    times.push(performance.now() - start);
  }
  agent.destroy();
  return times.sort((a, b) => a - b)[times.length >> 1];
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
