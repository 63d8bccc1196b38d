import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import KDelete from '../../src/cli/commands/k/delete.js';
import { CanaryError, UsageError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { deleteFromCli, type DeleteFlags } from '../../src/k8s/delete-group.js';
import { clearDiscoveryCache } from '../../src/k8s/discovery.js';
import { groupLabels, resultsKey } from '../../src/k8s/group-names.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import { packageRoot } from '../../src/version.js';
import {
  startFakeCluster,
  writeKubeconfig,
  type FakeCluster,
  type KubeObject,
} from '../support/fake-kube-api/index.js';

/** A CronJob whose ready task reads in namespace "apps", so the group has RBAC there too. */
const EXPERIMENT = [
  'tasks={ready,http}',
  'ready.deploy=web',
  'ready.namespace=apps',
  'http.url=http://web.apps:8080',
  'runner=cronjob',
  'cronjobSchedule=*/5 * * * *',
];

const API_VERSIONS: Record<string, string> = {
  Secret: 'v1',
  ServiceAccount: 'v1',
  Pod: 'v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

let cluster: FakeCluster;

beforeEach(async () => {
  clearDiscoveryCache();
  cluster = await startFakeCluster();
});

afterEach(async () => {
  await cluster.stop();
});

const ref = (kind: string, name: string, namespace = 'default') => ({
  apiVersion: API_VERSIONS[kind]!,
  kind,
  name,
  namespace,
});

async function launch(group: string, namespace = 'default', sets = EXPERIMENT): Promise<void> {
  await launchFromCli({
    flags: { set: sets, 'set-string': [], values: [], group, namespace, 'dry-run': false },
    cwd: process.cwd(),
    env: cluster.env,
    output: { log: () => undefined, warn: () => undefined },
  });
}

async function remove(flags: Partial<DeleteFlags> = {}, env = cluster.env): Promise<string> {
  const out: string[] = [];
  await deleteFromCli({
    flags: { group: 'default', all: false, ...flags },
    env,
    output: { log: (text) => out.push(text) },
  });
  return out.join('\n');
}

/** Every object in the fake cluster, as `Kind namespace/name`. */
async function inventory(): Promise<string[]> {
  const found: string[] = [];
  for (const [kind, apiVersion] of Object.entries(API_VERSIONS)) {
    const plural = {
      Secret: 'secrets',
      ServiceAccount: 'serviceaccounts',
      Pod: 'pods',
      Role: 'roles',
      RoleBinding: 'rolebindings',
      Job: 'jobs',
      CronJob: 'cronjobs',
    }[kind]!;
    const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
    const response = await fetch(`${cluster.api.url}${prefix}/${plural}`, {
      headers: { authorization: `Bearer ${cluster.api.token}` },
    });
    const list = (await response.json()) as { items: KubeObject[] };
    for (const item of list.items) found.push(`${kind} ${item.metadata.namespace}/${item.metadata.name}`);
  }
  return found.sort();
}

/** What the CronJob controller and the Job controller would have made after one tick. */
function simulateTick(group: string, namespace = 'default'): void {
  const cronJob = cluster.api.get(ref('CronJob', `canary-${group}`, namespace))!;
  const job = cluster.api.set({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `canary-${group}-29000000`,
      namespace,
      labels: groupLabels(group),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cronJob.metadata.name,
          uid: cronJob.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: { template: { spec: { containers: [{ name: 'canary', image: 'x' }], restartPolicy: 'Never' } } },
  });
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `canary-${group}-29000000-abcde`,
      namespace,
      labels: { ...groupLabels(group), 'job-name': job.metadata.name },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.metadata.name,
          uid: job.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'canary', image: 'x' }] },
  });
}

describe('canary k delete', () => {
  it('removes every object of the group, and nothing else', async () => {
    // Neighbours that must survive: another group, the same group launched from another
    // namespace (its RBAC in "apps" carries the same labels), and a plain Secret.
    await launch('other');
    await launch('default', 'team-b');
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'unrelated', namespace: 'default' },
      data: {},
    });
    const untouched = await inventory();

    await launch('default');
    simulateTick('default');
    // An orphan pod (its Job deleted with propagation Orphan some time ago) is still the group's.
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'canary-default-orphan', namespace: 'default', labels: groupLabels('default') },
      spec: { containers: [{ name: 'canary', image: 'x' }] },
    });
    expect((await inventory()).length).toBeGreaterThan(untouched.length + 8);

    const report = await remove();
    expect(await inventory()).toEqual(untouched);
    expect(report.split('\n')).toEqual([
      `deleted group "default" from namespace "default" (context "fake", ${cluster.api.url}):`,
      '  cronjob.batch/canary-default with its Jobs and their pods',
      '  pod/canary-default-orphan',
      '  rolebinding.rbac.authorization.k8s.io/canary-default',
      '  role.rbac.authorization.k8s.io/canary-default',
      '  serviceaccount/canary-default',
      '  secret/canary-default-experiment',
      '  secret/canary-default-results',
      '  rolebinding.rbac.authorization.k8s.io/canary-default.default (namespace apps)',
      '  role.rbac.authorization.k8s.io/canary-default.default (namespace apps)',
    ]);
  });

  it('deletes Jobs with their pods (propagation Background)', async () => {
    await launch('default', 'default', ['tasks={http}', 'http.url=http://x:1', 'runner=job']);
    const job = cluster.api.get(ref('Job', 'canary-default'))!;
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'canary-default-xyz12',
        namespace: 'default',
        labels: groupLabels('default'),
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid },
        ],
      },
      spec: { containers: [{ name: 'canary', image: 'x' }] },
    });
    const report = await remove();
    expect(report).toContain('job.batch/canary-default with its pods');
    expect(cluster.api.get(ref('Pod', 'canary-default-xyz12'))).toBeUndefined();
    const deletes = cluster.api.requests.filter((r) => r.method === 'DELETE' && r.url.includes('/jobs/'));
    expect(deletes.length).toBeGreaterThan(0);
    for (const request of deletes) expect(request.url).toContain('propagationPolicy=Background');
  });

  it('keeps archived results unless --all, and says when there is nothing left', async () => {
    await launch('default');
    cluster.api.mutate(ref('Secret', 'canary-default-results'), (secret) => {
      secret['data'] = { [resultsKey]: Buffer.from('old').toString('base64') };
    });
    await launch('default');
    const archives = (await inventory()).filter((o) =>
      o.startsWith('Secret default/canary-default-results-'),
    );
    expect(archives).toHaveLength(1);
    const archive = archives[0]!.slice('Secret default/'.length);

    const first = await remove();
    expect(first).toContain(
      `kept 1 archived results Secret: ${archive} (canary k delete -g default --all deletes them too)`,
    );
    expect(cluster.api.get(ref('Secret', archive))).toBeDefined();

    const second = await remove();
    expect(second.split('\n')[0]).toBe(
      `nothing to delete: group "default" has no objects in namespace "default" (context "fake", ${cluster.api.url})`,
    );
    expect(second).toContain('kept 1 archived results Secret');

    const all = await remove({ all: true });
    expect(all).toContain(`secret/${archive}`);
    expect(cluster.api.get(ref('Secret', archive))).toBeUndefined();
    expect(await remove({ all: true })).toMatch(
      /^nothing to delete: group "default" has no objects in namespace "default"/,
    );
  });

  it('works in the namespace given with -n', async () => {
    await launch('default', 'ml');
    await launch('default');
    const report = await remove({ namespace: 'ml' });
    expect(report).toContain('deleted group "default" from namespace "ml"');
    expect(cluster.api.get(ref('CronJob', 'canary-default', 'ml'))).toBeUndefined();
    expect(cluster.api.get(ref('CronJob', 'canary-default'))).toBeDefined();
  });
});

describe('canary k delete errors', () => {
  it('a forbidden list names the missing permission', async () => {
    await launch('default');
    cluster.api.forbid({ verb: 'list', resource: 'cronjobs' });
    const error = (await remove().catch((e: unknown) => e)) as CanaryError;
    expect(error).toBeInstanceOf(CanaryError);
    expect(error.exitCode).toBe(ExitCode.executionError);
    expect(error.message).toBe('forbidden: cannot list cronjobs in namespace "default"');
    expect(error.hints[0]).toBe(
      'grant the verb "list" on resource "cronjobs" in API group "batch" in namespace "default"',
    );
  });

  it('an unreachable cluster is exit 4; an invalid group a usage error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-unreachable-'));
    try {
      const kubeconfig = await writeKubeconfig(path.join(dir, 'config'), {
        server: 'http://127.0.0.1:1',
        token: 't',
      });
      const error = (await remove({}, { KUBECONFIG: kubeconfig, HOME: dir }).catch(
        (e: unknown) => e,
      )) as CanaryError;
      expect(error).toBeInstanceOf(CanaryError);
      expect(error.exitCode).toBe(ExitCode.executionError);
      expect(error.message).toMatch(
        /^cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const usage = await remove({ group: 'a_b' }).catch((e: unknown) => e);
    expect(usage).toBeInstanceOf(UsageError);
  });
});

describe('the KDelete command class (oclif, in-process)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('parses its flags and deletes', async () => {
    await launch('nightly');
    const written: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void written.push(args.join(' ')));
    for (const [key, value] of Object.entries(cluster.env)) vi.stubEnv(key, value);
    await KDelete.run(['-g', 'nightly', '-o', 'json'], packageRoot);
    const report = JSON.parse(written.join('\n')) as {
      removed: Array<{ ref: { kind: string; name: string } }>;
    };
    expect(report.removed.map((r) => `${r.ref.kind}/${r.ref.name}`)).toContain('CronJob/canary-nightly');
    expect(cluster.api.get(ref('CronJob', 'canary-nightly'))).toBeUndefined();
  });
});
