import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { groupLabels, groupNames, resultsKey } from '../../src/k8s/group-names.js';
import {
  readGroupStore,
  readGroupStoreOrEmpty,
  updateGroupStore,
  type GroupTarget,
} from '../../src/k8s/group-results.js';
import { appendLoop, type ClusterStore } from '../../src/results/cluster-store.js';
import { decodeStore, encodeStore } from '../../src/results/cluster-store-codec.js';
import { CanaryError } from '../../src/errors.js';
import { storeLoop as loop } from './store-loop.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';

let cluster: FakeCluster;
let target: GroupTarget;
const names = groupNames('writes');
const secretRef = { apiVersion: 'v1', kind: 'Secret', name: names.resultsSecret, namespace: 'default' };

beforeAll(async () => {
  cluster = await startFakeCluster();
  target = { client: loadKubeClient({ env: cluster.env }), namespace: 'default', names };
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  cluster.api.allow();
  cluster.api.delete(secretRef);
});

const signal = () => AbortSignal.timeout(10_000);

function storedStore(): ClusterStore {
  const secret = cluster.api.get(secretRef) as { data?: Record<string, string> } | undefined;
  return decodeStore(Buffer.from(secret?.data?.[resultsKey] ?? '', 'base64'));
}

describe('the result store Secret', () => {
  it('is created, labelled, when it does not exist', async () => {
    const outcome = await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    expect(outcome.attempts).toBe(1);
    const secret = cluster.api.get(secretRef)!;
    expect(secret.metadata.labels).toEqual(groupLabels('writes'));
    expect(storedStore().loops.map((r) => r.loop)).toEqual([1]);
    expect((await readGroupStore(target, signal())).loops).toHaveLength(1);
  });

  it('starts from an empty Secret as launch leaves it', async () => {
    cluster.api.set({
      ...secretRef,
      metadata: { name: names.resultsSecret, namespace: 'default' },
      data: {},
    });
    expect((await readGroupStore(target, signal())).loops).toEqual([]);
    cluster.api.set({
      ...secretRef,
      metadata: { name: names.resultsSecret, namespace: 'default' },
      data: { [resultsKey]: '' },
    });
    await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    expect(storedStore().loops).toHaveLength(1);
  });

  it('lands concurrent appends, retrying on 409 Conflict: loop numbers stay contiguous', async () => {
    const before = cluster.api.requests.length;
    // Every writer believes it runs loop 1, as two pods started from the same store would.
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        updateGroupStore(target, (s) => appendLoop(s, loop(1), { pod: `pod-${i}` }).store, {
          signal: signal(),
        }),
      ),
    );
    const store = storedStore();
    expect(store.loops.map((r) => r.loop)).toEqual([1, 2, 3, 4, 5]);
    expect(Object.values(store.pods).sort()).toEqual(['pod-0', 'pod-1', 'pod-2', 'pod-3', 'pod-4']);
    const conflicts = cluster.api.requests.slice(before).filter((r) => r.status === 409);
    expect(conflicts.length).toBeGreaterThan(0);
  });

  it('retries a write that lost a race (deterministically) and both writes land', async () => {
    await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    let raced = false;
    const outcome = await updateGroupStore(
      target,
      (s) => {
        if (!raced) {
          raced = true;
          // Another pod writes loop 2 between our read and our replace.
          cluster.api.mutate(secretRef, (secret) => {
            const other = appendLoop(decodeStoreOf(secret), loop(2), { pod: 'other' }).store;
            (secret['data'] as Record<string, string>)[resultsKey] = encode(other);
          });
        }
        return appendLoop(s, loop(2), { pod: 'mine' }).store;
      },
      { signal: signal() },
    );
    expect(outcome.attempts).toBe(2);
    expect(storedStore().loops.map((r) => r.loop)).toEqual([1, 2, 3]);
    expect(storedStore().pods).toMatchObject({ '2': 'other', '3': 'mine' });
  });

  it('gives up after a bounded number of conflicts', async () => {
    await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    const write = updateGroupStore(
      target,
      (s) => {
        cluster.api.mutate(secretRef, (secret) => {
          secret.metadata.annotations = { touched: String(Math.random()) };
        });
        return appendLoop(s, loop(2)).store;
      },
      { signal: signal(), retries: 2 },
    );
    await expect(write).rejects.toThrow(/kept changing under 3 attempts/);
  });

  it('names the missing permission when reading is forbidden', async () => {
    await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    cluster.api.forbid({ verb: 'get', resource: 'secrets', name: names.resultsSecret });
    const error = (await readGroupStore(target, signal()).catch((e: unknown) => e)) as CanaryError;
    expect(error).toBeInstanceOf(CanaryError);
    expect(error.message).toBe(
      'could not read the result store: permission "get" on secrets "canary-writes-results" in namespace "default" is missing (forbidden)',
    );
    expect(error.hints.join('\n')).toMatch(
      /resources \["secrets"\], verbs \["get"\], resourceNames \["canary-writes-results"\]/,
    );
    expect(error.hints.join('\n')).toMatch(/cannot get resource "secrets"/);
  });

  it('names the missing permission when writing is forbidden', async () => {
    await updateGroupStore(target, (s) => appendLoop(s, loop(1)).store, { signal: signal() });
    cluster.api.forbid({ verb: 'update', resource: 'secrets' });
    await expect(
      updateGroupStore(target, (s) => appendLoop(s, loop(2)).store, { signal: signal() }),
    ).rejects.toThrow(
      /could not write the result store: permission "update" on secrets "canary-writes-results"/,
    );
  });

  it('reads a missing Secret as "no results" or, for the writer, as an empty store', async () => {
    await expect(readGroupStore(target, signal())).rejects.toThrow(
      /no results for group "writes" in namespace "default" \(secret canary-writes-results not found\)/,
    );
    expect((await readGroupStoreOrEmpty(target, signal())).loops).toEqual([]);
  });
});

function decodeStoreOf(secret: { [key: string]: unknown }): ClusterStore {
  const data = (secret['data'] as Record<string, string> | undefined)?.[resultsKey] ?? '';
  return decodeStore(Buffer.from(data, 'base64'));
}

function encode(store: ClusterStore): string {
  return encodeStore(store).toString('base64');
}
