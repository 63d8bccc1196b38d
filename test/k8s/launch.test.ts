import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Secret, ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import KLaunch from '../../src/cli/commands/k/launch.js';
import { CanaryError, UsageError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { experimentKey, groupLabels, resultsKey } from '../../src/k8s/group-names.js';
import { clearDiscoveryCache } from '../../src/k8s/discovery.js';
import { launchFromCli, type LaunchFlags } from '../../src/k8s/launch-group.js';
import { archivedLabel } from '../../src/k8s/manifest-archive.js';
import type { Manifest } from '../../src/k8s/manifests.js';
import { cachedTemplatePath } from '../../src/metrics/templates/template-source.js';
import { packageRoot } from '../../src/version.js';
import { runCli } from '../cli/cli-harness.js';
import { startFakeCluster, writeKubeconfig, type FakeCluster } from '../support/fake-kube-api/index.js';
import { rejectionOf } from '../support/rejection.js';

const TEMPLATE_URL =
  'https://gist.githubusercontent.com/kalantar/adc6c9b0efe483c00b8f0c20605ac36c/raw/c4562e87b7ac0652b0e46f8f494d024307bff7a1/kserve-prometheus.tpl';

/** The seed's command line, `iter8` -> `canary`, as the shell hands it over (`p'90'` is `p90`). */
const SEED = [
  '--set',
  'tasks={ready,custommetrics,assess}',
  '--set',
  'ready.isvc=sklearn-iris',
  '--set',
  'ready.timeout=180s',
  '--set',
  `custommetrics.templates.kserve-prometheus=${TEMPLATE_URL}`,
  '--set',
  'custommetrics.values.labels.service_name=sklearn-iris-predictor-default',
  '--set',
  'custommetrics.versionValues[0].labels.revision_name=sklearn-iris-predictor-default-00002',
  '--set',
  'custommetrics.versionValues[1].labels.revision_name=sklearn-iris-predictor-default-00001',
  '--set',
  'custommetrics.values.latencyPercentiles={50,75,90,95}',
  '--set',
  'assess.SLOs.upper.kserve-prometheus/error-count=0',
  '--set',
  'assess.SLOs.upper.kserve-prometheus/latency-mean=25',
  '--set',
  'assess.SLOs.upper.kserve-prometheus/latency-p90=40',
  '--set',
  'runner=cronjob',
  '--set',
  'cronjobSchedule=*/1 * * * *',
];

/** The seed's `--set` arguments without the flag names. */
const SEED_SETS = SEED.filter((_, i) => i % 2 === 1);

const SIMPLE_JOB = ['tasks={http}', 'http.url=http://my-app.default:8080', 'runner=job'];

let cluster: FakeCluster;
let cacheDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'canary-launch-cache-'));
  // This machine has no internet: the gist's template comes from the cache, as for an air-gapped user.
  const cached = cachedTemplatePath(cacheDir, TEMPLATE_URL);
  await mkdir(path.dirname(cached), { recursive: true });
  await copyFile(path.resolve(import.meta.dirname, '../metrics/fixtures/kserve-iter8-style.tpl'), cached);
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

beforeEach(async () => {
  clearDiscoveryCache();
  cluster = await startFakeCluster();
  env = { ...cluster.env, CANARY_CACHE_DIR: cacheDir, CANARY_OFFLINE: '1' };
});

afterEach(async () => {
  await cluster.stop();
});

interface Outcome {
  stdout: string;
  stderr: string;
}

function flagsOf(sets: string[], extra: Partial<LaunchFlags> = {}): LaunchFlags {
  return { set: sets, 'set-string': [], values: [], group: 'default', 'dry-run': false, ...extra };
}

async function launch(
  sets: string[],
  extra: Partial<LaunchFlags> = {},
  options: { env?: Record<string, string>; now?: Date; file?: string } = {},
): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  await launchFromCli({
    ...(options.file !== undefined ? { file: options.file } : {}),
    flags: flagsOf(sets, extra),
    cwd: process.cwd(),
    env: options.env ?? env,
    output: { log: (text) => out.push(text), warn: (text) => err.push(text) },
    ...(options.now ? { now: () => options.now! } : {}),
  });
  return { stdout: out.join('\n'), stderr: err.join('\n') };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, CanaryError);

function validate(manifest: Manifest): void {
  const models: Record<string, new (data: never) => { validate(): void }> = {
    Secret,
    ServiceAccount,
    Role,
    RoleBinding,
    Job,
    CronJob,
  };
  new models[manifest.kind]!(structuredClone(manifest) as never).validate();
}

const ref = (kind: string, name: string, namespace = 'default') => ({
  apiVersion: {
    Secret: 'v1',
    ServiceAccount: 'v1',
    Role: 'rbac.authorization.k8s.io/v1',
    RoleBinding: 'rbac.authorization.k8s.io/v1',
    Job: 'batch/v1',
    CronJob: 'batch/v1',
  }[kind]!,
  kind,
  name,
  namespace,
});

describe('canary k launch --dry-run (the seed command)', () => {
  it('prints the group, object by object, and talks to no cluster', async () => {
    const before = cluster.api.requests.length;
    const { stdout } = await launch(SEED_SETS, { 'dry-run': true });
    expect(cluster.api.requests.length).toBe(before);
    const manifests = parseAllDocuments(stdout).map((d) => d.toJS() as Manifest);
    manifests.forEach(validate);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Secret/canary-default-experiment',
      'Secret/canary-default-results',
      'ServiceAccount/canary-default',
      'Role/canary-default',
      'RoleBinding/canary-default',
      'CronJob/canary-default',
    ]);
    for (const m of manifests) {
      expect(m.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'canary',
        'canary.dev/group': 'default',
      });
      expect(m.metadata.namespace).toBe('default');
    }

    const [experimentSecret, resultsSecret, serviceAccount, role, roleBinding, cronJob] = manifests as [
      Manifest,
      Manifest,
      Manifest,
      Manifest,
      Manifest,
      Manifest,
    ];
    const stored = JSON.parse(
      Buffer.from((experimentSecret['data'] as Record<string, string>)[experimentKey]!, 'base64').toString(),
    ) as {
      experiment: { spec: { schedule: string; tasks: Array<{ id: string; task: string; with: unknown }> } };
    };
    expect(stored.experiment.spec.schedule).toBe('*/1 * * * *');
    expect(stored.experiment.spec.tasks.map((t) => [t.id, t.task, t.with])).toEqual([
      [
        'ready',
        'ready',
        {
          group: 'serving.kserve.io',
          version: 'v1beta1',
          resource: 'inferenceservices',
          name: 'sklearn-iris',
          condition: 'Ready',
          timeout: '180s',
        },
      ],
      [
        'custommetrics',
        'custommetrics',
        {
          templates: { 'kserve-prometheus': TEMPLATE_URL },
          values: {
            labels: { service_name: 'sklearn-iris-predictor-default' },
            latencyPercentiles: [50, 75, 90, 95],
          },
          versionValues: [
            { labels: { revision_name: 'sklearn-iris-predictor-default-00002' } },
            { labels: { revision_name: 'sklearn-iris-predictor-default-00001' } },
          ],
        },
      ],
      [
        'assess',
        'assess',
        {
          SLOs: {
            upper: {
              'kserve-prometheus/error-count': 0,
              'kserve-prometheus/latency-mean': 25,
              'kserve-prometheus/latency-p90': 40,
            },
          },
        },
      ],
    ]);
    expect(resultsSecret['data']).toBeUndefined();
    expect(serviceAccount.kind).toBe('ServiceAccount');

    expect(role['rules']).toEqual([
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
      {
        apiGroups: ['serving.kserve.io'],
        resources: ['inferenceservices'],
        resourceNames: ['sklearn-iris'],
        verbs: ['get'],
      },
    ]);
    expect(roleBinding['roleRef']).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'canary-default',
    });
    expect(roleBinding['subjects']).toEqual([
      { kind: 'ServiceAccount', name: 'canary-default', namespace: 'default' },
    ]);

    const spec = cronJob['spec'] as {
      schedule: string;
      concurrencyPolicy: string;
      successfulJobsHistoryLimit: number;
      failedJobsHistoryLimit: number;
      jobTemplate: {
        spec: {
          backoffLimit: number;
          template: { metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> };
        };
      };
    };
    expect(spec).toMatchObject({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid' });
    expect(spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(spec.failedJobsHistoryLimit).toBeGreaterThan(0);
    expect(spec.jobTemplate.spec.backoffLimit).toBe(0);
    const pod = spec.jobTemplate.spec.template;
    expect(pod.metadata.annotations['sidecar.istio.io/inject']).toBe('false');
    expect(pod.spec['serviceAccountName']).toBe('canary-default');
    expect(pod.spec['securityContext']).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
    const container = (pod.spec['containers'] as Array<Record<string, unknown>>)[0]!;
    expect(container['securityContext']).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container['args']).toEqual(['k', 'run', '-g', 'default']);
  });

  it('prints a JSON List with -o json, and honours -g, -n and image=', async () => {
    const { stdout } = await launch([...SEED_SETS, 'image=registry.local/canary:test'], {
      'dry-run': true,
      output: 'json',
      group: 'iris',
      namespace: 'ml',
    });
    const list = JSON.parse(stdout) as { kind: string; items: Manifest[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toContain(
      'ml/canary-iris-experiment',
    );
    const cronJob = list.items.find((m) => m.kind === 'CronJob')!;
    expect(JSON.stringify(cronJob)).toContain('registry.local/canary:test');
  });

  it('launches pinned baselines without a warning: the cluster store keeps pins', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-launch-pinned-'));
    try {
      const file = path.join(dir, 'pinned.yaml');
      await writeFile(
        file,
        [
          'apiVersion: canary/v1',
          'kind: Experiment',
          'metadata: {name: pinned}',
          'spec:',
          '  tasks:',
          '    - task: assess',
          '      with:',
          '        relative:',
          '          baseline: {pinned: golden}',
          "          SLOs: {'p/latency': {maxIncrease: 10%}}",
          '',
        ].join('\n'),
      );
      const { stdout, stderr } = await launch([], { 'dry-run': true }, { file });
      expect(stderr).not.toMatch(/keeps no pins|no baseline/);
      expect(parseAllDocuments(stdout).map((d) => (d.toJS() as Manifest).kind)).toContain('Secret');
      const plain = await launch(SEED_SETS, { 'dry-run': true });
      expect(plain.stderr).not.toMatch(/pins/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a 6-field schedule, which a Kubernetes CronJob cannot run', async () => {
    const sets = SEED_SETS.map((s) =>
      s.startsWith('cronjobSchedule=') ? 'cronjobSchedule=*/10 * * * * *' : s,
    );
    const error = await failure(launch(sets, { 'dry-run': true }));
    expect(error.exitCode).toBe(ExitCode.invalidExperiment);
    expect(error.message).toMatch(/Kubernetes CronJob takes 5/);
  });

  it('gives a Job with runner=job', async () => {
    const { stdout } = await launch(SIMPLE_JOB, { 'dry-run': true });
    const kinds = parseAllDocuments(stdout).map((d) => (d.toJS() as Manifest).kind);
    expect(kinds.at(-1)).toBe('Job');
    expect(kinds).not.toContain('CronJob');
  });
});

describe('canary k launch against a cluster', () => {
  it('creates every object of the group and says so', async () => {
    const { stdout } = await launch(SEED_SETS);
    for (const [kind, name] of [
      ['Secret', 'canary-default-experiment'],
      ['Secret', 'canary-default-results'],
      ['ServiceAccount', 'canary-default'],
      ['Role', 'canary-default'],
      ['RoleBinding', 'canary-default'],
      ['CronJob', 'canary-default'],
    ] as const) {
      const object = cluster.api.get(ref(kind, name));
      expect(object, `${kind}/${name}`).toBeDefined();
      expect(object!.metadata.labels).toEqual(groupLabels('default'));
    }
    expect(stdout).toContain('launched group "default" in namespace "default"');
    expect(stdout).toMatch(/created\s+secret\/canary-default-experiment/);
    expect(stdout).toMatch(/created\s+cronjob\.batch\/canary-default/);
    expect(stdout).toContain('on "*/1 * * * *"');
    const stored = cluster.api.get(ref('Secret', 'canary-default-experiment'))!['data'] as Record<
      string,
      string
    >;
    expect(JSON.parse(Buffer.from(stored[experimentKey]!, 'base64').toString())).toMatchObject({
      experiment: { metadata: { name: 'default' }, spec: { schedule: '*/1 * * * *' } },
    });
  });

  it('replaces the group when launched again, archiving the old results', async () => {
    await launch(SEED_SETS);
    const results = ref('Secret', 'canary-default-results');
    const payload = Buffer.from('old results').toString('base64');
    cluster.api.mutate(results, (secret) => {
      secret['data'] = { [resultsKey]: payload };
    });
    const { stdout } = await launch(SEED_SETS, {}, { now: new Date('2026-01-02T03:04:05Z') });

    const archive = cluster.api.get(ref('Secret', 'canary-default-results-20260102-030405'));
    expect(archive?.['data']).toEqual({ [resultsKey]: payload });
    expect(archive?.metadata.labels).toEqual({
      ...groupLabels('default'),
      [archivedLabel]: '20260102-030405',
    });
    expect(cluster.api.get(results)?.['data']).toBeUndefined();
    expect(stdout).toMatch(
      /archived\s+secret\/canary-default-results: old results copied to secret\/canary-default-results-20260102-030405/,
    );
    expect(stdout).toMatch(/replaced\s+cronjob\.batch\/canary-default/);
    expect(stdout).toMatch(/replaced\s+role\.rbac\.authorization\.k8s\.io\/canary-default/);

    // A third launch in the same second keeps both archives.
    cluster.api.mutate(results, (secret) => {
      secret['data'] = { [resultsKey]: payload };
    });
    await launch(SEED_SETS, {}, { now: new Date('2026-01-02T03:04:05Z') });
    expect(cluster.api.get(ref('Secret', 'canary-default-results-20260102-030405-2'))).toBeDefined();
  });

  it('recreates a Job (its pod template is immutable) and removes the Job when the runner becomes a CronJob', async () => {
    await launch(SIMPLE_JOB);
    const first = cluster.api.get(ref('Job', 'canary-default'))!;
    const again = await launch(SIMPLE_JOB);
    const second = cluster.api.get(ref('Job', 'canary-default'))!;
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect(again.stdout).toMatch(
      /replaced\s+job\.batch\/canary-default: the previous Job and its pods were deleted/,
    );

    const switched = await launch(SEED_SETS);
    expect(cluster.api.get(ref('Job', 'canary-default'))).toBeUndefined();
    expect(cluster.api.get(ref('CronJob', 'canary-default'))).toBeDefined();
    expect(switched.stdout).toMatch(/deleted\s+job\.batch\/canary-default: the runner is now a CronJob/);
  });

  it('writes RBAC in the namespace a ready task reads in, and removes it when no task reads there', async () => {
    const other = ['tasks={ready}', 'ready.deploy=web', 'ready.namespace=apps', 'runner=job'];
    const { stdout } = await launch(other);
    expect(cluster.api.get(ref('Role', 'canary-default.default', 'apps'))?.['rules']).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get'] },
    ]);
    expect(cluster.api.get(ref('RoleBinding', 'canary-default.default', 'apps'))).toBeDefined();
    expect(stdout).toMatch(
      /created\s+role\.rbac\.authorization\.k8s\.io\/canary-default\.default \(namespace apps\)/,
    );

    await launch(SIMPLE_JOB);
    expect(cluster.api.get(ref('Role', 'canary-default.default', 'apps'))).toBeUndefined();
    expect(cluster.api.get(ref('RoleBinding', 'canary-default.default', 'apps'))).toBeUndefined();
  });

  it('resolves ready resources through discovery, as the task will', async () => {
    cluster.api.addResource({
      group: 'example.com',
      version: 'v1',
      name: 'widgets',
      singularName: 'widget',
      kind: 'Widget',
      namespaced: true,
      verbs: ['get', 'list'],
      shortNames: ['wd'],
      custom: true,
    });
    const file = path.join(cluster.dir, 'widget.yaml');
    await writeFile(
      file,
      'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: w}\nspec:\n  tasks:\n  - task: ready\n    with: {resource: wd, name: w1}\n',
    );
    // Without a cluster, `wd` means nothing...
    const dry = await failure(launch([], { 'dry-run': true }, { file }));
    expect(dry.message).toContain('--dry-run cannot tell which API resource "wd" is');
    // ...with one, discovery says it is widgets.example.com.
    await launch([], {}, { file });
    expect(cluster.api.get(ref('Role', 'canary-default'))?.['rules']).toContainEqual({
      apiGroups: ['example.com'],
      resources: ['widgets'],
      resourceNames: ['w1'],
      verbs: ['get'],
    });
  });
});

describe('canary k launch errors', () => {
  it('an unreachable cluster is an execution error (exit 4) that names the server', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'canary-unreachable-'));
    try {
      const kubeconfig = await writeKubeconfig(path.join(dir, 'config'), {
        server: 'http://127.0.0.1:1',
        token: 't',
      });
      const unreachableEnv = { ...env, KUBECONFIG: kubeconfig };
      for (const sets of [SEED_SETS, SIMPLE_JOB]) {
        clearDiscoveryCache();
        const error = await failure(launch(sets, {}, { env: unreachableEnv }));
        expect(error.exitCode).toBe(ExitCode.executionError);
        expect(error.message).toMatch(
          /^cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a forbidden request names the missing permission', async () => {
    cluster.api.forbid({ verb: 'create', resource: 'secrets' });
    const error = await failure(launch(SIMPLE_JOB));
    expect(error.exitCode).toBe(ExitCode.executionError);
    expect(error.message).toBe(
      'forbidden: cannot create secrets "canary-default-experiment" in namespace "default"',
    );
    expect(error.hints[0]).toBe(
      'grant the verb "create" on resource "secrets" in API group "" (the core group) in namespace "default"',
    );
    expect(error.hints.at(-1)).toMatch(/^the API server said: secrets is forbidden/);

    cluster.api.allow();
    cluster.api.forbid({ verb: 'create', resource: 'rolebindings' });
    const rbac = await failure(launch(SIMPLE_JOB));
    // Secrets, ServiceAccount and Role were written before: the error says so (test/k8s/api-faults.test.ts).
    expect(rbac.message).toBe(
      'launch stopped half-way: forbidden: cannot create rolebindings "canary-default" in namespace "default"',
    );
    expect(rbac.hints[0]).toContain('API group "rbac.authorization.k8s.io"');
    expect(rbac.hints.at(-1)).toBe('or remove the group: canary k delete -g default -n default');
  });

  it('an invalid group is a usage error, before anything is read', async () => {
    const before = cluster.api.requests.length;
    const error = await failure(launch(SIMPLE_JOB, { group: 'Not_A_Name' }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('invalid group');
    expect(cluster.api.requests.length).toBe(before);
  });

  it('an invalid experiment is exit 3, a bad runner a usage error', async () => {
    const invalid = await failure(launch(['tasks={http}'], { 'dry-run': true }));
    expect(invalid.exitCode).toBe(ExitCode.invalidExperiment);
    const runner = await failure(
      launch(['tasks={http}', 'http.url=http://x:1', 'runner=daemon'], { 'dry-run': true }),
    );
    expect(runner.exitCode).toBe(ExitCode.invalidExperiment); // from-values reports it as an experiment problem
    const file = path.join(cluster.dir, 'x.yaml');
    await writeFile(
      file,
      'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: x}\nspec:\n  tasks:\n  - task: http\n    with: {url: "http://x:1"}\n',
    );
    const fileRunner = await failure(launch(['runner=daemon'], { 'dry-run': true }, { file }));
    expect(fileRunner).toBeInstanceOf(UsageError);
  });
});

describe('the KLaunch command class (oclif, in-process)', () => {
  let written: string[];

  beforeEach(() => {
    written = [];
    // oclif's log and logToStderr go through console.
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void written.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('runs the seed command line exactly, flags parsed by oclif', async () => {
    await KLaunch.run(['--dry-run', ...SEED], packageRoot);
    expect(written.join('')).toContain('schedule: "*/1 * * * *"');
    await KLaunch.run([...SEED, '-g', 'iris'], packageRoot);
    expect(cluster.api.get(ref('CronJob', 'canary-iris'))).toBeDefined();
  });

  it('exits 2 on an invalid group and 4 on an unreachable cluster', async () => {
    const exitOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 0,
        (error: { oclif?: { exit?: number } }) => error.oclif?.exit,
      );
    expect(await exitOf(KLaunch.run([...SEED, '-g', 'BAD'], packageRoot))).toBe(2);
    vi.stubEnv('KUBECONFIG', path.join(cluster.dir, 'missing'));
    expect(await exitOf(KLaunch.run(SEED, packageRoot))).toBe(4);
  });
});

/** Through the built binary, as a user runs it. */
describe('canary k launch (built binary)', () => {
  it('prints the seed manifests with --dry-run', async () => {
    const result = await runCli(['k', 'launch', '--dry-run', ...SEED], { cwd: process.cwd(), env });
    expect(result.code, result.stderr).toBe(0);
    expect(parseAllDocuments(result.stdout).map((d) => (d.toJS() as Manifest).kind)).toEqual([
      'Secret',
      'Secret',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'CronJob',
    ]);
  });

  it('launches into the fake cluster', async () => {
    const result = await runCli(['k', 'launch', ...SEED], { cwd: process.cwd(), env });
    expect(result.code, result.stderr).toBe(0);
    expect(cluster.api.get(ref('CronJob', 'canary-default'))).toBeDefined();
  });
});
