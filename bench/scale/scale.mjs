#!/usr/bin/env node
// Scale of assessment: 100 versions x 100 metrics x every SLO kind, assessed by the assess task over a
// MetricBoard, then reported (10 loops of history) in every format. The baseline is the same work for
// 1 version, so the ratio shows how the cost grows: linear growth in versions gives ~100x.
//
//   npm run build && node bench/scale/scale.mjs [--versions 100] [--metrics 100] [--rounds 7]
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MetricBoard } from '../../dist/metrics/metric-board.js';
import { renderReport } from '../../dist/report/render-report.js';
import { assessTask } from '../../dist/tasks/assess/assess.js';
import { interleave, median } from '../lib/stats.mjs';
import { benchTaskContext } from '../lib/task-context.mjs';

/**
 * SLO kinds, one line each: how metric `name` (the i-th) gets an SLO of that kind in the assess input.
 * A new kind (e.g. relative limits) is one more line here.
 */
const sloKinds = {
  upper: (input, name, i) => ((input.SLOs.upper ??= {})[name] = 50 + (i % 50)),
  lower: (input, name, i) => ((input.SLOs.lower ??= {})[name] = i % 10),
};

const formats = ['text', 'json', 'markdown', 'html'];
const versionName = (v) => `v${v}`;
const metricName = (m) => `bench/metric-${m}`;

function assessInput(metrics) {
  const input = { SLOs: {} };
  for (let m = 0; m < metrics; m++) for (const add of Object.values(sloKinds)) add(input, metricName(m), m);
  return input;
}

function board(versions, metrics, loop) {
  const board = new MetricBoard();
  for (let v = 0; v < versions; v++) {
    for (let m = 0; m < metrics; m++) board.record(v, metricName(m), ((v * 31 + m * 17 + loop) % 100) + 0.5);
  }
  return board;
}

/** Runs the assess task over one loop's metrics; its verdicts. */
async function assess(input, versions, metricBoard) {
  const slos = [];
  await assessTask.run(
    input,
    benchTaskContext(metricBoard, {
      taskId: 'assess',
      experiment: { name: 'bench-scale' },
      versions: Array.from({ length: versions }, (_, v) => versionName(v)),
      experimentStart: new Date(0),
      slos,
    }),
  );
  return slos;
}

export async function history(versions, metrics, loops) {
  const input = assessInput(metrics);
  const names = Array.from({ length: versions }, (_, v) => versionName(v));
  const records = [];
  for (let loop = 1; loop <= loops; loop++) {
    const metricBoard = board(versions, metrics, loop);
    const at = new Date(Date.UTC(2026, 0, 1, 0, loop)).toISOString();
    records.push({
      kind: 'loop',
      loop,
      experimentHash: 'sha256:bench',
      experimentStart: new Date(Date.UTC(2026, 0, 1)).toISOString(),
      start: at,
      end: at,
      durationMs: 1000,
      status: 'completed',
      versions: names,
      tasks: [{ id: 'assess', task: 'assess', status: 'completed', durationMs: 1 }],
      metrics: metricBoard.toJSON(versions),
      slos: await assess(input, versions, metricBoard),
    });
  }
  return {
    file: 'bench.jsonl',
    header: {
      kind: 'header',
      format: 'canary.result/v1',
      tool: { name: 'canary', version: '0.1.0' },
      created: records[0].experimentStart,
      experimentHash: 'sha256:bench',
      firstLoop: 1,
      experiment: {
        apiVersion: 'canary/v1',
        kind: 'Experiment',
        metadata: { name: 'bench-scale' },
        spec: { versions: names, tasks: [{ task: 'assess', with: input }] },
      },
    },
    loops: records,
    warnings: [],
  };
}

/** Milliseconds per call of `work`, repeated until at least ~20 ms have passed (small cases are fast). */
async function perCall(work) {
  let calls = 0;
  const started = performance.now();
  do {
    await work();
    calls++;
  } while (performance.now() - started < 20);
  return (performance.now() - started) / calls;
}

export async function measureScale({ versions = 100, metrics = 100, loops = 10, rounds = 7 } = {}) {
  const cases = { small: 1, large: versions };
  const prepared = {};
  for (const [name, count] of Object.entries(cases)) {
    prepared[name] = {
      count,
      input: assessInput(metrics),
      board: board(count, metrics, 1),
      history: await history(count, metrics, loops),
    };
  }
  const expected = versions * metrics * Object.keys(sloKinds).length;
  const verdicts = (await assess(prepared.large.input, versions, prepared.large.board)).length;
  if (verdicts !== expected) throw new Error(`expected ${expected} verdicts, got ${verdicts}`);

  const work = { assess: (c) => assess(c.input, c.count, c.board) };
  for (const format of formats) work[`report -o ${format}`] = (c) => renderReport(c.history, format);
  const rows = [];
  const kinds = Object.keys(sloKinds).join(' + ');
  for (const [label, run] of Object.entries(work)) {
    const samples = await interleave(
      { small: () => perCall(() => run(prepared.small)), large: () => perCall(() => run(prepared.large)) },
      rounds,
    );
    const small = median(samples.small);
    const large = median(samples.large);
    const ratio = large / small;
    rows.push({
      benchmark: `scale: ${label}, ${versions} versions x ${metrics} metrics x ${kinds}${label === 'assess' ? '' : `, ${loops} loops`}`,
      measured: `${large.toFixed(1)} ms`,
      baseline: `1 version: ${small.toFixed(2)} ms`,
      ratio,
      // Linear in versions is ~`versions`x; allow 1.5 times that before calling it worse than linear.
      goal: `<= ${(versions * 1.5).toFixed(0)}x (linear: ${versions}x)`,
      met: ratio <= versions * 1.5,
    });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      versions: { type: 'string', default: '100' },
      metrics: { type: 'string', default: '100' },
      loops: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '7' },
    },
  });
  const rows = await measureScale({
    versions: Number(values.versions),
    metrics: Number(values.metrics),
    loops: Number(values.loops),
    rounds: Number(values.rounds),
  });
  const { printTable } = await import('../lib/table.mjs');
  printTable(rows);
}
