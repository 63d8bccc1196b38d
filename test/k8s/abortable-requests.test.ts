import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortableOptions, makeObjectApi, untilAborted } from '../../src/k8s/abortable-requests.js';
import { classifyApiFailure } from '../../src/k8s/api-failure.js';
import { clearDiscoveryCache, Discovery } from '../../src/k8s/discovery.js';
import { loadKubeClient, type KubeClient } from '../../src/k8s/kube-client.js';
import { startFakeCluster, writeKubeconfig, type FakeCluster } from '../support/fake-kube-api/index.js';

/** A server that takes requests and never answers them. */
let silent: http.Server;
let cluster: FakeCluster;
let client: KubeClient;

beforeAll(async () => {
  cluster = await startFakeCluster();
  silent = http.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const kubeconfig = await writeKubeconfig(path.join(cluster.dir, 'silent.yaml'), {
    server: url,
    token: 't',
  });
  client = loadKubeClient({ env: { KUBECONFIG: kubeconfig } });
});

afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  await cluster.stop();
});

async function abortedWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  const started = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - started).toBeLessThan(ms);
  return error;
}

describe('abortable requests', () => {
  it('abort typed API calls through per-call middleware', async () => {
    const core = client.config.makeApiClient(CoreV1Api);
    const error = await abortedWithin(
      core.listNamespacedPod({ namespace: 'default' }, abortableOptions(AbortSignal.timeout(200))),
      1500,
    );
    expect(classifyApiFailure(error)).toEqual({ type: 'aborted' });
  });

  it('abort discovery', async () => {
    clearDiscoveryCache();
    const error = await abortedWithin(new Discovery(client, AbortSignal.timeout(200)).groups(), 1500);
    expect(classifyApiFailure(error)).toEqual({ type: 'aborted' });
  });

  it('abort the generic object client, its own discovery included', async () => {
    const api = makeObjectApi(client, AbortSignal.timeout(200));
    const error = await abortedWithin(
      api.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } }),
      1500,
    );
    expect(classifyApiFailure(error)).toEqual({ type: 'aborted' });
  });

  it('leave answered requests alone', async () => {
    const live = loadKubeClient({ env: cluster.env });
    const pods = await live.config
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'default' }, abortableOptions(new AbortController().signal));
    expect(pods.items).toEqual([]);
  });

  it('bound work that ignores the signal', async () => {
    const never = new Promise<never>(() => {});
    const error = await abortedWithin(untilAborted(never, AbortSignal.timeout(100)), 1000);
    expect(error).toMatchObject({ name: 'AbortError' });
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
  });
});

describe('classifyApiFailure', () => {
  it('reads Status bodies and transport errors', async () => {
    const unreachable = loadKubeClient({
      env: {},
      kubeconfig: await writeKubeconfig(path.join(cluster.dir, 'refused.yaml'), {
        server: 'http://127.0.0.1:1',
        token: 't',
      }),
    });
    const refused = await unreachable.config
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: 'default' })
      .catch((e: unknown) => e);
    expect(classifyApiFailure(refused)).toEqual({
      type: 'transport',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });

    const live = loadKubeClient({ env: cluster.env });
    const missing = await live.config
      .makeApiClient(CoreV1Api)
      .readNamespacedPod({ name: 'nope', namespace: 'default' })
      .catch((e: unknown) => e);
    expect(classifyApiFailure(missing)).toEqual({
      type: 'status',
      code: 404,
      reason: 'NotFound',
      message: 'pods "nope" not found',
    });
    expect(classifyApiFailure(new TypeError('a bug'))).toBeUndefined();
  });
});
