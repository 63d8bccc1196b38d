import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { Secret } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { experimentKey } from '../../src/k8s/group-names.js';
import { DEADLINE_MARGIN_S, UNTIMED_TASK_ALLOWANCE_S } from '../../src/k8s/job-bounds.js';
import { launchFromCli, type LaunchFlags } from '../../src/k8s/launch-group.js';
import type { Manifest } from '../../src/k8s/manifests.js';
import { layOutPodFiles } from '../../src/k8s/pod-files.js';
import { packageRoot } from '../../src/version.js';
import { rejectionOf } from '../support/rejection.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-pod-wiring-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `canary k launch FILE --dry-run`: the manifests, and what launch said on stderr. */
async function dryRun(
  file: string,
  extra: Partial<LaunchFlags> = {},
): Promise<{ manifests: Manifest[]; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  await launchFromCli({
    file,
    flags: { set: [], 'set-string': [], values: [], group: 'default', 'dry-run': true, ...extra },
    cwd: process.cwd(),
    env: { CANARY_OFFLINE: '1' },
    output: { log: (text) => out.push(text), warn: (text) => err.push(text) },
  });
  return {
    manifests: parseAllDocuments(out.join('\n')).map((d) => d.toJS() as Manifest),
    stderr: err.join('\n'),
  };
}

const refusal = (promise: Promise<unknown>) => rejectionOf(promise, CanaryError);

async function experimentFile(name: string, tasks: string[], spec: string[] = []): Promise<string> {
  const file = path.join(dir, name);
  const lines = ['apiVersion: canary/v1', 'kind: Experiment', 'metadata: {name: wired}', 'spec:', ...spec];
  await writeFile(file, [...lines, '  tasks:', ...tasks, ''].join('\n'));
  return file;
}

const promTask = (auth: string[]) => [
  '    - id: metrics',
  '      task: custommetrics',
  '      timeout: 30s',
  '      retries: 1',
  '      with:',
  '        templates: {prom: builtin:prometheus}',
  ...auth,
];

function container(manifests: Manifest[]) {
  const workload = manifests.find((m) => m.kind === 'Job' || m.kind === 'CronJob')!;
  const spec = workload['spec'] as {
    jobTemplate?: { spec: unknown };
    template?: unknown;
  };
  const jobSpec = (spec.jobTemplate?.spec ?? spec) as {
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    template: {
      spec: {
        containers: {
          env: { name: string; value?: string; valueFrom?: unknown }[];
          volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
        }[];
        volumes: { name: string; secret?: unknown }[];
      };
    };
  };
  return { jobSpec, pod: jobSpec.template.spec, container: jobSpec.template.spec.containers[0]! };
}

function compiledOf(manifests: Manifest[]) {
  const secret = manifests.find((m) => m.metadata.name === 'canary-default-experiment')!;
  const data = secret['data'] as Record<string, string>;
  const compiled = JSON.parse(Buffer.from(data[experimentKey]!, 'base64').toString('utf8')) as {
    pod?: { depth: number; files: { path: string; key: string }[]; secretFiles: unknown[] };
  };
  return { secret, data, compiled };
}

describe('k launch wires env-var secrets from Kubernetes Secrets, or refuses by name', () => {
  const tasks = [
    ...promTask([
      '        auth: {bearer: {env: PROM_TOKEN}}',
      '        headersFrom: {X-Tenant: {env: TENANT_ID, prefix: "t-"}}',
    ]),
    '    - task: notify',
    '      with: {webhook: {urlFrom: {env: HOOK_URL}}}',
  ];

  it('exits 3 listing every unmapped variable with the flag to add', async () => {
    const file = await experimentFile('env.yaml', tasks);
    const error = await refusal(dryRun(file));
    expect(error.exitCode).toBe(ExitCode.invalidExperiment);
    expect(error.message).toContain('environment variable PROM_TOKEN (tasks[0] (metrics).with.auth.bearer)');
    expect(error.message).toContain('add --secret-env PROM_TOKEN=<secret>/<key>');
    expect(error.message).toContain('add --secret-env TENANT_ID=<secret>/<key>');
    expect(error.message).toContain('environment variable HOOK_URL (tasks[1] (notify).with.webhook.urlFrom)');
    const half = await refusal(
      dryRun(file, { 'secret-env': ['PROM_TOKEN=prom-creds/token', 'HOOK_URL=hooks/url'] }),
    );
    expect(half.message).not.toContain('PROM_TOKEN');
    expect(half.message).toContain('TENANT_ID');
  });

  it('puts each mapped variable in the container env as a secretKeyRef and reports it', async () => {
    const file = await experimentFile('env.yaml', tasks);
    const { manifests, stderr } = await dryRun(file, {
      'secret-env': ['PROM_TOKEN=prom-creds/token', 'TENANT_ID=tenant/id', 'HOOK_URL=hooks/url'],
    });
    const { container: c } = container(manifests);
    expect(c.env).toContainEqual({
      name: 'PROM_TOKEN',
      valueFrom: { secretKeyRef: { name: 'prom-creds', key: 'token' } },
    });
    expect(c.env).toContainEqual({
      name: 'TENANT_ID',
      valueFrom: { secretKeyRef: { name: 'tenant', key: 'id' } },
    });
    expect(stderr).toContain('env PROM_TOKEN from secret prom-creds, key token');
    for (const manifest of manifests.filter((m) => m.kind === 'Job')) new Job(manifest as never).validate();
  });

  it('rejects a malformed mapping as a usage error', async () => {
    const file = await experimentFile('env.yaml', tasks);
    const error = await refusal(dryRun(file, { 'secret-env': ['PROM_TOKEN=prom-creds'] }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(/expected NAME=SECRET\/KEY/);
  });
});

describe('k launch mounts secret files read-only where the experiment reads them', () => {
  const tasks = promTask(['        headersFrom: {Authorization: {file: ./secrets/tok, prefix: "Bearer "}}']);

  it('refuses an unmapped secret file by name', async () => {
    const file = await experimentFile('file.yaml', tasks);
    const error = await refusal(dryRun(file));
    expect(error.exitCode).toBe(ExitCode.invalidExperiment);
    expect(error.message).toContain('secret file ./secrets/tok');
    expect(error.message).toContain('add --secret-file ./secrets/tok=<secret>/<key>');
  });

  it('mounts the named Secret and records where the pod links it', async () => {
    const file = await experimentFile('file.yaml', tasks);
    const { manifests } = await dryRun(file, { 'secret-file': ['./secrets/tok=prom-creds/token'] });
    const { pod, container: c } = container(manifests);
    expect(pod.volumes).toContainEqual({
      name: 'secret-file-0',
      secret: { secretName: 'prom-creds', items: [{ key: 'token', path: 'value' }] },
    });
    expect(c.volumeMounts).toContainEqual({
      name: 'secret-file-0',
      mountPath: '/var/run/canary/secret-files/0',
      readOnly: true,
    });
    expect(c.env).toContainEqual({ name: 'CANARY_SECRET_FILES_DIR', value: '/var/run/canary/secret-files' });
    expect(compiledOf(manifests).compiled.pod?.secretFiles).toEqual([
      { path: 'secrets/tok', mounted: '0/value' },
    ]);
  });
});

describe('k launch carries the files an experiment references in its Secret', () => {
  it("carries quickstart's plugin and warns that a run script's files are not carried", async () => {
    const { manifests, stderr } = await dryRun(path.join(packageRoot, 'experiments/quickstart.yaml'));
    const { data, compiled, secret } = compiledOf(manifests);
    expect(compiled.pod?.depth).toBe(1);
    expect(compiled.pod?.files).toEqual([{ path: '../plugins/file-metrics.js', key: 'file-0' }]);
    const plugin = await readFile(path.join(packageRoot, 'plugins/file-metrics.js'));
    expect(Buffer.from(data['file-0']!, 'base64').equals(plugin)).toBe(true);
    expect(stderr).toMatch(/file \.\.\/plugins\/file-metrics\.js carried in the experiment Secret \(\d/);
    expect(stderr).toMatch(/run script's own files are not carried/);
    new Secret(secret as never).validate();
  });

  it("carries a fixture and the template file it names (relative to the fixture), and sklearn-fixture's builtin one alone", async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'fixtures/rec'), { recursive: true });
    await writeFile(
      path.join(dir, 'fixtures/rec/p.fixture.json'),
      JSON.stringify({ format: 'canary.fixture/v1', provider: 'p', template: '../../templates/p.tpl' }),
    );
    const { wirePod } = await import('../../src/k8s/pod-wiring.js');
    const templates = { p: 'fixture:fixtures/rec/p.fixture.json' };
    const experiment = {
      apiVersion: 'canary/v1' as const,
      kind: 'Experiment' as const,
      metadata: { name: 'f' },
      spec: { concurrency: 1, tasks: [{ id: 'm', task: 'custommetrics', needs: [], with: { templates } }] },
    };
    await mkdir(path.join(dir, 'templates'), { recursive: true });
    await writeFile(path.join(dir, 'templates/p.tpl'), 'template');
    const wiring = await wirePod({ experiment, experimentDir: dir, secretEnv: {}, secretFiles: {} });
    expect(wiring.layout.files.map((f) => f.path)).toEqual([
      'fixtures/rec/p.fixture.json',
      'templates/p.tpl',
    ]);
    expect(Buffer.from(wiring.data['file-1']!, 'base64').toString()).toBe('template');

    const shipped = await dryRun(path.join(packageRoot, 'experiments/sklearn-fixture.yaml'));
    expect(compiledOf(shipped.manifests).compiled.pod?.files.map((f) => f.path)).toEqual([
      'fixtures/sklearn-iris/kserve-prometheus.fixture.json',
    ]);
  });

  it("carries a plugin's relative imports, and warns about packages the image must provide", async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'plugins/lib'), { recursive: true });
    await writeFile(
      path.join(dir, 'plugins/p.js'),
      "import { readFile } from 'node:fs/promises';\nimport path from 'path';\nimport { helper } from './lib/helper.js';\nimport pad from 'left-pad';\nexport default {};\n",
    );
    await writeFile(
      path.join(dir, 'plugins/lib/helper.js'),
      "export const helper = await import('../p.js');\n",
    );
    const { wirePod } = await import('../../src/k8s/pod-wiring.js');
    const experiment = {
      apiVersion: 'canary/v1' as const,
      kind: 'Experiment' as const,
      metadata: { name: 'p' },
      spec: { concurrency: 1, plugins: { p: './plugins/p.js' }, tasks: [] },
    };
    const wiring = await wirePod({ experiment, experimentDir: dir, secretEnv: {}, secretFiles: {} });
    expect(wiring.layout.files.map((f) => f.path)).toEqual(['plugins/p.js', 'plugins/lib/helper.js']);
    expect(wiring.warnings).toEqual(['spec.plugins.p imports package left-pad: the image must provide it']);
  });

  it('refuses a file over the 1 MiB Secret limit with its size, and an absolute or missing path', async () => {
    await writeFile(path.join(dir, 'big.json'), Buffer.alloc(1100 * 1024, 'x'));
    const big = await experimentFile('big.yaml', [
      '    - task: http',
      '      with: {url: "http://127.0.0.1:1/", payload: {file: big.json}}',
    ]);
    const error = await refusal(dryRun(big));
    expect(error.exitCode).toBe(ExitCode.invalidExperiment);
    expect(error.message).toMatch(
      /over Kubernetes' limit of 1\.00 MiB per Secret \(largest: big\.json 1\.07 MiB/,
    );

    const absolute = await experimentFile('abs.yaml', [
      '    - task: notify',
      `      with: {webhook: {url: "http://127.0.0.1:1/", payloadFile: ${path.join(dir, 'p.njk')}}}`,
    ]);
    await writeFile(path.join(dir, 'p.njk'), '{}');
    const abs = await refusal(dryRun(absolute));
    expect(abs.message).toMatch(/payloadFile\) is an absolute path/);
  });
});

describe('Jobs are bounded', () => {
  it('derives activeDeadlineSeconds from task timeouts and ready timeouts, with a TTL; --set overrides', async () => {
    const file = await experimentFile(
      'bounded.yaml',
      [
        '    - task: ready',
        '      with: {resource: deployments, name: app, timeout: 90s}',
        ...promTask(['        auth: {bearer: {value: literal}}']),
        '    - task: assess',
        '      with: {SLOs: {upper: {prom/x: 1}}}',
      ],
      ['  schedule: "*/5 * * * *"'],
    );
    const { manifests, stderr } = await dryRun(file);
    const { jobSpec } = container(manifests);
    expect(jobSpec.activeDeadlineSeconds).toBe(90 + 30 * 2 + UNTIMED_TASK_ALLOWANCE_S + DEADLINE_MARGIN_S);
    expect(jobSpec.ttlSecondsAfterFinished).toBe(86_400);
    expect(stderr).toContain(`ends after ${jobSpec.activeDeadlineSeconds}s at most`);
    const cronJob = manifests.find((m) => m.kind === 'CronJob')!;
    new CronJob(cronJob as never).validate();
    expect(cronJob['spec']).toMatchObject({ successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });

    const overridden = await dryRun(file, {
      set: ['activeDeadlineSeconds=120', 'ttlSecondsAfterFinished=600'],
    });
    expect(container(overridden.manifests).jobSpec).toMatchObject({
      activeDeadlineSeconds: 120,
      ttlSecondsAfterFinished: 600,
    });
    const bad = await refusal(dryRun(file, { set: ['activeDeadlineSeconds=soon'] }));
    expect(bad.exitCode).toBe(ExitCode.usage);
  });
});

describe('the pod lays out carried and secret files', () => {
  it('writes carried files below the work directory and links secret files to their mounts', async () => {
    const experimentDir = await layOutPodFiles(
      {
        depth: 1,
        files: [{ path: '../plugins/p.js', key: 'file-0' }],
        secretFiles: [{ path: 'secrets/tok', mounted: '0/value' }],
      },
      { 'file-0': Buffer.from('export default 1;\n').toString('base64') },
      dir,
      { CANARY_SECRET_FILES_DIR: '/mounted' },
    );
    expect(experimentDir).toBe(path.join(dir, 'experiment'));
    expect(await readFile(path.join(dir, 'plugins/p.js'), 'utf8')).toBe('export default 1;\n');
    expect(await readlink(path.join(experimentDir, 'secrets/tok'))).toBe('/mounted/0/value');
  });

  it('refuses a path that leaves the work directory (an edited Secret)', async () => {
    const error = await refusal(
      layOutPodFiles(
        { depth: 0, files: [{ path: '../../etc/x', key: 'k' }], secretFiles: [] },
        { k: '' },
        dir,
        {},
      ),
    );
    expect(error.message).toMatch(/outside the work directory/);
  });
});

describe('the runner image', () => {
  it('defaults to the package version, and takes a digest; a malformed digest is a usage error', async () => {
    const file = await experimentFile('image.yaml', [
      '    - task: assess',
      '      with: {SLOs: {upper: {p/x: 1}}}',
    ]);
    const version = (
      JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    const plain = await dryRun(file);
    expect(JSON.stringify(container(plain.manifests).container)).toContain(
      `"ghcr.io/canary/canary:${version}"`,
    );
    const pinned = `registry.local/canary@sha256:${'a1'.repeat(32)}`;
    const byDigest = await dryRun(file, { set: [`image=${pinned}`] });
    expect(JSON.stringify(container(byDigest.manifests).container)).toContain(`"image":"${pinned}"`);
    const bad = await refusal(dryRun(file, { set: ['image=registry.local/canary@sha256:abc'] }));
    expect(bad.exitCode).toBe(ExitCode.usage);
    expect(bad.message).toMatch(/a digest must be sha256: and 64 lower-case hex digits/);
  });
});
