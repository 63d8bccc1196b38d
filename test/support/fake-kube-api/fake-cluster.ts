/**
 * A fake API server plus a kubeconfig file for it in a temporary directory:
 * what most tests need in one call. `env` is what a task's context.env would
 * hold (KUBECONFIG and a HOME without a ~/.kube/config).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FakeKubeApi, type FakeKubeApiOptions } from './fake-kube-api.js';
import { writeKubeconfig } from './kubeconfig-file.js';

export interface FakeCluster {
  api: FakeKubeApi;
  /** Path of the kubeconfig file. */
  kubeconfig: string;
  dir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startFakeCluster(
  options: FakeKubeApiOptions & { namespace?: string; token?: string } = {},
): Promise<FakeCluster> {
  const api = await FakeKubeApi.start(options);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-kube-'));
  const kubeconfig = await writeKubeconfig(path.join(dir, 'kubeconfig.yaml'), {
    server: api.url,
    token: options.token ?? api.token,
    ...(options.tls ? { ca: options.tls.cert } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  });
  return {
    api,
    kubeconfig,
    dir,
    env: { KUBECONFIG: kubeconfig, HOME: dir },
    async stop() {
      await api.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
