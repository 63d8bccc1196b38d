#!/usr/bin/env node
// Start-up time of `canary validate experiments/sklearn.yaml` against a bare `node -e 0`, measured
// alternately in one run (the machine is shared and noisy): medians of wall time per spawn.
//
//   npm run build && node bench/startup/startup.mjs [--rounds 15] [--json]
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../lib/stats.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const variants = {
  node: [process.execPath, ['-e', '0']],
  validate: [process.execPath, ['bin/run.js', 'validate', 'experiments/sklearn.yaml']],
  // Reference points: what loading oclif alone costs, and oclif's start-up with canary's commands.
  oclif: [process.execPath, ['--input-type=module', '-e', "await import('@oclif/core')"]],
  version: [process.execPath, ['bin/run.js', '--version']],
};

/** Wall milliseconds of one spawn, which must exit 0. */
function time([command, args]) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

export async function measureStartup({ rounds = 15 } = {}) {
  for (const variant of Object.values(variants)) time(variant); // warm the file cache
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const names = Object.keys(variants);
    if (round % 2 === 1) names.reverse(); // neither always right after the other
    for (const name of names) samples[name].push(time(variants[name]));
  }
  const node = median(samples.node);
  const validate = median(samples.validate);
  const reference = (name, label) => ({
    benchmark: `start-up (reference): ${label}`,
    measured: `${median(samples[name]).toFixed(0)} ms`,
    baseline: `node -e 0: ${node.toFixed(0)} ms`,
    ratio: median(samples[name]) / node,
    goal: '',
    met: undefined,
  });
  return [
    {
      benchmark: 'start-up: canary validate experiments/sklearn.yaml',
      measured: `${validate.toFixed(0)} ms`,
      baseline: `node -e 0: ${node.toFixed(0)} ms`,
      ratio: validate / node,
      goal: '<= 2.0x',
      met: validate / node <= 2,
    },
    reference('oclif', "import('@oclif/core') alone"),
    reference('version', 'canary --version'),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
  const rows = await measureStartup({ rounds: Number(values.rounds) });
  const { printTable } = await import('../lib/table.mjs');
  printTable(rows);
}
