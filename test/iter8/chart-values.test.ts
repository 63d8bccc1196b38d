import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { podSettingsIgnoredHere } from '../../src/config/from-values.js';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { valuesFromSetArguments } from '../../src/config/set-values.js';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import type { Manifest } from '../../src/k8s/manifests.js';
import { rejectionOf } from '../support/rejection.js';

/** No value of Iter8 v0.14's chart is silently ignored: each is honoured or an error says why. */
const HTTP = ['tasks={http,assess}', 'http.url=http://127.0.0.1:9/', 'assess.SLOs.upper.http/error-rate=0'];

async function validateSets(sets: string[]) {
  const loaded = await loadExperiment({ cwd: process.cwd(), values: valuesFromSetArguments(sets, []) });
  return {
    errors: loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    warnings: loaded.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message),
  };
}

async function dryRun(sets: string[]): Promise<Manifest[]> {
  const out: string[] = [];
  await launchFromCli({
    flags: { set: sets, 'set-string': [], values: [], group: 'g', namespace: 'default', 'dry-run': true },
    cwd: process.cwd(),
    env: {},
    output: { log: (text) => out.push(text), warn: () => undefined },
  });
  return parseAllDocuments(out.join('\n')).map((d) => d.toJS() as Manifest);
}

const launchError = (sets: string[]) => rejectionOf(dryRun(sets), CanaryError);

const podOf = (manifests: Manifest[]) => {
  const job = manifests.find((m) => m.kind === 'Job')!;
  return (job['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
};

describe('chart values are honoured or rejected', () => {
  it('values for a task that tasks does not list are an error naming the task', async () => {
    const { errors } = await validateSets([
      'tasks={http}',
      'http.url=http://127.0.0.1:9/',
      'assess.SLOs.upper.http/latency-mean=0.000001',
    ]);
    expect(errors).toEqual([
      expect.stringContaining('values.assess is set but values.tasks does not list assess'),
    ]);
    expect(errors[0]).toContain('tasks={http,assess}');
  });

  it('an unknown top-level key is an error with "did you mean"', async () => {
    const { errors } = await validateSets([...HTTP, 'runnr=job']);
    expect(errors).toEqual([expect.stringContaining('values.runnr is not a setting')]);
    expect(errors[0]).toContain('did you mean "runner"?');
    expect((await validateSets([...HTTP, 'foo=bar'])).errors[0]).toContain('values.foo is not a setting');
  });

  it('the chart default for abnmetrics (in every copy of values.yaml) is not an error', async () => {
    expect((await validateSets([...HTTP, 'abnmetrics.endpoint=iter8-abn:50051'])).errors).toEqual([]);
  });

  it('majorMinor is accepted and noted', async () => {
    const { errors, warnings } = await validateSets([...HTTP, 'majorMinor=v0.14']);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('values.majorMinor (v0.14)')]);
  });

  it('serviceAccountName: the pod runs as it, and no ServiceAccount, Role or RoleBinding is made', async () => {
    const own = await dryRun([...HTTP, 'runner=job']);
    expect(own.map((m) => m.kind)).toContain('ServiceAccount');
    const manifests = await dryRun([...HTTP, 'runner=job', 'serviceAccountName=iter8-sa']);
    expect(manifests.map((m) => m.kind)).toEqual(['Secret', 'Secret', 'Job']);
    expect(podOf(manifests)['serviceAccountName']).toBe('iter8-sa');
  });

  it('resources become the container resources', async () => {
    const manifests = await dryRun([...HTTP, 'resources.requests.cpu=250m', 'resources.limits.memory=128Mi']);
    const container = (podOf(manifests)['containers'] as Array<Record<string, unknown>>)[0]!;
    expect(container['resources']).toEqual({ requests: { cpu: '250m' }, limits: { memory: '128Mi' } });
    const bad = await launchError([...HTTP, 'resources.cpu=1']);
    expect(bad.message).toContain('resources must be a map of requests and limits');
  });

  it('iter8Image is image; Iter8 own image is refused with what to write', async () => {
    const manifests = await dryRun([...HTTP, 'iter8Image=registry.local/canary:1.2']);
    const container = (podOf(manifests)['containers'] as Array<Record<string, unknown>>)[0]!;
    expect(container['image']).toBe('registry.local/canary:1.2');
    const error = await launchError([...HTTP, 'iter8Image=iter8/iter8:0.14']);
    expect(error.message).toContain("Iter8's own image");
    expect(error.hints.join(' ')).toContain('set image=');
  });

  it('logLevel sets the runner verbosity', async () => {
    const args = async (level: string) =>
      (
        podOf(await dryRun([...HTTP, `logLevel=${level}`]))['containers'] as Array<Record<string, unknown>>
      )[0]!['args'] as string[];
    expect(await args('error')).toEqual(['k', 'run', '-g', 'g', '-q']);
    expect(await args('info')).toEqual(['k', 'run', '-g', 'g']);
    expect((await launchError([...HTTP, 'logLevel=loud'])).message).toContain('logLevel must be one of');
  });

  it('runner=none with k launch is an error', async () => {
    const error = await launchError([...HTTP, 'runner=none']);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toContain('runner=none');
    expect(error.hints.join(' ')).toContain('runner=job');
  });
});

describe('cronjobSchedule without runner=cronjob', () => {
  it('is an error, not a schedule dropped', async () => {
    const { errors } = await validateSets([...HTTP, 'runner=job', 'cronjobSchedule=*/5 * * * *']);
    expect(errors).toEqual([expect.stringContaining('values.cronjobSchedule is set but runner is job')]);
    expect((await validateSets([...HTTP, 'cronjobSchedule=*/5 * * * *'])).errors[0]).toContain(
      'runner=cronjob',
    );
  });
});

describe('k launch FILE with cronjobSchedule but no runner=cronjob', () => {
  it('is a usage error', async () => {
    const error = await launchFromCli({
      file: 'test/iter8/testdata/experiment.yaml',
      flags: {
        set: ['runner=job', 'cronjobSchedule=*/5 * * * *'],
        'set-string': [],
        values: [],
        group: 'g',
        namespace: 'default',
        'dry-run': true,
      },
      cwd: process.cwd(),
      env: {},
      output: { log: () => undefined, warn: () => undefined },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CanaryError);
    expect((error as CanaryError).exitCode).toBe(ExitCode.usage);
    expect((error as CanaryError).message).toContain('cronjobSchedule is set but runner is not cronjob');
  });
});

describe('pod settings in a local run', () => {
  it('are noted, not silently dropped', () => {
    expect(podSettingsIgnoredHere({ tasks: ['http'], resources: {}, logLevel: 'info' })).toBe(
      'values.resources, values.logLevel set the pod of `canary k launch`; a local run has none, so they have no effect here',
    );
    expect(podSettingsIgnoredHere({ tasks: ['http'] })).toBeUndefined();
  });
});
