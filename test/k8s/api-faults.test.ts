import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { experimentKey, groupLabels, groupNames, resultsKey } from '../../src/k8s/group-names.js';
import { runInPod } from '../../src/k8s/run-in-pod.js';
import { updateGroupStore, type GroupTarget } from '../../src/k8s/group-results.js';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { clearDiscoveryCache } from '../../src/k8s/discovery.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import { appendLoop, type ClusterStore } from '../../src/results/cluster-store.js';
import { decodeStore } from '../../src/results/cluster-store-codec.js';
import type { LoopRecord } from '../../src/results/records.js';
import { storeLoop as loop } from './store-loop.js';
import { startFakeCluster, type FakeCluster, type InjectedFault } from '../support/fake-kube-api/index.js';

/**
 * A sick API server during result writes and launches: the fake API server fails the next N
 * requests to a path with a status (optionally after applying them, as when the answer is lost).
 */
let cluster: FakeCluster;
const names = groupNames('faults');
const secretPath = `/api/v1/namespaces/default/secrets/${names.resultsSecret}`;
const secretRef = { apiVersion: 'v1', kind: 'Secret', name: names.resultsSecret, namespace: 'default' };

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  clearDiscoveryCache();
  cluster.api.clearFaults();
  cluster.api.allow();
  cluster.api.delete(secretRef);
  cluster.api.requests.length = 0;
});

const target = (): GroupTarget => ({
  client: loadKubeClient({ env: cluster.env }),
  namespace: 'default',
  names,
});

function storedStore(): ClusterStore {
  const secret = cluster.api.get(secretRef) as { data?: Record<string, string> } | undefined;
  return decodeStore(Buffer.from(secret?.data?.[resultsKey] ?? '', 'base64'));
}

function seedStore(): void {
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.resultsSecret, namespace: 'default', labels: groupLabels('faults') },
    type: 'Opaque',
    data: {},
  });
}

const append = (record: LoopRecord) => (store: ClusterStore) => appendLoop(store, record).store;
const requestsTo = (path: string) => cluster.api.requests.filter((r) => r.url.split('?')[0] === path);

interface WriteCase {
  name: string;
  /** Whether the results Secret exists before the write (a replace) or not (a create). */
  existing: boolean;
  faults: InjectedFault[];
  /** Requests the write makes to the Secret, in all. */
  requests: number;
}

const recovered: WriteCase[] = [
  {
    name: '500 on the replace, twice',
    existing: true,
    faults: [{ method: 'PUT', path: secretPath, status: 500, count: 2 }],
    requests: 6,
  },
  {
    name: '503 on the read',
    existing: true,
    faults: [{ method: 'GET', path: secretPath, status: 503 }],
    requests: 3,
  },
  {
    name: '429 on the replace',
    existing: true,
    faults: [{ method: 'PUT', path: secretPath, status: 429 }],
    requests: 4,
  },
  {
    name: '409 conflicts, three in a row',
    existing: true,
    faults: [{ method: 'PUT', path: secretPath, status: 409, count: 3 }],
    requests: 8,
  },
  {
    name: '500 on the create of a new store',
    existing: false,
    faults: [{ method: 'POST', path: '/api/v1/namespaces/default/secrets', status: 500 }],
    requests: 4,
  },
];

describe('result store writes retry a sick API server (bounded)', () => {
  it.each(recovered)('$name: the loop is stored once', async ({ existing, faults, requests }) => {
    if (existing) seedStore();
    for (const fault of faults) cluster.api.failNext(fault);
    const outcome = await updateGroupStore(target(), append(loop(1)), {
      signal: AbortSignal.timeout(20_000),
    });
    expect(storedStore().loops.map((l) => l.loop)).toEqual([1]);
    expect(outcome.attempts).toBe(1 + faults.reduce((n, f) => n + (f.count ?? 1), 0));
    const reads = requestsTo(secretPath).length;
    const creates = requestsTo('/api/v1/namespaces/default/secrets').length;
    expect(reads + creates).toBe(requests);
  });

  it('a server that keeps failing: gives up after the retries, saying why and how often', async () => {
    seedStore();
    cluster.api.failNext({
      method: 'PUT',
      path: secretPath,
      status: 500,
      count: 1000,
      message: 'etcdserver: request timed out',
    });
    const error = await updateGroupStore(target(), append(loop(1)), {
      signal: AbortSignal.timeout(30_000),
      retries: 3,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanaryError);
    expect((error as CanaryError).message).toBe(
      'could not write the result store: etcdserver: request timed out (HTTP 500 InternalError) (gave up after 4 attempts)',
    );
    expect((error as CanaryError).exitCode).toBe(ExitCode.executionError);
    expect(requestsTo(secretPath).filter((r) => r.method === 'PUT')).toHaveLength(4);
    expect(storedStore().loops).toEqual([]);
  });

  it('a 403 is not retried: a missing permission does not come back by itself', async () => {
    seedStore();
    cluster.api.forbid({ verb: 'update', resource: 'secrets' });
    const error = await updateGroupStore(target(), append(loop(1)), {
      signal: AbortSignal.timeout(10_000),
    }).catch((e: unknown) => e);
    expect((error as CanaryError).message).toMatch(/permission "update" on secrets .* is missing/);
    expect(requestsTo(secretPath).filter((r) => r.method === 'PUT')).toHaveLength(1);
  });
});

describe('canary k run: a write applied, but answered with a 500', () => {
  it('is retried, finds its loop already stored, and does not store it twice', async () => {
    const experiment = {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'faults' },
      spec: { tasks: [{ id: 'run', task: 'run', with: { script: 'true' } }] },
    };
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: names.experimentSecret, namespace: 'default', labels: groupLabels('faults') },
      type: 'Opaque',
      data: { [experimentKey]: Buffer.from(JSON.stringify(experiment)).toString('base64') },
    });
    seedStore();
    for (const pod of ['pod-1', 'pod-2']) {
      cluster.api.failNext({ method: 'PUT', path: secretPath, status: 500, afterApplying: true });
      const outcome = await runInPod({
        target: target(),
        env: { ...cluster.env, PATH: process.env.PATH, POD_NAME: pod },
        signal: new AbortController().signal,
        log: () => undefined,
      });
      expect(outcome).toMatchObject({ status: 'recorded', write: { attempts: 2 } });
    }
    const store = storedStore();
    expect(store.loops.map((l) => l.loop)).toEqual([1, 2]);
    expect(store.pods).toEqual({ '1': 'pod-1', '2': 'pod-2' });
  });
});

describe('canary k launch failing half-way', () => {
  const sets = ['tasks={http}', 'http.url=http://my-app.default:8080', 'runner=job'];
  const launch = () =>
    launchFromCli({
      flags: { set: sets, 'set-string': [], values: [], group: 'half', 'dry-run': false },
      cwd: process.cwd(),
      env: cluster.env,
      output: { log: () => undefined, warn: () => undefined },
    });

  it('says what it created and how to finish or remove it; launching again completes it', async () => {
    cluster.api.failNext({ method: 'POST', path: '/apis/batch/v1/namespaces/default/jobs', status: 500 });
    const error = (await launch().catch((e: unknown) => e)) as CanaryError;
    expect(error).toBeInstanceOf(CanaryError);
    expect(error.message).toBe(
      'launch stopped half-way: cannot create jobs "canary-half" in namespace "default": the API server answered 500 InternalError: injected fault: HTTP 500',
    );
    expect(error.exitCode).toBe(ExitCode.executionError);
    // In kubectl's spelling, so each can be passed to `kubectl get` or `kubectl delete` as it is.
    expect(error.hints).toContain(
      'already done: created secret/canary-half-experiment, created secret/canary-half-results, created serviceaccount/canary-half, created role.rbac.authorization.k8s.io/canary-half, created rolebinding.rbac.authorization.k8s.io/canary-half',
    );
    expect(error.hints).toContain('launch again once the cause is fixed: it replaces what exists');
    expect(error.hints).toContain('or remove the group: canary k delete -g half -n default');
    // What the hint says was created is there, and no Job.
    expect(
      cluster.api.get({ apiVersion: 'v1', kind: 'Secret', name: 'canary-half-experiment' }),
    ).toBeDefined();
    expect(cluster.api.get({ apiVersion: 'batch/v1', kind: 'Job', name: 'canary-half' })).toBeUndefined();

    await launch();
    expect(cluster.api.get({ apiVersion: 'batch/v1', kind: 'Job', name: 'canary-half' })).toBeDefined();
  });
});
