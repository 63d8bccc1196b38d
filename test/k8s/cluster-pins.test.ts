import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import KReport from '../../src/cli/commands/k/report.js';
import KResultsInvalidate from '../../src/cli/commands/k/results/invalidate.js';
import KResultsPin from '../../src/cli/commands/k/results/pin.js';
import KResultsUnpin from '../../src/cli/commands/k/results/unpin.js';
import { groupNames } from '../../src/k8s/group-names.js';
import { readGroupStore, type GroupTarget } from '../../src/k8s/group-results.js';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import { runInPod } from '../../src/k8s/run-in-pod.js';
import { fitStore } from '../../src/results/cluster-store-codec.js';
import { appendLoop, emptyStore } from '../../src/results/cluster-store.js';
import { pinInStore } from '../../src/results/cluster-store-marks.js';
import { packageRoot } from '../../src/version.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';
import { runCommand } from './run-command.js';
import { storeLoop } from './store-loop.js';

let cluster: FakeCluster;
let dir: string;
const group = 'pins';

beforeAll(async () => {
  cluster = await startFakeCluster();
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-cluster-pins-'));
});

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A run script reports the latency in `latency` (the test changes it between loops), the carried
 * file-metrics plugin records it, and a relative SLO judges it against the loop pinned as golden.
 */
async function launchPinnedExperiment(): Promise<void> {
  await copyFile(path.join(packageRoot, 'plugins/file-metrics.js'), path.join(dir, 'file-metrics.js'));
  const latencyFile = path.join(dir, 'latency');
  const file = path.join(dir, 'pinned.yaml');
  await writeFile(
    file,
    [
      'apiVersion: canary/v1',
      'kind: Experiment',
      'metadata: {name: pinned}',
      'spec:',
      '  plugins: {file-metrics: ./file-metrics.js}',
      '  tasks:',
      `    - run: 'echo "{\\"versions\\": [{\\"latency\\": $(cat ${latencyFile})}]}" > "$CANARY_WORKDIR/samples.json"'`,
      '    - task: file-metrics',
      '      with: {file: samples.json, provider: app}',
      '    - task: assess',
      '      with:',
      '        relative:',
      '          baseline: {pinned: golden}',
      "          SLOs: {'app/latency': {maxIncrease: 10%}}",
      '',
    ].join('\n'),
  );
  const warnings: string[] = [];
  await launchFromCli({
    file,
    flags: { set: ['runner=job'], 'set-string': [], values: [], group, 'dry-run': false },
    cwd: dir,
    env: cluster.env,
    output: { log: () => undefined, warn: (line) => warnings.push(line) },
  });
  expect(warnings.join('\n')).not.toMatch(/pins/);
}

function target(): GroupTarget {
  return { client: loadKubeClient({ env: cluster.env }), namespace: 'default', names: groupNames(group) };
}

async function loopWithLatency(latency: number, keep?: number) {
  await writeFile(path.join(dir, 'latency'), String(latency));
  const outcome = await runInPod({
    target: target(),
    env: { ...cluster.env, PATH: process.env.PATH, POD_NAME: `pod-${latency}` },
    signal: new AbortController().signal,
    log: () => undefined,
    ...(keep !== undefined ? { keep } : {}),
  });
  if (outcome.status !== 'recorded') throw new Error(outcome.reason);
  return outcome.record;
}

const k = (command: Parameters<typeof runCommand>[0], argv: string[]) =>
  runCommand(command, [...argv, '-g', group], cluster.kubeconfig);

describe('pins in the cluster store', () => {
  it('pins a loop, judges later loops against it in the pod, keeps it whole after folding, and reports it', async () => {
    await launchPinnedExperiment();
    const first = await loopWithLatency(10);
    expect(first.slos[0]).toMatchObject({ status: 'nodata' }); // nothing pinned yet

    expect((await k(KResultsPin, ['1', '--as', 'golden'])).stdout).toContain('pinned loop 1 as golden');

    const close = await loopWithLatency(10.5);
    expect(close.slos[0]).toMatchObject({ status: 'pass' });
    // keep=1 folds every earlier loop into the aggregates; the pinned one stays whole.
    const slow = await loopWithLatency(20, 1);
    expect(slow.slos[0]).toMatchObject({ status: 'fail' });
    const store = await readGroupStore(target(), AbortSignal.timeout(10_000));
    expect(store.loops.map((l) => l.loop)).toEqual([3]);
    expect(store.pins?.['golden']?.metrics[0]?.['app/latency']).toMatchObject({ value: 10 });
    const afterFold = await loopWithLatency(10.2, 1);
    expect(afterFold.slos[0]).toMatchObject({ status: 'pass' });

    const report = JSON.parse((await k(KReport, ['-o', 'json'])).stdout) as { pins?: Record<string, number> };
    expect(report.pins).toEqual({ golden: 1 });

    const refused = await k(KResultsInvalidate, ['1', '--reason', 'noisy']);
    expect(refused.code).toBe(2); // loop 1 is folded away: only its pin is whole
    const pinnedLatest = await k(KResultsPin, ['latest', '--as', 'recent']);
    expect(pinnedLatest.stdout).toContain('pinned loop 4 as recent');
    const invalidPinned = await k(KResultsInvalidate, ['4', '--reason', 'noisy']);
    expect(invalidPinned.code).toBe(2);
    expect(invalidPinned.stderr).toContain('loop 4 is pinned as recent');
    expect((await k(KResultsUnpin, ['recent'])).stdout).toContain('unpinned recent (loop 4)');
    expect((await k(KResultsInvalidate, ['4', '--reason', 'noisy'])).stdout).toContain(
      'loop 4 marked invalid: noisy',
    );
    const invalid = JSON.parse((await k(KReport, ['-o', 'json'])).stdout) as { invalidLoops?: unknown };
    expect(invalid.invalidLoops).toEqual([{ loop: 4, reason: 'noisy' }]);
    const unknown = await k(KResultsUnpin, ['nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('pins: golden');
  });

  it('the size budget folds loops but never a pinned one', () => {
    let store = emptyStore();
    for (let loop = 1; loop <= 200; loop++) store = appendLoop(store, storeLoop(loop), { keep: 500 }).store;
    store = pinInStore(store, 'store', '3', 'golden').store;
    const fitted = fitStore(store, 1200);
    expect(fitted.folded).toBeGreaterThan(0);
    expect(fitted.store.loops.some((l) => l.loop === 3)).toBe(false);
    expect(fitted.store.pins?.['golden']).toEqual(storeLoop(3));
  });
});
