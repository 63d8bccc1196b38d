import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Secret, ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import type { Experiment } from '../../src/config/experiment.js';
import { CanaryError, UsageError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { experimentKey, groupLabels } from '../../src/k8s/group-names.js';
import { archiveName, archiveStamp } from '../../src/k8s/manifest-archive.js';
import { readyTargetsOf, resolveReadyAccessStatically } from '../../src/k8s/manifest-ready-access.js';
import {
  buildGroupManifests,
  defaultImage,
  experimentInSecret,
  renderManifests,
  type Manifest,
} from '../../src/k8s/manifests.js';
import { toolVersion } from '../../src/version.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-manifests-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every manifest against the Kubernetes OpenAPI schema (throws on the first violation). */
function validateAll(manifests: readonly Manifest[]): void {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    Secret,
    ServiceAccount,
    Role,
    RoleBinding,
    Job,
    CronJob,
  };
  for (const manifest of manifests) {
    const Model = models[manifest.kind];
    if (!Model) throw new Error(`no model for ${manifest.kind}`);
    expect(() => new Model(structuredClone(manifest) as never).validate(), manifest.kind).not.toThrow();
  }
}

async function experimentFrom(sets: string[], file?: string): Promise<Experiment> {
  const loaded = await loadExperiment({
    ...(file !== undefined ? { file } : {}),
    cwd: dir,
    values: valuesFromSetArguments(sets, []),
    env: {},
  });
  if (!loaded.experiment) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.experiment;
}

const byKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const one = (manifests: readonly Manifest[], kind: string): Manifest => {
  const found = byKind(manifests, kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('buildGroupManifests', () => {
  it('builds a valid, labelled Job group for a one-shot experiment', async () => {
    const experiment = await experimentFrom([
      'tasks={ready,http}',
      'ready.deploy=my-app',
      'http.url=http://my-app.default:8080',
    ]);
    const manifests = buildGroupManifests({ experiment, group: 'default', namespace: 'apps' });
    validateAll(manifests);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Secret/canary-default-experiment',
      'Secret/canary-default-results',
      'ServiceAccount/canary-default',
      'Role/canary-default',
      'RoleBinding/canary-default',
      'Job/canary-default',
    ]);
    for (const manifest of manifests) {
      expect(manifest.metadata.labels).toEqual(groupLabels('default'));
      expect(manifest.metadata.namespace).toBe('apps');
    }
    const job = one(manifests, 'Job') as Manifest & { spec: Record<string, unknown> };
    expect(job.spec['backoffLimit']).toBe(0);
    const pod = (job.spec['template'] as { spec: Record<string, unknown> }).spec;
    expect(pod['restartPolicy']).toBe('Never');
    expect(pod['serviceAccountName']).toBe('canary-default');
    const container = (pod['containers'] as Array<Record<string, unknown>>)[0]!;
    expect(container['image']).toBe(`ghcr.io/canary/canary:${toolVersion}`);
    expect(defaultImage).toBe(`ghcr.io/canary/canary:${toolVersion}`);
    expect([...(container['command'] as string[]), ...(container['args'] as string[])]).toEqual([
      'canary',
      'k',
      'run',
      '-g',
      'default',
    ]);
  });

  it('puts the experiment (and its values) in the experiment Secret, and leaves the results Secret empty', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    const values = { tasks: ['http'], http: { url: 'http://x:1' } };
    const manifests = buildGroupManifests({ experiment, values, group: 'g1', namespace: 'default' });
    const [experimentSecret, resultsSecret] = byKind(manifests, 'Secret') as Array<
      Manifest & { data?: Record<string, string> }
    >;
    const stored = JSON.parse(
      Buffer.from(experimentSecret!.data![experimentKey]!, 'base64').toString('utf8'),
    ) as unknown;
    expect(stored).toEqual({ experiment, values });
    expect(experimentInSecret(experimentSecret)).toEqual(experiment);
    expect(resultsSecret!.metadata.name).toBe('canary-g1-results');
    expect(resultsSecret!.data).toBeUndefined();
  });

  it('grants exactly the Secrets and the objects ready tasks read, per namespace', async () => {
    const experiment = await experimentFrom([
      'tasks={ready}',
      'ready.isvc=model-a',
      'ready.deploy=web',
      'ready.service=web',
    ]);
    // A second ready task in another namespace, as a file would write it.
    experiment.spec.tasks.push({
      id: 'ready-other',
      task: 'ready',
      with: { resource: 'isvc', name: 'model-b', namespace: 'models' },
      needs: [],
    });
    const manifests = buildGroupManifests({ experiment, group: 'default', namespace: 'apps' });
    validateAll(manifests);
    const roles = byKind(manifests, 'Role');
    expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      'apps/canary-default',
      'models/canary-default.apps',
    ]);
    expect(roles[0]!['rules']).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['canary-default-experiment'],
        verbs: ['get'],
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['canary-default-results'],
        verbs: ['get', 'patch', 'update'],
      },
      { apiGroups: [''], resources: ['services'], resourceNames: ['web'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get'] },
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['model-a'],
        verbs: ['get'],
      },
    ]);
    expect(roles[1]!['rules']).toEqual([
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['model-b'],
        verbs: ['get'],
      },
    ]);
    const bindings = byKind(manifests, 'RoleBinding');
    expect(bindings.map((b) => [b.metadata.namespace, b['roleRef'], b['subjects']])).toEqual([
      [
        'apps',
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'canary-default' },
        [{ kind: 'ServiceAccount', name: 'canary-default', namespace: 'apps' }],
      ],
      [
        'models',
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'canary-default.apps' },
        [{ kind: 'ServiceAccount', name: 'canary-default', namespace: 'apps' }],
      ],
    ]);
    // Nothing cluster-wide, no wildcards, no create, no list.
    const rules = roles.flatMap((r) => r['rules'] as Array<{ verbs: string[]; resourceNames: string[] }>);
    expect(rules.every((r) => r.resourceNames.length > 0)).toBe(true);
    expect(new Set(rules.flatMap((r) => r.verbs))).toEqual(new Set(['get', 'patch', 'update']));
  });

  it('grants a rollout get and patch on exactly its InferenceService, nothing more', async () => {
    const experiment = await experimentFrom(['tasks={ready}', 'ready.isvc=model-a']);
    experiment.spec.tasks.push(
      {
        id: 'assess',
        task: 'assess',
        with: { SLOs: { upper: { 'a/error-rate': 0.01 } } },
        needs: ['ready'],
      },
      {
        id: 'rollout',
        task: 'rollout',
        with: { target: { resource: 'inferenceservices', name: 'model-a' } },
        needs: ['assess'],
      },
      {
        id: 'rollout-llm-team',
        task: 'rollout',
        with: { target: { resource: 'inferenceservices', name: 'model-c', namespace: 'models' } },
        needs: ['assess'],
      },
    );
    const manifests = buildGroupManifests({ experiment, group: 'default', namespace: 'apps' });
    validateAll(manifests);
    const roles = byKind(manifests, 'Role');
    const isvcRules = (rules: unknown) =>
      (rules as Array<{ resources: string[] }>).filter((r) => r.resources[0] === 'inferenceservices');
    // The ready task's get and the rollout's get+patch on the same object: RBAC grants their union.
    expect(isvcRules(roles[0]!['rules'])).toEqual([
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['model-a'],
        verbs: ['get'],
      },
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['model-a'],
        verbs: ['get', 'patch'],
      },
    ]);
    expect(roles[1]!.metadata.namespace).toBe('models');
    expect(roles[1]!['rules']).toEqual([
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['model-c'],
        verbs: ['get', 'patch'],
      },
    ]);
  });

  it('grants an LLMInferenceService rollout get and patch on its candidate and baseline only', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    experiment.spec.tasks.push({
      id: 'rollout',
      task: 'rollout',
      with: { target: { resource: 'llminferenceservices', candidate: 'llama-v2', baseline: 'llama-v1' } },
      needs: [],
    });
    const manifests = buildGroupManifests({ experiment, group: 'default', namespace: 'ns' });
    validateAll(manifests);
    expect((one(manifests, 'Role')['rules'] as unknown[]).at(-1)).toEqual({
      apiGroups: ['serving.kserve.io'],
      resources: ['llminferenceservices'],
      resourceNames: ['llama-v1', 'llama-v2'],
      verbs: ['get', 'patch'],
    });
  });

  it('merges ready tasks on the same type into one rule, and uses resolved access when given', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    const manifests = buildGroupManifests({
      experiment,
      group: 'default',
      namespace: 'ns',
      readyAccess: [
        { namespace: 'ns', group: 'example.com', resource: 'widgets', name: 'b' },
        { namespace: 'ns', group: 'example.com', resource: 'widgets', name: 'a' },
      ],
    });
    expect((one(manifests, 'Role')['rules'] as unknown[]).at(-1)).toEqual({
      apiGroups: ['example.com'],
      resources: ['widgets'],
      resourceNames: ['a', 'b'],
      verbs: ['get'],
    });
  });

  it('locks the pod down', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    const job = one(buildGroupManifests({ experiment, group: 'default', namespace: 'ns' }), 'Job');
    const template = (
      job['spec'] as { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } }
    ).template;
    expect(template.metadata['annotations']).toEqual({ 'sidecar.istio.io/inject': 'false' });
    expect(template.metadata['labels']).toEqual(groupLabels('default'));
    expect(template.spec['securityContext']).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const container = (template.spec['containers'] as Array<Record<string, unknown>>)[0]!;
    expect(container['securityContext']).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container['resources']).toMatchObject({
      requests: { cpu: expect.any(String), memory: expect.any(String) },
      limits: { cpu: expect.any(String), memory: expect.any(String) },
    });
    expect(container['volumeMounts']).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(template.spec['volumes']).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }]);
    expect(container['env']).toEqual(
      expect.arrayContaining([
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'CANARY_CACHE_DIR', value: '/tmp/canary-cache' },
      ]),
    );
  });

  it('makes a CronJob from spec.schedule, from runner=cronjob, and takes the image override', async () => {
    const file = path.join(dir, 'scheduled.yaml');
    await writeFile(
      file,
      [
        'apiVersion: canary/v1',
        'kind: Experiment',
        'metadata: {name: nightly}',
        'spec:',
        '  schedule: "0 3 * * *"',
        '  tasks:',
        '  - task: http',
        '    with: {url: "http://x:1"}',
      ].join('\n'),
    );
    const experiment = await experimentFrom([], file);
    const manifests = buildGroupManifests({
      experiment,
      group: 'nightly',
      namespace: 'ns',
      image: 'reg/canary:dev',
    });
    validateAll(manifests);
    const cronJob = one(manifests, 'CronJob');
    expect(byKind(manifests, 'Job')).toEqual([]);
    expect(cronJob['spec']).toMatchObject({
      schedule: '0 3 * * *',
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { metadata: { labels: groupLabels('nightly') }, spec: { backoffLimit: 0 } },
    });
    const container = (
      cronJob['spec'] as {
        jobTemplate: { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
      }
    ).jobTemplate.spec.template.spec.containers[0]!;
    expect(container.image).toBe('reg/canary:dev');

    const fromRunner = buildGroupManifests({
      experiment: await experimentFrom(['tasks={http}', 'http.url=http://x:1']),
      group: 'default',
      namespace: 'ns',
      runner: 'cronjob',
      schedule: '@hourly',
    });
    expect(one(fromRunner, 'CronJob')['spec']).toMatchObject({ schedule: '@hourly' });
  });

  it('rejects what a Kubernetes CronJob cannot run, and names that it cannot', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    const build = (options: Partial<Parameters<typeof buildGroupManifests>[0]>) => () =>
      buildGroupManifests({ experiment, group: 'default', namespace: 'ns', ...options });
    expect(build({ runner: 'cronjob', schedule: '*/10 * * * * *' })).toThrow(
      /6 fields \(seconds first\), but a Kubernetes CronJob takes 5/,
    );
    expect(build({ runner: 'cronjob', schedule: 'every minute' })).toThrow(/invalid cron schedule/);
    expect(build({ runner: 'cronjob' })).toThrow(/runner=cronjob needs a schedule/);
    expect(build({ runner: 'job', schedule: '* * * * *' })).toThrow(/runner=job runs one loop/);
    try {
      build({ runner: 'cronjob', schedule: '*/10 * * * * *' })();
    } catch (error) {
      expect(error).toBeInstanceOf(CanaryError);
      expect((error as CanaryError).exitCode).toBe(ExitCode.invalidExperiment);
    }
  });

  it('rejects invalid group names and images as usage errors', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    for (const group of ['Bad_Group', 'x'.repeat(41), '-a', '']) {
      expect(() => buildGroupManifests({ experiment, group, namespace: 'ns' })).toThrow(UsageError);
    }
    expect(() => buildGroupManifests({ experiment, group: 'g', namespace: 'ns', image: 'a b' })).toThrow(
      /image must be an image reference/,
    );
  });

  it('renders YAML documents and a JSON List that read back as the same objects', async () => {
    const experiment = await experimentFrom(['tasks={http}', 'http.url=http://x:1']);
    const manifests = buildGroupManifests({ experiment, group: 'default', namespace: 'ns' });
    const yaml = renderManifests(manifests, 'yaml');
    expect(yaml.split('\n').filter((l) => l === '---')).toHaveLength(manifests.length - 1);
    expect(parseAllDocuments(yaml).map((d) => d.toJS() as unknown)).toEqual(manifests);
    expect(JSON.parse(renderManifests(manifests, 'json'))).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: manifests,
    });
  });
});

describe('ready access without a cluster', () => {
  const target = (resource: string, group?: string) => ({
    taskId: 'ready',
    query: { resource, ...(group !== undefined ? { group } : {}) },
    name: 'x',
    namespace: 'ns',
  });

  it('resolves well-known types by short name, kind, plural and dotted form, core group first', () => {
    const resolve = (resource: string, group?: string) => {
      const [access] = resolveReadyAccessStatically([target(resource, group)]);
      return `${access!.group}/${access!.resource}`;
    };
    expect(resolve('isvc')).toBe('serving.kserve.io/inferenceservices');
    expect(resolve('InferenceService')).toBe('serving.kserve.io/inferenceservices');
    expect(resolve('isvc.serving.kserve.io')).toBe('serving.kserve.io/inferenceservices');
    expect(resolve('deploy')).toBe('apps/deployments');
    expect(resolve('services')).toBe('/services');
    expect(resolve('ksvc')).toBe('serving.knative.dev/services');
    expect(resolve('services', 'serving.knative.dev')).toBe('serving.knative.dev/services');
    expect(resolve('widgets', 'example.com')).toBe('example.com/widgets');
  });

  it('refuses to guess an unknown type without a group', () => {
    expect(() => resolveReadyAccessStatically([target('Widget')])).toThrow(
      /--dry-run cannot tell which API resource "Widget" is/,
    );
  });

  it('defaults a target to the experiment namespace, then the launch namespace', async () => {
    const experiment = await experimentFrom(['tasks={ready}', 'ready.deploy=web']);
    expect(readyTargetsOf(experiment, 'launch').map((t) => t.namespace)).toEqual(['launch']);
    experiment.metadata.namespace = 'declared';
    expect(readyTargetsOf(experiment, 'launch').map((t) => t.namespace)).toEqual(['declared']);
  });
});

describe('results archives', () => {
  it('names archives by UTC second, with a counter for launches in the same second', () => {
    const stamp = archiveStamp(new Date('2026-01-31T23:59:58.765Z'));
    expect(stamp).toBe('20260131-235958');
    const names = {
      group: 'g',
      experimentSecret: 'canary-g-experiment',
      resultsSecret: 'canary-g-results',
      workload: 'canary-g',
    };
    expect(archiveName(names, stamp)).toBe('canary-g-results-20260131-235958');
    expect(archiveName(names, stamp, 2)).toBe('canary-g-results-20260131-235958-2');
  });
});
