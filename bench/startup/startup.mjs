#!/usr/bin/env node
// Start-up time of `canary validate experiments/sklearn.yaml` against a bare `node -e 0`, measured
// alternately in one run (the machine is shared and noisy): medians of wall time per spawn. Each
// figure is measured on this Node and on Node 24 (tools/node24.mjs; the compile cache bin/run.js
// enables exists from 22.1), interleaved, and reported side by side.
//
//   npm run build && node bench/startup/startup.mjs [--rounds 15] [--json]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../lib/stats.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const variantsOn = (node) => ({
  node: [node, ['-e', '0']],
  validate: [node, ['bin/run.js', 'validate', 'experiments/sklearn.yaml']],
  // Reference points: what loading oclif alone costs, and oclif's start-up with canary's commands.
  oclif: [node, ['--input-type=module', '-e', "await import('@oclif/core')"]],
  version: [node, ['bin/run.js', '--version']],
});

/** Wall milliseconds of one spawn, which must exit 0. */
function time([command, args]) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const majorOf = (node) =>
  spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim();

export async function measureStartup({ rounds = 15 } = {}) {
  const { ensureNode24 } = await import('../../tools/node24.mjs');
  const nodes = [...new Set([process.execPath, ensureNode24()])];
  const variants = {};
  for (const node of nodes) {
    for (const [name, variant] of Object.entries(variantsOn(node)))
      variants[`${majorOf(node)}:${name}`] = variant;
  }
  for (const variant of Object.values(variants)) {
    time(variant); // warm the file cache (and the compile cache where there is one)
    time(variant);
  }
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(variants);
    if (round % 2 === 1) names.reverse(); // neither always right after the other
    for (const name of names) samples[name].push(time(variants[name]));
  }
  return nodes.flatMap((node) => {
    const major = majorOf(node);
    const at = (name) => median(samples[`${major}:${name}`]);
    const bare = at('node');
    const validate = at('validate');
    const reference = (name, label) => ({
      benchmark: `start-up (reference), node ${major}: ${label}`,
      measured: `${at(name).toFixed(0)} ms`,
      baseline: `node -e 0: ${bare.toFixed(0)} ms`,
      ratio: at(name) / bare,
      goal: '',
      met: undefined,
    });
    return [
      {
        benchmark: `start-up, node ${major}: canary validate experiments/sklearn.yaml`,
        measured: `${validate.toFixed(0)} ms`,
        baseline: `node -e 0: ${bare.toFixed(0)} ms`,
        ratio: validate / bare,
        goal: '<= 2.0x',
        met: validate / bare <= 2,
      },
      reference('oclif', "import('@oclif/core') alone"),
      reference('version', 'canary --version'),
    ];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
  const rows = await measureStartup({ rounds: Number(values.rounds) });
  const { printTable } = await import('../lib/table.mjs');
  printTable(rows);
}
