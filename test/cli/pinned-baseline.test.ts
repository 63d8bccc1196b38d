/**
 * Relative SLOs against a pinned loop, through the built CLI: the first run has no pin (nodata, exit 5),
 * `canary results pin 1 --as golden` names its loop, and later runs are held to 1.10 x its value.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const plugin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins/file-metrics.js');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-pinned-'));
  await writeFile(
    path.join(dir, 'pinned.yaml'),
    `apiVersion: canary/v1
kind: Experiment
metadata: {name: pinned}
spec:
  versions: [candidate]
  plugins: {file-metrics: ${JSON.stringify(plugin)}}
  tasks:
    - task: run
      with: {script: 'cp metrics.json "$CANARY_WORKDIR/m.json"'}
    - task: file-metrics
      with: {file: m.json, provider: app}
    - task: assess
      with:
        relative:
          baseline: {pinned: golden}
          SLOs:
            app/latency-mean: {maxIncrease: 10%}
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runWith(latencyMean: number) {
  await writeFile(
    path.join(dir, 'metrics.json'),
    JSON.stringify({ versions: [{ 'latency-mean': latencyMean }] }),
  );
  const result = await runCli(['run', 'pinned.yaml', '-q', '--results', 'r.jsonl'], { cwd: dir });
  const records = (await readFile(path.join(dir, 'r.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  return {
    code: result.code,
    verdict: records.filter((r) => r.kind === 'loop').at(-1).slos[0],
    stderr: result.stderr,
  };
}

describe('a relative SLO against a pinned loop', () => {
  it('follows the pin from run to run', async () => {
    const first = await runWith(20);
    expect(first.code, first.stderr).toBe(5);
    expect(first.verdict).toMatchObject({ status: 'nodata', gate: 'inconclusive' });
    expect(first.verdict.reason).toContain('canary results pin LOOP --as golden');

    const pin = await runCli(['results', 'pin', '1', '--as', 'golden', '-r', 'r.jsonl'], { cwd: dir });
    expect(pin.code, pin.stderr).toBe(0);

    const within = await runWith(21.5);
    expect(within.code, within.stderr).toBe(0);
    expect(within.verdict).toMatchObject({
      kind: 'relative',
      status: 'pass',
      value: 21.5,
      relative: { baseline: { pinned: 'golden', loop: 1 }, baselineValue: 20 },
    });
    expect(within.verdict.limit).toBeCloseTo(22, 9);

    const beyond = await runWith(23);
    expect(beyond.code).toBe(1);
    expect(beyond.verdict).toMatchObject({
      status: 'fail',
      relative: { baseline: { pinned: 'golden', loop: 1 } },
    });

    // The explanation names the pinned loop.
    const explain = await runCli(['assert', '--slos', '--explain', '--results', 'r.jsonl'], { cwd: dir });
    expect(explain.stdout).toContain('baseline loop 1 pinned as golden = 20');
  });
});

describe('failAfter across runs appending to one file', () => {
  it("counts the previous run's violation: the first run warns, the second fails", async () => {
    await writeFile(
      path.join(dir, 'streak.yaml'),
      `apiVersion: canary/v1
kind: Experiment
metadata: {name: streak}
spec:
  versions: [candidate]
  plugins: {file-metrics: ${JSON.stringify(plugin)}}
  tasks:
    - task: run
      with: {script: 'cp metrics.json "$CANARY_WORKDIR/m.json"'}
    - task: file-metrics
      with: {file: m.json, provider: app}
    - task: assess
      with:
        SLOs: {upper: {app/latency-mean: {limit: 10, failAfter: 2}}}
`,
    );
    await writeFile(path.join(dir, 'metrics.json'), JSON.stringify({ versions: [{ 'latency-mean': 20 }] }));
    const run = () => runCli(['run', 'streak.yaml', '-q', '--results', 's.jsonl'], { cwd: dir });
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const second = await run();
    expect(second.code, second.stderr).toBe(1);
    const loops = (await readFile(path.join(dir, 's.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((record) => record.kind === 'loop');
    expect(loops.map((loop) => [loop.iteration, loop.slos[0].gate, loop.slos[0].policy.streak])).toEqual([
      [1, 'warn', 1],
      [2, 'fail', 2],
    ]);
  });
});
