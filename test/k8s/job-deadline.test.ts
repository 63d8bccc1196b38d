import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import KAssert from '../../src/cli/commands/k/assert.js';
import KLog from '../../src/cli/commands/k/log.js';
import { groupLabels, groupNames, resultsKey } from '../../src/k8s/group-names.js';
import { encodeStore } from '../../src/results/cluster-store-codec.js';
import { emptyStore } from '../../src/results/cluster-store.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';
import { runCommand } from './run-command.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

/** A group whose Job ran out of time before its pod recorded a loop: an empty store, a failed Job. */
function putGroup(group: string, reason: string): void {
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: groupNames(group).resultsSecret, namespace: 'default', labels: groupLabels(group) },
    data: { [resultsKey]: encodeStore(emptyStore()).toString('base64') },
  });
  cluster.api.set({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: groupNames(group).workload, namespace: 'default', labels: groupLabels(group) },
    spec: { activeDeadlineSeconds: 960 },
    status: {
      conditions: [
        { type: 'Failed', status: 'True', reason, message: 'Job was active longer than specified deadline' },
      ],
    },
  });
}

describe('a Job stopped at its deadline', () => {
  it('k assert --timeout stops at once and says the Job hit its deadline', async () => {
    putGroup('slow', 'DeadlineExceeded');
    const result = await runCommand(
      KAssert,
      ['-g', 'slow', '--completed', '--timeout', '60s'],
      cluster.kubeconfig,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'job canary-slow hit its deadline of 960s (DeadlineExceeded: Job was active',
    );
    expect(result.stderr).toContain('--set activeDeadlineSeconds=N');
  });

  it('k log names the Job; a Job that failed otherwise is not called late', async () => {
    putGroup('late', 'DeadlineExceeded');
    const late = await runCommand(KLog, ['-g', 'late'], cluster.kubeconfig);
    expect(late.stdout).toContain('=== job canary-late hit its deadline of 960s');
    putGroup('broken', 'BackoffLimitExceeded');
    const broken = await runCommand(KLog, ['-g', 'broken'], cluster.kubeconfig);
    expect(broken.stdout).not.toContain('deadline');
    const assertBroken = await runCommand(
      KAssert,
      ['-g', 'broken', '--completed', '--timeout', '60s'],
      cluster.kubeconfig,
    );
    expect(assertBroken.stderr).not.toContain('deadline');
  });
});
