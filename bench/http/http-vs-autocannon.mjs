#!/usr/bin/env node
// Benchmark (not a test): canary's http task against autocannon on the same loopback server.
//
//   npm run build && node bench/http/http-vs-autocannon.mjs [--rounds 3] [--duration 5] [--connections 10]
//
// The server runs in a child process so that it and the load generator each get a core. Per scenario
// (no delay, fixed 10 ms delay) both tools run alternately, `rounds` times each, with the same connections
// and duration; the table shows medians and the median of the per-round ratios canary/autocannon.
//
// Latency: autocannon records whole milliseconds (it truncates), which says nothing about sub-millisecond
// loopback latencies. So autocannon's per-response times (its documented `response` event, float ms) are
// also recorded into a microsecond HDR histogram set up like canary's, and the ratios use those.
//
// The server also times every request itself (from its request event to the response handed to the
// socket) and reports its own percentiles after each run. What a client measures above that is the
// network and the client's own work; the reference rows compare how much each tool adds, which says
// which one is closer to the server's real latency when their percentiles differ.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import hdr from 'hdr-histogram-js';
import { httpTask } from '../../dist/tasks/http/http.js';
import { MetricBoard } from '../../dist/metrics/metric-board.js';
import { benchTaskContext } from '../lib/task-context.mjs';
import { serverStats, startServerChild, unpin } from '../lib/server-child.mjs';

const percentiles = [50, 90, 99];

if (process.argv[2] === '--server') {
  serve(Number(process.argv[3] ?? 0));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}

/**
 * The child: answers every request with a short body, after `delayMs` when it is not 0, and times each
 * (µs, request event to response end); on a `stats` message it sends its percentiles (ms) and resets.
 */
function serve(delayMs) {
  const body = Buffer.from('hello world');
  const headers = { 'content-type': 'text/plain', 'content-length': String(body.length) };
  const own = hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3 });
  const answer = (response, started) => {
    response.writeHead(200, headers);
    response.end(body);
    own.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
  };
  const server = http.createServer((_request, response) => {
    const started = performance.now();
    if (delayMs > 0) setTimeout(answer, delayMs, response, started);
    else answer(response, started);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (message) => {
    if (message !== 'stats') return;
    const at = (p) => Math.min(own.getValueAtPercentile(p), own.maxValue) / 1000;
    process.send({ stats: Object.fromEntries(percentiles.map((p) => [`p${p}`, at(p)])) });
    own.reset();
  });
  process.on('disconnect', () => process.exit(0));
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '10' },
      scenario: { type: 'string', multiple: true },
      pin: { type: 'boolean', default: false },
      'max-foreign': { type: 'string', default: '0.05' },
    },
  });
  await measureHttp({ ...values, print: true });
}

/**
 * Both tools against the same server per scenario; rows for the combined table (`bench/run-all.mjs`):
 * per scenario the throughput ratio and the p50/p90/p99 ratios canary/autocannon (medians of pairs).
 * Options as on the command line (strings), `print` for the detailed tables.
 */
export async function measureHttp(values) {
  values = { rounds: '3', duration: '5', connections: '10', 'max-foreign': '0.05', ...values };
  const rows = [];
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  values['max-foreign'] = Number(values['max-foreign']);
  const scenarios = [
    { name: 'no delay', delayMs: 0 },
    { name: '10 ms delay', delayMs: 10 },
  ].filter((s) => !values.scenario || values.scenario.includes(String(s.delayMs)));

  console.log(
    `# ${new Date().toISOString()} node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `${rounds} rounds x ${seconds}s, ${connections} connections`,
  );
  for (const scenario of scenarios) {
    const server = await startServerChild(fileURLToPath(import.meta.url), scenario.delayMs, values.pin);
    const url = `http://127.0.0.1:${server.port}/`;
    const settings = { url, seconds, connections };
    /** A run with the server's own percentiles for exactly its requests. */
    const measured = (run) => async () => {
      await serverStats(server.child);
      const result = await run(settings);
      return { ...result, server: await serverStats(server.child) };
    };
    // Untimed warm-up of both (JIT, connections, server), then alternate which goes first.
    await runCanary({ ...settings, seconds: 1 });
    await runAutocannon({ ...settings, seconds: 1 });
    const results = [];
    const disturbed = [];
    let discarded = 0;
    for (let round = 0; results.length < rounds && round < rounds * 4; round++) {
      const order =
        round % 2 === 0
          ? [measured(runCanary), measured(runAutocannon)]
          : [measured(runAutocannon), measured(runCanary)];
      const { result, share } = await withForeignLoad(server.child.pid, async () => [
        await order[0](),
        await order[1](),
      ]);
      const [canary, cannon] = round % 2 === 0 ? result : [result[1], result[0]];
      const line = `canary ${describe(canary)} | autocannon ${describe(cannon)}`;
      // A pair during which other processes used more than 5% of a core is not a fair comparison.
      if (share > values['max-foreign']) {
        discarded++;
        disturbed.push({ canary, cannon });
        console.log(`  discarded (others used ${(share * 100).toFixed(0)}% of a core): ${line}`);
        await sleep(3_000);
        continue;
      }
      results.push({ canary, cannon });
      console.log(`  round ${results.length}: ${line}`);
    }
    // On a machine that is never quiet, the disturbed pairs are all there is: use them, and say so.
    const everyPairDisturbed = results.length === 0;
    if (everyPairDisturbed) {
      console.log('  every pair was disturbed by other processes: the figures below use the disturbed pairs');
      results.push(...disturbed);
      discarded = 0;
    }
    if (discarded > 0) console.log(`  ${discarded} round(s) discarded for foreign load`);
    if (values.print) printTable(scenario.name, results);
    server.child.kill();
    rows.push(...summaryRows(scenario.name, results, discarded, connections, everyPairDisturbed));
  }
  if (values.pin) unpin();
  return rows;
}

/** Rows of the combined table: the ratios that have goals. */
function summaryRows(name, results, discarded, connections, everyPairDisturbed) {
  const ratio = (key) => median(results.map((r) => r.canary[key] / r.cannon[key]));
  const pairs = everyPairDisturbed
    ? `${results.length} pairs, all disturbed by other load`
    : `${results.length} pairs${discarded ? `, ${discarded} discarded` : ''}`;
  return [
    {
      benchmark: `http task vs autocannon, ${name}: throughput (${connections} conns, ${pairs})`,
      measured: `${median(results.map((r) => r.canary.rps)).toFixed(0)} req/s`,
      baseline: `autocannon: ${median(results.map((r) => r.cannon.rps)).toFixed(0)} req/s`,
      ratio: ratio('rps'),
      goal: '>= 1.0x',
      met: ratio('rps') >= 1,
    },
    ...percentiles.map((p) => ({
      benchmark: `http task vs autocannon, ${name}: p${p} latency`,
      measured: `${median(results.map((r) => r.canary[`p${p}`])).toFixed(3)} ms`,
      baseline: `autocannon: ${median(results.map((r) => r.cannon[`p${p}`])).toFixed(3)} ms`,
      ratio: ratio(`p${p}`),
      goal: '0.98x..1.02x',
      met: Math.abs(ratio(`p${p}`) - 1) <= 0.02,
    })),
    ...percentiles.map((p) => {
      // What each client measured above the server's own time for the same requests.
      const added = (side) => median(results.map((r) => r[side][`p${p}`] - r[side].server[`p${p}`]));
      const server = median(results.map((r) => r.canary.server[`p${p}`]));
      return {
        benchmark: `http task vs autocannon, ${name} (reference): p${p} above the server's own (${server.toFixed(3)} ms)`,
        measured: `+${added('canary').toFixed(3)} ms`,
        baseline: `autocannon: +${added('cannon').toFixed(3)} ms`,
        ratio: added('canary') / added('cannon'),
        goal: '',
        met: undefined,
      };
    }),
  ];
}

/**
 * CPU jiffies spent by everything except this process and the server child: other people's builds and
 * test runs on a shared machine. Undefined where /proc is missing (then no round is ever discarded).
 */
function foreignJiffies(serverPid) {
  try {
    const machine = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const own = (pid) => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime, stime
    };
    // user + nice + system; irq and softirq time of our own loopback traffic is left out.
    return machine[0] + machine[1] + machine[2] - own(process.pid) - own(serverPid);
  } catch {
    return undefined;
  }
}

/** Runs `body`, and says what share of one core other processes used meanwhile. */
async function withForeignLoad(serverPid, body) {
  const before = foreignJiffies(serverPid);
  const started = performance.now();
  const result = await body();
  const after = foreignJiffies(serverPid);
  const seconds = (performance.now() - started) / 1000;
  const share = before === undefined || after === undefined ? 0 : (after - before) / 100 / seconds;
  return { result, share };
}

async function sleep(ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wall time and this process's CPU time (user + system) around a run: the CPU is the load generator's. */
async function timed(run) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const { user, system } = process.cpuUsage(cpu);
  return { result, seconds: (performance.now() - started) / 1000, cpuMicros: user + system };
}

async function runCanary({ url, seconds, connections }) {
  const metrics = new MetricBoard();
  const context = benchTaskContext(metrics);
  const { seconds: elapsed, cpuMicros } = await timed(() =>
    // qps: 0 runs closed-loop, as autocannon does (the task's default is Iter8's 8 qps).
    httpTask.run({ url, duration: `${seconds}s`, connections, percentiles, qps: 0 }, context),
  );
  const value = (name) => metrics.get(0, `http/${name}`)?.value;
  const requests = value('request-count');
  if (value('error-count') !== 0) throw new Error(`canary saw ${value('error-count')} errors`);
  return {
    rps: requests / elapsed,
    requests,
    cpu: cpuMicros / requests,
    ...Object.fromEntries(percentiles.map((p) => [`p${p}`, value(`latency-p${p}`)])),
  };
}

async function runAutocannon({ url, seconds, connections }) {
  const histogram = hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: 3 });
  const {
    result,
    seconds: elapsed,
    cpuMicros,
  } = await timed(
    () =>
      new Promise((resolve, reject) => {
        const instance = autocannon({ url, connections, duration: seconds }, (error, res) =>
          error ? reject(error) : resolve(res),
        );
        instance.on('response', (_client, _status, _bytes, responseTimeMs) =>
          histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000))),
        );
      }),
  );
  if (result.errors || result.non2xx)
    throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`);
  const micros = (p) => Math.min(histogram.getValueAtPercentile(p), histogram.maxValue) / 1000;
  return {
    rps: result.requests.total / elapsed,
    requests: result.requests.total,
    cpu: cpuMicros / result.requests.total,
    ...Object.fromEntries(percentiles.map((p) => [`p${p}`, micros(p)])),
    // autocannon's own report, whole milliseconds.
    own: Object.fromEntries(percentiles.map((p) => [`p${p}`, result.latency[`p${p}`]])),
  };
}

function describe(r) {
  return (
    `${r.rps.toFixed(0)} req/s, ${r.cpu.toFixed(1)} cpu-us/req, ` +
    percentiles.map((p) => `p${p} ${r[`p${p}`].toFixed(3)}`).join(' ')
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable(name, results) {
  const rows = [
    ['throughput req/s', 'rps', '>= 1.00'],
    ['client CPU µs/request', 'cpu', '<= 1.00'],
    ...percentiles.map((p) => [`p${p} ms`, `p${p}`, '0.98..1.02']),
  ];
  console.log(`\n## ${name}\n`);
  console.log(
    '| metric | canary (median) | autocannon (median) | autocannon own, whole ms | ratio canary/autocannon: median (min..max) | goal |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const [label, key, goal] of rows) {
    const canary = median(results.map((r) => r.canary[key]));
    const cannon = median(results.map((r) => r.cannon[key]));
    const own = key === 'rps' || key === 'cpu' ? '' : String(median(results.map((r) => r.cannon.own[key])));
    const ratio = median(results.map((r) => r.canary[key] / r.cannon[key]));
    const digits = key === 'rps' ? 0 : key === 'cpu' ? 1 : 3;
    const ratios = results.map((r) => r.canary[key] / r.cannon[key]);
    const spread = `${Math.min(...ratios).toFixed(2)}..${Math.max(...ratios).toFixed(2)}`;
    console.log(
      `| ${label} | ${canary.toFixed(digits)} | ${cannon.toFixed(digits)} | ${own} | ${ratio.toFixed(3)} (${spread}) | ${goal} |`,
    );
  }
  console.log('');
}
