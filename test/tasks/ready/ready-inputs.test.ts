import { describe, expect, it } from 'vitest';
import { experimentFromValues } from '../../../src/config/from-values.js';
import { checkAgainstSchema } from '../../../src/config/schema-check.js';
import { readyShortcuts, readyTask, type ReadyInput } from '../../../src/tasks/ready/ready.js';
import type { CheckContext } from '../../../src/tasks/task-definition.js';

const checkContext: CheckContext = { experimentDir: '.', env: {} };

async function problems(input: ReadyInput) {
  return (await readyTask.check!(input, checkContext)).map(
    (p) => `${p.severity} ${p.path.join('.')}: ${p.message}`,
  );
}

describe('ready shortcuts', () => {
  it('agree with the Iter8 values expansion', () => {
    const names = {
      service: 'svc-a',
      deploy: 'deploy-a',
      ksvc: 'ksvc-a',
      isvc: 'isvc-a',
      chaosengine: 'chaos-a',
    };
    const { experiment, problems: found } = experimentFromValues({
      tasks: ['ready'],
      ready: { ...names, timeout: '90s', namespace: 'team' },
    });
    expect(found).toEqual([]);
    const expected = Object.entries(readyShortcuts).map(([key, shortcut]) => ({
      task: 'ready',
      with: { ...shortcut, name: names[key as keyof typeof names], timeout: '90s', namespace: 'team' },
    }));
    expect(experiment.spec.tasks).toEqual(expected);
  });

  it('expand into inputs the task accepts', async () => {
    const { experiment } = experimentFromValues({
      tasks: ['ready'],
      ready: { isvc: 'm', deploy: 'd', timeout: '5m' },
    });
    for (const task of experiment.spec.tasks) {
      expect(checkAgainstSchema(readyTask.inputSchema, task.with)).toEqual([]);
      expect(await problems(task.with as unknown as ReadyInput)).toEqual([]);
    }
  });
});

describe('ready input checks', () => {
  const base: ReadyInput = {
    group: 'serving.kserve.io',
    version: 'v1beta1',
    resource: 'inferenceservices',
    name: 'm',
  };

  it('accepts coherent coordinates, short names and a bare resource', async () => {
    expect(await problems(base)).toEqual([]);
    expect(await problems({ resource: 'isvc', name: 'm', timeout: '2m30s' })).toEqual([]);
    expect(await problems({ group: '', version: 'v1', resource: 'services', name: 'm' })).toEqual([]);
    expect(await problems({ group: 'apps', resource: 'deploy', name: 'm' })).toEqual([]);
  });

  it('rejects a zero timeout and a version without a group', async () => {
    expect(await problems({ ...base, timeout: '0s' })).toEqual([
      'error timeout: timeout must be longer than 0s',
    ]);
    expect(await problems({ resource: 'services', version: 'v1', name: 'm' })).toEqual([
      'error version: version v1 is given without a group, so it could belong to any API group',
    ]);
  });

  it('catches groups that are not groups, or not the resource’s', async () => {
    expect(await problems({ ...base, group: 'core', version: 'v1', resource: 'services' })).toContain(
      'error group: the core API group is written as "" (empty), not "core"',
    );
    expect(await problems({ resource: 'services', group: 'v1', name: 'm' })).toEqual([
      'error group: group "v1" is a version, not an API group',
    ]);
    expect(await problems({ ...base, group: 'Serving_KServe' })).toEqual([
      'error group: group "Serving_KServe" is not an API group name',
    ]);
    expect(await problems({ ...base, group: 'apps', version: 'v1', resource: 'services' })).toEqual([
      'warning group: services are served by the core group "" or API group "serving.knative.dev", not "apps"',
    ]);
    expect(await problems({ ...base, resource: 'isvc.serving.kserve.io' })).toEqual([
      'error resource: resource "isvc.serving.kserve.io" names a group itself, and group is set too',
    ]);
  });

  it('is validated by its schema', () => {
    expect(checkAgainstSchema(readyTask.inputSchema, { ...base, timeout: '60' })).not.toEqual([]);
    expect(checkAgainstSchema(readyTask.inputSchema, { ...base, version: '1' })).not.toEqual([]);
    expect(checkAgainstSchema(readyTask.inputSchema, { ...base, colour: 'red' })).not.toEqual([]);
    expect(checkAgainstSchema(readyTask.inputSchema, { resource: 'isvc' })).not.toEqual([]);
  });

  it('previews what it will wait for', async () => {
    expect(await readyTask.preview!({ ...base, condition: 'Ready' }, checkContext)).toEqual({
      resource: 'inferenceservices.v1beta1.serving.kserve.io',
      name: 'm',
      namespace: "(the experiment's namespace, else the kubeconfig context's)",
      condition: 'Ready',
      timeout: '60s',
    });
  });
});
