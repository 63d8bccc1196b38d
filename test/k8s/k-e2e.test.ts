/**
 * The seed's flow against the fake API server, with the real parts everywhere else: `k launch` the
 * seed command itself (ready on an InferenceService, custommetrics with the seed's gist template,
 * assess with the seed's three SLOs) as a CronJob, then three cron ticks of the in-pod path, each
 * after load on the two model revisions that a real Prometheus scrapes; then `k assert --slos`,
 * `k report`, `k log`, and `k delete`, after which nothing of the group is left.
 *
 * These machines cannot fetch the gist: its URL is served from canary's template cache (offline),
 * seeded with an Iter8-style template for the same series.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import KAssert from '../../src/cli/commands/k/assert.js';
import KDelete from '../../src/cli/commands/k/delete.js';
import KLaunch from '../../src/cli/commands/k/launch.js';
import KLog from '../../src/cli/commands/k/log.js';
import KReport from '../../src/cli/commands/k/report.js';
import KRun from '../../src/cli/commands/k/run.js';
import { groupLabels, groupSelector } from '../../src/k8s/group-names.js';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { startModelServer } from '../../src/model-server/start-model-server.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';
import type { PrometheusServer } from '../support/prometheus.js';
import { runCommand, type CommandResult } from './run-command.js';
import { prefillSeedTemplate, readySklearnIris, sendIrisLoad, startScrapedIris } from './scraped-iris.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';

const requestsPerTick = 20;

let cluster: FakeCluster;
let prometheus: PrometheusServer;
let models: Awaited<ReturnType<typeof startModelServer>>;
let cacheDir: string;
const saved = {
  KUBECONFIG: process.env.KUBECONFIG,
  POD_NAME: process.env.POD_NAME,
  CANARY_CACHE_DIR: process.env.CANARY_CACHE_DIR,
  CANARY_OFFLINE: process.env.CANARY_OFFLINE,
};

beforeAll(async () => {
  ({ models, prometheus } = await startScrapedIris());
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'canary-cache-'));
  await prefillSeedTemplate(cacheDir);
  process.env.CANARY_CACHE_DIR = cacheDir;
  process.env.CANARY_OFFLINE = '1';
  cluster = await startFakeCluster();
  // The pod's tasks (ready) find the cluster through the environment, as in a pod.
  process.env.KUBECONFIG = cluster.kubeconfig;
  cluster.api.set(readySklearnIris);
}, 60_000);

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await cluster?.stop();
  await prometheus?.stop();
  await models?.stop();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

/** Runs a command class in-process against the fake cluster. */
function run(command: Parameters<typeof runCommand>[0], argv: string[]): Promise<CommandResult> {
  return runCommand(command, argv, cluster.kubeconfig);
}

const group = 'seed';

/** The seed command, unchanged but for where its Prometheus is (the template's default is in-cluster). */
function seedSets(): string[] {
  return [...ITER8_SEED_SETS, `custommetrics.values.prometheusURL=${prometheus.queryUrl}`].flatMap((set) => [
    '--set',
    set,
  ]);
}

/** Traffic between ticks: each revision answers `requestsPerTick` predictions, and Prometheus sees them. */
async function sendLoad(total: number): Promise<void> {
  await sendIrisLoad({ models, prometheus }, requestsPerTick, total, [
    [6.8, 2.8, 4.8, 1.4],
    [6.0, 3.4, 4.5, 1.6],
  ]);
}

/** One cron tick: the CronJob's pod (here a Pod object the test makes) runs `canary k run`. */
async function tick(n: number): Promise<string> {
  const pod = `canary-${group}-2900000${n}-x${n}y${n}z`;
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, namespace: 'default', labels: groupLabels(group) },
    spec: { containers: [{ name: 'canary', image: 'canary:test' }] },
    status: { phase: 'Running', startTime: new Date().toISOString() },
  });
  await sendLoad(2 * requestsPerTick * n);
  process.env.POD_NAME = pod;
  const result = await run(KRun, ['-g', group]);
  expect(result.code).toBe(0);
  // What the pod wrote is its log.
  cluster.api.setPodLog('default', pod, result.stderr);
  cluster.api.mutate({ apiVersion: 'v1', kind: 'Pod', name: pod, namespace: 'default' }, (object) => {
    (object['status'] as { phase: string }).phase = 'Succeeded';
  });
  return pod;
}

describe('the seed flow in a (fake) cluster', () => {
  it('launch, three cron ticks, assert, report, log, delete', async () => {
    const launched = await run(KLaunch, [...seedSets(), '-g', group]);
    expect(launched.stderr).toBe('');
    expect(launched.code).toBe(0);
    expect(launched.stdout).toContain(`launched group "${group}"`);
    expect(
      cluster.api.get({ apiVersion: 'batch/v1', kind: 'CronJob', name: `canary-${group}` }),
    ).toMatchObject({
      spec: { schedule: '*/1 * * * *' },
    });

    const pods = [await tick(1), await tick(2), await tick(3)];

    const assert = await run(KAssert, ['-g', group, '--slos', '--completed', '--nofailure']);
    expect(assert.stdout).toContain('✔ slos: all 6 satisfied');
    expect(assert.code).toBe(0);

    const report = JSON.parse((await run(KReport, ['-g', group, '-o', 'json'])).stdout) as {
      loops: number;
      verdict: string;
      latestLoop: { loop: number };
      versions: Array<{ metrics: Record<string, number> }>;
    };
    expect(report).toMatchObject({ loops: 3, verdict: 'pass', latestLoop: { loop: 3 } });
    // Prometheus holds every request the three ticks sent, per revision.
    for (const version of report.versions) {
      expect(version.metrics['kserve-prometheus/request-count']).toBe(3 * requestsPerTick);
      expect(version.metrics['kserve-prometheus/error-count']).toBe(0);
      expect(version.metrics['kserve-prometheus/latency-p90']).toBeLessThanOrEqual(40);
    }
    const text = await run(KReport, ['-g', group]);
    expect(text.stdout).toContain('kserve-prometheus/latency-p90');

    const log = await run(KLog, ['-g', group]);
    expect(log.code).toBe(0);
    const headings = log.stdout.split('\n').filter((line) => line.startsWith('=== '));
    expect(headings).toHaveLength(3);
    pods.forEach((pod, i) => {
      expect(headings[i]).toContain(`=== loop ${i + 1} · pod ${pod} (Succeeded)`);
    });
    expect(log.stdout).toContain('loop 2 recorded in secret default/canary-seed-results');

    const deleted = await run(KDelete, ['-g', group]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted group "${group}"`);
    await expectNothingLeft();
    const gone = await run(KAssert, ['-g', group, '--slos']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no results for group "seed"');
  });
});

async function expectNothingLeft(): Promise<void> {
  const config = loadKubeClient({ env: cluster.env }).config;
  const core = config.makeApiClient(CoreV1Api);
  const batch = config.makeApiClient(BatchV1Api);
  const rbac = config.makeApiClient(RbacAuthorizationV1Api);
  const query = { namespace: 'default', labelSelector: groupSelector(group) };
  const left = [
    ...(await core.listNamespacedSecret(query)).items,
    ...(await core.listNamespacedPod(query)).items,
    ...(await core.listNamespacedServiceAccount(query)).items,
    ...(await batch.listNamespacedCronJob(query)).items,
    ...(await batch.listNamespacedJob(query)).items,
    ...(await rbac.listNamespacedRole(query)).items,
    ...(await rbac.listNamespacedRoleBinding(query)).items,
  ].map((o) => o.metadata?.name);
  expect(left).toEqual([]);
}
