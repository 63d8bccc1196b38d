#!/usr/bin/env node
// History benchmarks: what a long-running experiment costs as its result file grows.
//  - append: opening the result file and appending one loop record, at loop 1 vs at loop 10,000
//    (goal <= 2x; opening the writer checks every line since the crash-safety work, see README);
//  - report: `canary report -o json` over a 10,000-loop file, wall time and peak RSS of the process
//    (goal <= 1 s and <= 150 MB), with the same report over 1 loop as the baseline;
//  - cluster store: the encoded (gzipped JSON) in-cluster store after 10,000 loops (goal < 1 MiB).
//
//   npm run build && node bench/history/history.mjs [--loops 10000] [--rounds 9]
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { appendHeader, appendLoop, emptyStore } from '../../dist/results/cluster-store.js';
import { encodeStore, secretLimitBytes } from '../../dist/results/cluster-store-codec.js';
import { ResultWriter } from '../../dist/results/result-file.js';
import { interleave, median } from '../lib/stats.mjs';
import { headerRecord, loopRecord, resultLines } from './loop-records.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function writeResultFile(file, loops) {
  const out = createWriteStream(file);
  for (const line of resultLines(loops)) {
    if (!out.write(`${line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  await finished(out);
  // On disk before timing starts, so the first timed append does not flush 90 MB of dirty pages.
  const handle = await open(file, 'r+');
  await handle.sync();
  await handle.close();
}

/**
 * Milliseconds to open the writer and append the next loop; the lock is released after. Opening a
 * file checks every line (a damaged file is refused before anything is appended) unless the writer
 * that closed it last left a stamp and nothing changed the file since; `unstamped` times the full
 * check, as after another program wrote the file.
 */
async function timeAppend(file, { unstamped = false } = {}) {
  if (unstamped)
    await rm(path.join(process.env.CANARY_CACHE_DIR, 'result-checks'), { recursive: true, force: true });
  const started = performance.now();
  const writer = await ResultWriter.open(file);
  await writer.append(loopRecord(writer.lastLoop + 1));
  const ms = performance.now() - started;
  await writer.close();
  return ms;
}

/** Wall ms and peak RSS (MB) of `canary report -o json` in its own process. */
function timeReport(file, format = 'json') {
  const args = ['bin/run.js', 'report', '-o', format, '--results', file];
  const timeBin = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = timeBin
    ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, ...args], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 1 << 26,
      })
    : spawnSync(
        process.execPath,
        [
          '--import',
          'data:text/javascript,process.on("exit",()=>process.stderr.write(`\\n${process.resourceUsage().maxRSS}`))',
          ...args,
        ],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`canary report exited ${result.status}: ${result.stderr}`);
  const last = result.stderr.toString().trim().split('\n').at(-1).split(' ').map(Number);
  // CPU seconds (user + system) say what an idle machine's wall time would be; /usr/bin/time only.
  const cpuMs = last.length === 3 ? (last[0] + last[1]) * 1000 : undefined;
  return { ms, cpuMs, rssMb: last.at(-1) / 1024 };
}

function clusterStoreBytes(loops) {
  let store = appendHeader(emptyStore(), headerRecord());
  for (let n = 1; n <= loops; n++) store = appendLoop(store, loopRecord(n)).store;
  return encodeStore(store).length;
}

export async function measureHistory({ loops = 10_000, rounds = 9 } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-bench-history-'));
  const savedCacheDir = process.env.CANARY_CACHE_DIR;
  process.env.CANARY_CACHE_DIR = path.join(dir, 'cache'); // tail stamps, see timeAppend
  try {
    const small = path.join(dir, 'one.jsonl');
    const large = path.join(dir, 'many.jsonl');
    await writeResultFile(small, 1);
    await writeResultFile(large, loops);
    const largeMb = (await stat(large)).size / 1e6;
    // Appends change the files; the report reads copies of the originals.
    const reportSmall = path.join(dir, 'report-one.jsonl');
    const reportLarge = path.join(dir, 'report-many.jsonl');
    await copyFile(small, reportSmall);
    await copyFile(large, reportLarge);

    const appendSamples = await interleave(
      {
        first: () => timeAppend(small),
        late: () => timeAppend(large),
        unstamped: () => timeAppend(large, { unstamped: true }),
      },
      rounds * 2,
    );
    const reports = await interleave(
      { one: async () => timeReport(reportSmall), many: async () => timeReport(reportLarge) },
      Math.max(3, Math.ceil(rounds / 2)),
    );
    const first = median(appendSamples.first);
    const late = median(appendSamples.late);
    const unstamped = median(appendSamples.unstamped);
    const oneMs = median(reports.one.map((r) => r.ms));
    const manyMs = median(reports.many.map((r) => r.ms));
    const manyRss = median(reports.many.map((r) => r.rssMb));
    const manyCpu =
      reports.many[0].cpuMs === undefined ? undefined : median(reports.many.map((r) => r.cpuMs));
    const storeBytes = clusterStoreBytes(loops);
    return [
      {
        benchmark: `history: append a loop at loop ${loops} (file ${largeMb.toFixed(0)} MB)`,
        measured: `${late.toFixed(2)} ms`,
        baseline: `at loop 2: ${first.toFixed(2)} ms`,
        ratio: late / first,
        goal: '<= 2.0x',
        met: late / first <= 2,
      },
      {
        benchmark: `history (reference): the same append when the file was not stamped (full check)`,
        measured: `${unstamped.toFixed(2)} ms`,
        baseline: `at loop 2: ${first.toFixed(2)} ms`,
        ratio: unstamped / first,
        goal: '',
        met: undefined,
      },
      {
        benchmark: `history: canary report -o json, ${loops} loops`,
        measured: `${manyMs.toFixed(0)} ms${manyCpu === undefined ? '' : ` (CPU ${manyCpu.toFixed(0)} ms)`}, ${manyRss.toFixed(0)} MB RSS`,
        baseline: `1 loop: ${oneMs.toFixed(0)} ms`,
        ratio: manyMs / oneMs,
        goal: '<= 1 s, <= 150 MB',
        met: manyMs <= 1000 && manyRss <= 150,
      },
      {
        benchmark: `history: cluster store after ${loops} loops (gzipped)`,
        measured: `${(storeBytes / 1024).toFixed(1)} KiB`,
        baseline: `Secret limit: ${secretLimitBytes / 1024} KiB`,
        ratio: storeBytes / secretLimitBytes,
        goal: '< 1 MiB',
        met: storeBytes < secretLimitBytes,
      },
    ];
  } finally {
    if (savedCacheDir === undefined) delete process.env.CANARY_CACHE_DIR;
    else process.env.CANARY_CACHE_DIR = savedCacheDir;
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { loops: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '9' } },
  });
  const rows = await measureHistory({ loops: Number(values.loops), rounds: Number(values.rounds) });
  const { printTable } = await import('../lib/table.mjs');
  printTable(rows);
}
