/**
 * The seed's flow against the fake API server: `k launch` a seed-like experiment (ready on an
 * InferenceService, custommetrics from a loopback Prometheus, assess with the seed's three SLOs) as
 * a CronJob, run the in-pod path three times as three cron ticks, then `k assert --slos`,
 * `k report`, `k log`, and `k delete`, after which nothing of the group is left.
 *
 * The seed's template is a gist URL, which these machines cannot fetch: the same provider ships as
 * builtin:kserve-prometheus, pointed at the loopback Prometheus.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BatchV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import KAssert from '../../src/cli/commands/k/assert.js';
import KDelete from '../../src/cli/commands/k/delete.js';
import KLaunch from '../../src/cli/commands/k/launch.js';
import KLog from '../../src/cli/commands/k/log.js';
import KReport from '../../src/cli/commands/k/report.js';
import KRun from '../../src/cli/commands/k/run.js';
import { groupLabels, groupSelector } from '../../src/k8s/group-names.js';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { packageRoot } from '../../src/version.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';

let cluster: FakeCluster;
let prometheus: http.Server;
let prometheusUrl: string;
const saved = { KUBECONFIG: process.env.KUBECONFIG, POD_NAME: process.env.POD_NAME };

beforeAll(async () => {
  prometheus = http.createServer((request, response) => {
    const query = new URL(request.url!, 'http://x').searchParams.get('query') ?? '';
    const candidate = query.includes('-00001"');
    const value = query.includes('5xx')
      ? 0
      : query.startsWith('histogram_quantile')
        ? 31
        : query.includes('_sum')
          ? candidate
            ? 17.5
            : 12.25
          : 100;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, String(value)] }] },
      }),
    );
  });
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/api/v1/query`;
  cluster = await startFakeCluster();
  // The pod's tasks (ready) find the cluster through the environment, as in a pod.
  process.env.KUBECONFIG = cluster.kubeconfig;
  cluster.api.set({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: 'sklearn-iris', namespace: 'default' },
    spec: { predictor: { model: { modelFormat: { name: 'sklearn' } } } },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
});

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  prometheus.closeAllConnections();
  await new Promise((resolve) => prometheus.close(resolve));
  await cluster.stop();
});

/** Runs a command class in-process as the binary would, capturing its output and exit code. */
async function run(command: { run(argv: string[], root: string): Promise<unknown> }, argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const spies = [
    vi
      .spyOn(console, 'log')
      .mockImplementation((...args: unknown[]) => void stdout.push(`${args.join(' ')}\n`)),
    vi
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => void stderr.push(`${args.join(' ')}\n`)),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }),
  ];
  let code = 0;
  try {
    await command.run([...argv, '--kubeconfig', cluster.kubeconfig], packageRoot);
  } catch (error) {
    const exit = (error as { oclif?: { exit?: number } }).oclif?.exit;
    if (exit === undefined) throw error;
    code = exit;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const group = 'seed';

function seedSets(): string[] {
  return [
    'tasks={ready,custommetrics,assess}',
    'ready.isvc=sklearn-iris',
    'ready.timeout=180s',
    'custommetrics.templates.kserve-prometheus=builtin:kserve-prometheus',
    `custommetrics.values.prometheusURL=${prometheusUrl}`,
    'custommetrics.values.labels.service_name=sklearn-iris-predictor-default',
    'custommetrics.versionValues[0].labels.revision_name=sklearn-iris-predictor-default-00002',
    'custommetrics.versionValues[1].labels.revision_name=sklearn-iris-predictor-default-00001',
    'custommetrics.values.latencyPercentiles={50,75,90,95}',
    'assess.SLOs.upper.kserve-prometheus/error-count=0',
    'assess.SLOs.upper.kserve-prometheus/latency-mean=25',
    'assess.SLOs.upper.kserve-prometheus/latency-p90=40',
    'runner=cronjob',
    'cronjobSchedule=*/1 * * * *',
  ].flatMap((set) => ['--set', set]);
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
    expect(report.versions[1]!.metrics['kserve-prometheus/latency-mean']).toBe(17.5);
    expect(report.versions[0]!.metrics['kserve-prometheus/latency-p90']).toBe(31);
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
