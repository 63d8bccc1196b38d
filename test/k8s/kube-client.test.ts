import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfigError, loadKubeClient } from '../../src/k8s/kube-client.js';
import { kubeconfigDocument, startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';

let dir: string;
let cluster: FakeCluster;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-kubeclient-'));
  cluster = await startFakeCluster({ namespace: 'team-a' });
});

afterAll(async () => {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A kubeconfig with two contexts (`one` current, `two` with a namespace) on fake servers. */
async function twoContexts(file: string, current = 'one'): Promise<string> {
  await writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c1', cluster: { server: 'https://one.example:6443' } },
        { name: 'c2', cluster: { server: 'https://two.example:6443' } },
      ],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [
        { name: 'one', context: { cluster: 'c1', user: 'u' } },
        { name: 'two', context: { cluster: 'c2', user: 'u', namespace: 'ns-two' } },
      ],
      'current-context': current,
    }),
  );
  return file;
}

describe('loadKubeClient', () => {
  const saved = process.env['KUBECONFIG'];
  afterEach(() => {
    if (saved === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = saved;
  });

  it('loads KUBECONFIG from the given env and talks to the server with it', async () => {
    const client = loadKubeClient({ env: cluster.env });
    expect(client).toMatchObject({ server: cluster.api.url, namespace: 'team-a', contextName: 'fake' });
    expect(client.source).toBe(cluster.kubeconfig);
    const pods = await client.config
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: client.namespace });
    expect(pods.items).toEqual([]);
  });

  it('reads nothing from process.env', () => {
    process.env['KUBECONFIG'] = cluster.kubeconfig;
    expect(() => loadKubeClient({ env: { HOME: dir } })).toThrow(KubeConfigError);
  });

  it('prefers an explicit file to KUBECONFIG', async () => {
    const explicit = await twoContexts(path.join(dir, 'explicit.yaml'));
    const client = loadKubeClient({ env: cluster.env, kubeconfig: explicit });
    expect(client.server).toBe('https://one.example:6443');
    expect(client.namespace).toBe('default');
  });

  it('falls back to ~/.kube/config under HOME', async () => {
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.kube'), { recursive: true });
    await twoContexts(path.join(home, '.kube', 'config'), 'two');
    const client = loadKubeClient({ env: { HOME: home } });
    expect(client).toMatchObject({
      server: 'https://two.example:6443',
      namespace: 'ns-two',
      contextName: 'two',
    });
  });

  it('merges a KUBECONFIG list with the first file winning, skipping missing files', async () => {
    const first = path.join(dir, 'first.yaml');
    await writeFile(
      first,
      stringify(
        kubeconfigDocument({ server: cluster.api.url, token: cluster.api.token, contextName: 'two' }),
      ),
    );
    const second = await twoContexts(path.join(dir, 'second.yaml'));
    const list = [path.join(dir, 'missing.yaml'), first, second].join(path.delimiter);
    const client = loadKubeClient({ env: { KUBECONFIG: list } });
    // `two` is defined in both files; the first file's definition (the fake server) wins, and so does its current-context.
    expect(client).toMatchObject({ contextName: 'two', server: cluster.api.url, namespace: 'default' });
    expect(client.config.getContexts().map((c) => c.name)).toEqual(['two', 'one']);
  });

  it('applies context and namespace overrides', async () => {
    const file = await twoContexts(path.join(dir, 'overrides.yaml'));
    expect(loadKubeClient({ env: {}, kubeconfig: file, context: 'two' })).toMatchObject({
      contextName: 'two',
      namespace: 'ns-two',
    });
    expect(loadKubeClient({ env: {}, kubeconfig: file, context: 'two', namespace: 'mine' }).namespace).toBe(
      'mine',
    );
    expect(() => loadKubeClient({ env: {}, kubeconfig: file, context: 'three' })).toThrow(
      /context "three" is not in .*overrides\.yaml \(contexts: one, two\)/,
    );
  });

  it('uses the service account when running in a pod', async () => {
    const account = path.join(dir, 'serviceaccount');
    await mkdir(account, { recursive: true });
    await writeFile(path.join(account, 'token'), 'in-cluster-token');
    await writeFile(path.join(account, 'namespace'), 'canary-system\n');
    const client = loadKubeClient({
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: account,
    });
    expect(client).toMatchObject({
      server: 'https://10.96.0.1:443',
      namespace: 'canary-system',
      source: 'in-cluster service account',
    });
    expect(client.config.getCurrentCluster()?.caFile).toBe(path.join(account, 'ca.crt'));
    expect(client.config.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: path.join(account, 'token') },
    });
  });

  it('says what it tried when there is no configuration', () => {
    const error = (() => {
      try {
        loadKubeClient({ env: { HOME: path.join(dir, 'empty-home') } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toMatch(
      /^no Kubernetes configuration: KUBECONFIG is not set, .*empty-home\/\.kube\/config does not exist, and this is not a pod/,
    );
  });

  it('reports unreadable and missing kubeconfig files', async () => {
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, 'clusters: [{name: x}]\ncontexts: []\nusers: []\n');
    expect(() => loadKubeClient({ env: { KUBECONFIG: broken } })).toThrow(
      /cannot read kubeconfig .*broken\.yaml/,
    );
    expect(() => loadKubeClient({ env: {}, kubeconfig: path.join(dir, 'nope.yaml') })).toThrow(
      /kubeconfig file .*nope\.yaml does not exist/,
    );
  });
});
