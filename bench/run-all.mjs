#!/usr/bin/env node
// Every benchmark in one run, then one table: benchmark, measured, baseline, ratio, goal, met?
// Each benchmark interleaves its measured variant and its baseline and reports medians, so the ratios
// hold up on a noisy shared machine better than absolute times do.
//
//   npm run bench                      # builds first
//   node bench/run-all.mjs [--only startup,history,scale,metrics,llm,grpc,http] [--quick]
//
// Each benchmark also runs alone: bench/startup/startup.mjs, bench/history/history.mjs,
// bench/scale/scale.mjs, bench/metrics-loop.mjs, bench/grpc/grpc-vs-bare-client.mjs,
// bench/http/http-vs-autocannon.mjs, bench/llm/llm-overhead.mjs.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { printTable } from './lib/table.mjs';

const { values } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
const quick = values.quick;

const benchmarks = {
  startup: async () => (await import('./startup/startup.mjs')).measureStartup({ rounds: quick ? 5 : 15 }),
  history: async () => (await import('./history/history.mjs')).measureHistory({ rounds: quick ? 3 : 9 }),
  scale: async () => (await import('./scale/scale.mjs')).measureScale({ rounds: quick ? 3 : 7 }),
  metrics: async () => (await import('./metrics-loop.mjs')).measureMetricsLoop(),
  llm: async () => (await import('./llm/llm-overhead.mjs')).measureLlm({ requests: quick ? 64 : 128 }),
  // Last: --pin moves this process to CPU 0 while they run (each undoes it at its end).
  grpc: async () =>
    (await import('./grpc/grpc-vs-bare-client.mjs')).measureGrpc({
      pin: true,
      rounds: quick ? 2 : 5,
      duration: quick ? 2 : 3,
    }),
  http: async () =>
    (await import('./http/http-vs-autocannon.mjs')).measureHttp({
      pin: true,
      rounds: quick ? '2' : '5',
      duration: quick ? '2' : '3',
    }),
};

const selected = values.only ? values.only.split(',') : Object.keys(benchmarks);
const unknown = selected.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}`,
  );
  process.exit(2);
}

const started = new Date();
const rows = [];
for (const name of selected) {
  console.error(`# ${name}...`);
  const begin = Date.now();
  rows.push(...(await benchmarks[name]()));
  console.error(`# ${name} took ${((Date.now() - begin) / 1000).toFixed(0)} s`);
}
const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
console.log(
  `\n${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores ` +
    `(${os.cpus()[0]?.model.trim() ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ` +
    `load average at the end ${load}\n`,
);
printTable(rows);
