import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeMatches } from '../../src/k8s/close-matches.js';
import { editDistance } from '../../src/util/edit-distance.js';
import { clearDiscoveryCache } from '../../src/k8s/discovery.js';
import { loadKubeClient, type KubeClient } from '../../src/k8s/kube-client.js';
import { resolveResource, UnknownResourceError, type ResourceQuery } from '../../src/k8s/resolve-resource.js';
import { ALL_VERBS, startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';

let cluster: FakeCluster;
let client: KubeClient;
const signal = new AbortController().signal;

beforeAll(async () => {
  cluster = await startFakeCluster();
  client = loadKubeClient({ env: cluster.env });
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => clearDiscoveryCache());

const resolve = (query: ResourceQuery) => resolveResource(client, query, signal);
const coordinates = async (query: ResourceQuery) => {
  const r = await resolve(query);
  return `${r.qualifiedName} ${r.apiVersion} ${r.kind}`;
};

async function failure(query: ResourceQuery): Promise<UnknownResourceError> {
  const error = await resolve(query).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnknownResourceError);
  return error as UnknownResourceError;
}

describe('resolveResource', () => {
  it('resolves short names, kinds, singulars and plurals through discovery', async () => {
    const isvc = 'inferenceservices.serving.kserve.io serving.kserve.io/v1beta1 InferenceService';
    expect(await coordinates({ resource: 'isvc' })).toBe(isvc);
    expect(await coordinates({ resource: 'InferenceService' })).toBe(isvc);
    expect(await coordinates({ resource: 'inferenceservices' })).toBe(isvc);
    expect(await coordinates({ resource: 'inferenceservice' })).toBe(isvc);
    expect(await coordinates({ resource: 'deploy' })).toBe('deployments.apps apps/v1 Deployment');
    expect(await coordinates({ resource: 'cj' })).toBe('cronjobs.batch batch/v1 CronJob');
    expect(await coordinates({ resource: 'rolebinding' })).toBe(
      'rolebindings.rbac.authorization.k8s.io rbac.authorization.k8s.io/v1 RoleBinding',
    );
  });

  it('prefers the core group when names collide, and the given group when there is one', async () => {
    expect(await coordinates({ resource: 'services' })).toBe('services v1 Service');
    expect(await coordinates({ resource: 'Service' })).toBe('services v1 Service');
    expect(await coordinates({ resource: 'ksvc' })).toBe(
      'services.serving.knative.dev serving.knative.dev/v1 Service',
    );
    expect(await coordinates({ resource: 'services', group: 'serving.knative.dev' })).toBe(
      'services.serving.knative.dev serving.knative.dev/v1 Service',
    );
    expect(await coordinates({ resource: 'services', group: '', version: 'v1' })).toBe('services v1 Service');
    expect(await coordinates({ resource: 'isvc', group: 'serving.kserve.io', version: 'v1beta1' })).toContain(
      'inferenceservices.serving.kserve.io',
    );
  });

  it('accepts kubectl-style resource.group and resource.version.group', async () => {
    expect(await coordinates({ resource: 'services.serving.knative.dev' })).toBe(
      'services.serving.knative.dev serving.knative.dev/v1 Service',
    );
    expect(await coordinates({ resource: 'deployments.v1.apps' })).toBe(
      'deployments.apps apps/v1 Deployment',
    );
  });

  it('reports scope and verbs from discovery', async () => {
    const resolved = await resolve({ resource: 'ns' });
    expect(resolved).toMatchObject({ name: 'namespaces', namespaced: false });
    expect((await resolve({ resource: 'po' })).verbs).toEqual(ALL_VERBS);
  });

  it('caches discovery per process', async () => {
    await resolve({ resource: 'isvc' });
    const before = cluster.api.requests.length;
    await resolve({ resource: 'isvc' });
    await resolve({ resource: 'deploy' });
    expect(cluster.api.requests.length).toBe(before);
  });

  it('looks again when a resource type appeared after the cache was filled', async () => {
    await resolve({ resource: 'isvc' });
    cluster.api.addResource({
      group: 'litmuschaos.io',
      version: 'v1alpha1',
      name: 'chaosengines',
      singularName: 'chaosengine',
      kind: 'ChaosEngine',
      namespaced: true,
      verbs: ALL_VERBS,
      custom: true,
    });
    expect(await coordinates({ resource: 'chaosengine' })).toBe(
      'chaosengines.litmuschaos.io litmuschaos.io/v1alpha1 ChaosEngine',
    );
  });

  it('names close matches for an unknown resource', async () => {
    const typo = await failure({ resource: 'isvcs' });
    expect(typo.message).toBe(
      `the server doesn't have a resource type "isvcs" in any API group; did you mean isvc (inferenceservices.serving.kserve.io)?`,
    );
    const misspelt = await failure({ resource: 'deploymnet' });
    expect(misspelt.suggestions[0]).toBe('deployment (deployments.apps)');
    const inGroup = await failure({ resource: 'deploy', group: 'serving.kserve.io', version: 'v1beta1' });
    expect(inGroup.message).toMatch(/in API group "serving.kserve.io", version v1beta1$/);
  });

  it('says when a group or version is not served', async () => {
    expect((await failure({ resource: 'isvc', group: 'serving.kserve.io', version: 'v1' })).message).toBe(
      'the server does not serve API version "serving.kserve.io/v1" (API group "serving.kserve.io" is served at v1beta1)',
    );
    expect((await failure({ resource: 'isvc', group: 'serving.kserv.io' })).message).toBe(
      'the server has no API group "serving.kserv.io" (is the CRD installed?); did you mean group "serving.kserve.io"?',
    );
    expect((await failure({ resource: 'widgets', group: 'example.com', version: 'v1' })).message).toBe(
      'the server does not serve API version "example.com/v1" (is the CRD installed?)',
    );
  });
});

describe('closeMatches', () => {
  it('ranks by edit distance and allows prefixes', () => {
    expect(editDistance('isvcs', 'isvc')).toBe(1);
    expect(editDistance('deplyoment', 'deployment')).toBe(1);
    expect(closeMatches('deplyoment', ['deployment', 'deployments', 'daemonset'])).toEqual([
      'deployment',
      'deployments',
    ]);
    expect(closeMatches('inference', ['inferenceservices', 'pods'])).toEqual(['inferenceservices']);
    expect(closeMatches('xyz', ['pods', 'services'])).toEqual([]);
  });
});
