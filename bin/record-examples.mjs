#!/usr/bin/env node
// Records experiments/recorded/<experiment>.jsonl: a few loops of each example experiment, run for
// real against local servers (the model server, a local Prometheus when installed, the committed
// fixture), so `canary run X.yaml --replay experiments/recorded/X.jsonl` has real data to judge and
// test/replay checks that replay gives the verdicts the run gave. Some SLOs pass, some fail: the
// candidate is made slower than its latency SLO allows. Needs `npm run build` first.
//
//   node bin/record-examples.mjs            # every experiment it can record
//   node bin/record-examples.mjs demo       # only experiments/demo.yaml
//
// experiments/sklearn.yaml is not recorded: its ready task needs a Kubernetes cluster and its
// Prometheus is the in-cluster address. sklearn-local.yaml has the same assess task.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFromCli } from '../dist/cli/run-experiment-command.js';
import { hasPrometheus, startPrometheus, waitForTargets } from '../dist/demo/local-prometheus.js';
import { startModelServer } from '../dist/model-server/start-model-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const loops = 3;
/** Slower than the 25 ms mean latency the example SLOs allow, faster than their 40 ms p90. */
const candidateDelayMs = 30;
const output = {
  log: (line) => process.stderr.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

/** Each example and how to record it; `record(results)` runs it and appends its loops to `results`. */
const examples = {
  quickstart: (results) => run('quickstart', results, [`candidateDelayMs=${candidateDelayMs}`], { loops }),
  'sklearn-fixture': (results) => run('sklearn-fixture', results, [], { loops }),
  demo: (results) =>
    withModels(async ([baseline, candidate]) =>
      run(
        'demo',
        results,
        [
          `baselineUrl=${baseline.predictUrl}`,
          `candidateUrl=${candidate.predictUrl}`,
          'requests=40',
          `loops=${loops}`,
          'schedule=* * * * * *',
        ],
        {},
      ),
    ),
  'demo-grpc': (results) =>
    withModels(async ([baseline, candidate]) =>
      run(
        'demo-grpc',
        results,
        [
          `baselineHost=${baseline.grpcTarget}`,
          `candidateHost=${candidate.grpcTarget}`,
          'requests=40',
          `loops=${loops}`,
          'schedule=* * * * * *',
        ],
        {},
      ),
    ),
  'compare-revisions': (results) =>
    withModels(async ([baseline, candidate]) =>
      run(
        'compare-revisions',
        results,
        [
          `baselineUrl=${baseline.predictUrl}`,
          `candidateUrl=${candidate.predictUrl}`,
          'schedule=* * * * * *',
        ],
        {},
      ),
    ),
  'sklearn-local': async (results) => {
    if (!(await hasPrometheus())) {
      output.warn('skipped sklearn-local: `prometheus` is not installed');
      return;
    }
    const startingTime = new Date(Date.now() - 1000).toISOString();
    await withModels(async (versions) => {
      const prometheus = await startPrometheus({
        scrapeTargets: versions.map((v) => new URL(v.url).host),
        scrapeInterval: '1s',
      });
      try {
        await waitForTargets(prometheus, versions.length);
        // One loop per batch of load, each appended to the same file (one experiment, as a cron would).
        for (let loop = 0; loop < loops; loop++) {
          await Promise.all(versions.map((v) => sendRequests(v.predictUrl, 30)));
          await new Promise((resolve) => setTimeout(resolve, 2500)); // a scrape or two
          await run(
            'sklearn-local',
            results,
            [`prometheusURL=${prometheus.queryUrl}`, `startingTime=${startingTime}`],
            { loops: 1, keepFile: loop > 0 },
          );
        }
      } finally {
        await prometheus.stop();
      }
    });
  },
};

async function run(stem, results, sets, { loops: count, keepFile = false }) {
  if (!keepFile) await rm(results, { force: true });
  const code = await runFromCli(
    `experiments/${stem}.yaml`,
    {
      set: sets,
      'set-string': [],
      values: [],
      results: path.relative(root, results),
      fresh: false,
      ...(count !== undefined ? { loops: count } : {}),
      'dry-run': false,
      assert: true,
      quiet: true,
      'github-summary': false,
    },
    output,
  );
  output.warn(`${stem}: exit code ${code}`);
}

/** The demo's two revisions: 00001 the baseline, 00002 the candidate, slowed down. */
async function withModels(body) {
  const models = await startModelServer({
    versions: [
      { revisionName: 'sklearn-iris-predictor-default-00001', model: 'logistic-regression' },
      {
        revisionName: 'sklearn-iris-predictor-default-00002',
        model: 'decision-tree',
        delayMs: candidateDelayMs,
      },
    ],
  });
  try {
    return await body(models.versions);
  } finally {
    await models.stop();
  }
}

async function sendRequests(url, count) {
  for (let i = 0; i < count; i++) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [[6.8, 2.8, 4.8, 1.4]] }),
    });
    await response.arrayBuffer();
  }
}

process.chdir(root);
const wanted = process.argv.slice(2);
for (const [stem, record] of Object.entries(examples)) {
  if (wanted.length > 0 && !wanted.includes(stem)) continue;
  await record(path.join(root, 'experiments', 'recorded', `${stem}.jsonl`));
}
