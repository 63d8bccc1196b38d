import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
  type V1Deployment,
} from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Pod } from 'kubernetes-models/v1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCluster, writeKubeconfig, type FakeCluster } from '../support/fake-kube-api/index.js';

let cluster: FakeCluster;
let config: KubeConfig;

beforeAll(async () => {
  cluster = await startFakeCluster();
  config = new KubeConfig();
  config.loadFromFile(cluster.kubeconfig);
});

afterAll(async () => {
  await cluster.stop();
});

/** The ApiException a call rejects with (its body is the Status the server sent). */
async function rejection(promise: Promise<unknown>): Promise<ApiException<unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  return error as ApiException<unknown>;
}

function statusOf(error: ApiException<unknown>): unknown {
  return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
}

/** An OpenAPI-valid Deployment manifest, as plain JSON. */
function deploymentManifest(name: string, replicas = 1): V1Deployment {
  const manifest = new Deployment({
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      },
    },
  });
  manifest.validate();
  return manifest.toJSON() as V1Deployment;
}

function podManifest(name: string, namespace: string, labels: Record<string, string>): KubernetesObject {
  const pod = new Pod({
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
  });
  pod.validate();
  return pod.toJSON() as KubernetesObject;
}

describe('fake Kubernetes API: discovery', () => {
  it('lists core resources with short names and subresources', async () => {
    const list = await config.makeApiClient(CoreV1Api).getAPIResources();
    const pods = list.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'] });
    expect(pods?.verbs).toEqual(expect.arrayContaining(['get', 'list', 'create', 'deletecollection']));
    expect(list.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['services', 'secrets', 'configmaps', 'serviceaccounts', 'events', 'pods/log']),
    );
  });

  it('lists API groups with their preferred versions', async () => {
    const groups = await config.makeApiClient(ApisApi).getAPIVersions();
    const byName = Object.fromEntries(groups.groups.map((g) => [g.name, g.preferredVersion?.groupVersion]));
    expect(byName).toMatchObject({
      apps: 'apps/v1',
      batch: 'batch/v1',
      'rbac.authorization.k8s.io': 'rbac.authorization.k8s.io/v1',
      'serving.kserve.io': 'serving.kserve.io/v1beta1',
      'serving.knative.dev': 'serving.knative.dev/v1',
    });
  });

  it('describes custom resources of a group version', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const kserve = await custom.getAPIResources({ group: 'serving.kserve.io', version: 'v1beta1' });
    expect(kserve.resources.find((r) => r.name === 'inferenceservices')).toMatchObject({
      kind: 'InferenceService',
      singularName: 'inferenceservice',
      shortNames: ['isvc'],
      namespaced: true,
    });
    const knative = await custom.getAPIResources({ group: 'serving.knative.dev', version: 'v1' });
    expect(knative.resources.find((r) => r.name === 'services')?.shortNames).toContain('ksvc');
    const error = await rejection(custom.getAPIResources({ group: 'example.com', version: 'v1' }));
    expect(error.code).toBe(404);
  });
});

describe('fake Kubernetes API: objects', () => {
  const objects = () => KubernetesObjectApi.makeApiClient(config);

  it('creates objects with server-set metadata and refuses a second create', async () => {
    const created = await objects().create(deploymentManifest('web'));
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.metadata?.generation).toBe(1);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);

    const error = await rejection(objects().create(deploymentManifest('web')));
    expect(error.code).toBe(409);
    expect(statusOf(error)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "web" already exists',
      reason: 'AlreadyExists',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 409,
    });
  });

  it('answers a missing object with a NotFound Status', async () => {
    const apps = config.makeApiClient(AppsV1Api);
    const error = await rejection(apps.readNamespacedDeployment({ name: 'nope', namespace: 'default' }));
    expect(error.code).toBe(404);
    expect(statusOf(error)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('rejects a replace with a stale resourceVersion (409 Conflict), accepts a current one', async () => {
    const apps = config.makeApiClient(AppsV1Api);
    const current = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: deploymentManifest('api'),
    });
    const stale = current.metadata!.resourceVersion!;
    const updated = await apps.replaceNamespacedDeployment({
      name: 'api',
      namespace: 'default',
      body: { ...current, spec: { ...current.spec!, replicas: 3 } },
    });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(stale));
    expect(updated.metadata!.generation).toBe(2);
    expect(updated.spec!.replicas).toBe(3);

    const error = await rejection(
      apps.replaceNamespacedDeployment({
        name: 'api',
        namespace: 'default',
        body: { ...current, spec: { ...current.spec!, replicas: 5 } },
      }),
    );
    expect(error.code).toBe(409);
    expect(statusOf(error)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on deployments.apps "api": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict',
      details: { name: 'api', group: 'apps', kind: 'deployments' },
      code: 409,
    });
    const after = await apps.readNamespacedDeployment({ name: 'api', namespace: 'default' });
    expect(after.spec!.replicas).toBe(3);
  });

  it('keeps status out of main-resource writes and takes it through /status', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const ref = {
      group: 'serving.kserve.io',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'inferenceservices',
    };
    await custom.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: 'model' },
        spec: { predictor: { sklearn: { storageUri: 'gs://bucket/model' } } },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
    });
    const created = (await custom.getNamespacedCustomObject({ ...ref, name: 'model' })) as Record<
      string,
      unknown
    >;
    expect(created['status']).toBeUndefined();

    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await custom.patchNamespacedCustomObjectStatus(
      { ...ref, name: 'model', body: { status: { conditions: [{ type: 'Ready', status: 'False' }] } } },
      mergePatch,
    );
    const patched = (await custom.patchNamespacedCustomObject(
      { ...ref, name: 'model', body: { metadata: { labels: { team: 'ml' } }, status: { ignored: true } } },
      mergePatch,
    )) as { metadata: { labels: Record<string, string> }; status: unknown };
    expect(patched.metadata.labels).toEqual({ team: 'ml' });
    expect(patched.status).toEqual({ conditions: [{ type: 'Ready', status: 'False' }] });
  });

  it('applies JSON patches (the client default for custom objects) and strategic merge as merge', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const ref = { group: 'serving.knative.dev', version: 'v1', namespace: 'default', plural: 'services' };
    await custom.createNamespacedCustomObject({
      ...ref,
      body: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'hello' }, spec: {} },
    });
    const jsonPatched = (await custom.patchNamespacedCustomObject({
      ...ref,
      name: 'hello',
      body: [{ op: 'add', path: '/metadata/labels', value: { tier: 'web' } }],
    })) as KubernetesObject;
    expect(jsonPatched.metadata?.labels).toEqual({ tier: 'web' });

    const core = config.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'settings' }, data: { a: '1', b: '2' } },
    });
    const strategic = await core.patchNamespacedConfigMap(
      { name: 'settings', namespace: 'default', body: { data: { b: null, c: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.data).toEqual({ a: '1', c: '3' });
  });

  it('filters lists by equality and set-based label selectors', async () => {
    const core = config.makeApiClient(CoreV1Api);
    const pods: Array<[string, Record<string, string>]> = [
      ['a1', { app: 'a', tier: 'web' }],
      ['a2', { app: 'a', tier: 'api' }],
      ['b1', { app: 'b', tier: 'web', canary: 'true' }],
      ['c1', { app: 'c' }],
    ];
    for (const [name, labels] of pods) {
      await core.createNamespacedPod({
        namespace: 'labels',
        body: podManifest(name, 'labels', labels) as never,
      });
    }
    const names = async (labelSelector: string) =>
      (await core.listNamespacedPod({ namespace: 'labels', labelSelector })).items.map(
        (p) => p.metadata?.name,
      );

    expect(await names('app=a')).toEqual(['a1', 'a2']);
    expect(await names('app==a,tier!=web')).toEqual(['a2']);
    expect(await names('tier in (web, api)')).toEqual(['a1', 'a2', 'b1']);
    expect(await names('app notin (a,b)')).toEqual(['c1']);
    expect(await names('canary')).toEqual(['b1']);
    expect(await names('!tier')).toEqual(['c1']);
    expect(await names('')).toEqual(['a1', 'a2', 'b1', 'c1']);

    const list = await core.listNamespacedPod({ namespace: 'labels' });
    expect(list.kind).toBe('PodList');
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(0);

    const error = await rejection(
      core.listNamespacedPod({ namespace: 'labels', labelSelector: 'app in (a' }),
    );
    expect(error.code).toBe(400);
  });

  it('deletes a collection by label selector, accepting a propagation policy', async () => {
    const core = config.makeApiClient(CoreV1Api);
    for (const [name, app] of [
      ['x1', 'doomed'],
      ['x2', 'doomed'],
      ['y1', 'kept'],
    ] as const) {
      await core.createNamespacedPod({
        namespace: 'cleanup',
        body: podManifest(name, 'cleanup', { app }) as never,
      });
    }
    await core.deleteCollectionNamespacedPod({
      namespace: 'cleanup',
      labelSelector: 'app=doomed',
      propagationPolicy: 'Background',
    });
    const left = await core.listNamespacedPod({ namespace: 'cleanup' });
    expect(left.items.map((p) => p.metadata?.name)).toEqual(['y1']);

    const error = await rejection(
      core.deleteNamespacedPod({ name: 'y1', namespace: 'cleanup', propagationPolicy: 'Sideways' }),
    );
    expect(error.code).toBe(422);
  });

  it('deletes custom resources with a Status and cascades to owned objects', async () => {
    const custom = config.makeApiClient(CustomObjectsApi);
    const ref = {
      group: 'serving.kserve.io',
      version: 'v1beta1',
      namespace: 'cascade',
      plural: 'inferenceservices',
    };
    const owner = (await custom.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: 'owner' },
      },
    })) as KubernetesObject;
    const core = config.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'cascade',
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            {
              apiVersion: 'serving.kserve.io/v1beta1',
              kind: 'InferenceService',
              name: 'owner',
              uid: owner.metadata!.uid!,
            },
          ],
        },
      },
    });
    const status = await custom.deleteNamespacedCustomObject({
      ...ref,
      name: 'owner',
      propagationPolicy: 'Foreground',
    });
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'owner', kind: 'inferenceservices' },
    });
    const error = await rejection(core.readNamespacedConfigMap({ name: 'owned', namespace: 'cascade' }));
    expect(error.code).toBe(404);
  });

  it('serves pod logs as text', async () => {
    const core = config.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'logs', body: podManifest('runner', 'logs', {}) as never });
    cluster.api.setPodLog('logs', 'runner', 'line 1\nline 2\nline 3\n');
    expect(await core.readNamespacedPodLog({ name: 'runner', namespace: 'logs' })).toBe(
      'line 1\nline 2\nline 3\n',
    );
    expect(await core.readNamespacedPodLog({ name: 'runner', namespace: 'logs', tailLines: 1 })).toBe(
      'line 3\n',
    );
    const error = await rejection(core.readNamespacedPodLog({ name: 'ghost', namespace: 'logs' }));
    expect(error.code).toBe(404);
  });
});

describe('fake Kubernetes API: access', () => {
  beforeEach(() => cluster.api.allow());

  it('denies forbidden requests with the RBAC authorizer message', async () => {
    cluster.api.forbid({
      verb: 'get',
      group: 'serving.kserve.io',
      resource: 'inferenceservices',
      namespace: 'default',
    });
    const custom = config.makeApiClient(CustomObjectsApi);
    const error = await rejection(
      custom.getNamespacedCustomObject({
        group: 'serving.kserve.io',
        version: 'v1beta1',
        namespace: 'default',
        plural: 'inferenceservices',
        name: 'sklearn-iris',
      }),
    );
    expect(error.code).toBe(403);
    expect(statusOf(error)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'inferenceservices.serving.kserve.io "sklearn-iris" is forbidden: User "system:serviceaccount:canary:canary-runner" cannot get resource "inferenceservices" in API group "serving.kserve.io" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'sklearn-iris', group: 'serving.kserve.io', kind: 'inferenceservices' },
      code: 403,
    });
    // Other verbs and namespaces stay allowed.
    await custom.listNamespacedCustomObject({
      group: 'serving.kserve.io',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'inferenceservices',
    });
  });

  it('words core-group and list denials as Kubernetes does', async () => {
    cluster.api.forbid({ verb: 'list', resource: 'pods' });
    const error = await rejection(config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'team' }));
    expect((statusOf(error) as { message: string }).message).toBe(
      'pods is forbidden: User "system:serviceaccount:canary:canary-runner" cannot list resource "pods" in API group "" in the namespace "team"',
    );
  });

  it('rejects requests without a known bearer token', async () => {
    const file = await writeKubeconfig(`${cluster.dir}/wrong-token.yaml`, {
      server: cluster.api.url,
      token: 'nope',
    });
    const wrong = new KubeConfig();
    wrong.loadFromFile(file);
    const error = await rejection(wrong.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' }));
    expect(error.code).toBe(401);
  });
});

describe('fake Kubernetes API: test controls', () => {
  const isvc = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    name: 'flip',
    namespace: 'ctl',
  };

  it('sets objects with status and mutates them later, bumping resourceVersion', async () => {
    const stored = cluster.api.set({
      apiVersion: isvc.apiVersion,
      kind: isvc.kind,
      metadata: { name: isvc.name, namespace: isvc.namespace },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    const flipped = await cluster.api.mutateAfter(50, isvc, (o) => {
      o['status'] = { conditions: [{ type: 'Ready', status: 'True' }] };
    });
    expect(Number(flipped.metadata.resourceVersion)).toBeGreaterThan(Number(stored.metadata.resourceVersion));
    const condition = cluster.api.setCondition(isvc, { type: 'IngressReady', status: 'True' });
    expect((condition['status'] as { conditions: unknown[] }).conditions).toHaveLength(2);
    const read = (await config.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'serving.kserve.io',
      version: 'v1beta1',
      namespace: 'ctl',
      plural: 'inferenceservices',
      name: 'flip',
    })) as { status: { conditions: Array<{ type: string; status: string }> } };
    expect(read.status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Ready=True',
      'IngressReady=True',
    ]);
    expect(cluster.api.requests.at(-1)).toMatchObject({ method: 'GET', verb: 'get', status: 200 });
  });
});
