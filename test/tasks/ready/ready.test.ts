import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TaskError } from '../../../src/errors.js';
import { clearDiscoveryCache } from '../../../src/k8s/discovery.js';
import { MetricBoard } from '../../../src/metrics/metric-board.js';
import { readyTask, type ReadyInput } from '../../../src/tasks/ready/ready.js';
import type { TaskContext, TaskRunResult } from '../../../src/tasks/task-definition.js';
import {
  startFakeCluster,
  writeKubeconfig,
  type FakeCluster,
  type ObjectRef,
} from '../../support/fake-kube-api/index.js';
import { rejectionOf } from '../../support/rejection.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  clearDiscoveryCache();
  cluster.api.allow();
});

interface Run {
  logs: string[];
  result: Promise<TaskRunResult | void>;
}

function contextFor(
  env: Record<string, string | undefined>,
  options: { signal?: AbortSignal; namespace?: string; logs?: string[] } = {},
): TaskContext {
  return {
    taskId: 'ready',
    loop: 1,
    iteration: 1,
    experiment: { name: 'test', ...(options.namespace ? { namespace: options.namespace } : {}) },
    versions: [],
    experimentDir: cluster.dir,
    experimentStart: new Date(),
    env,
    workDir: cluster.dir,
    signal: options.signal ?? new AbortController().signal,
    metrics: new MetricBoard(),
    slos: [],
    log: (message) => options.logs?.push(message),
  };
}

function run(
  input: ReadyInput,
  options: Parameters<typeof contextFor>[1] & { env?: Record<string, string> } = {},
): Run {
  const logs: string[] = [];
  return { logs, result: readyTask.run(input, contextFor(options.env ?? cluster.env, { ...options, logs })) };
}

const taskError = (promise: Promise<unknown>) => rejectionOf(promise, TaskError);

async function timed<T>(promise: Promise<T>): Promise<[T | unknown, number]> {
  const started = performance.now();
  const outcome = await promise.then(
    (v) => v,
    (e: unknown) => e,
  );
  return [outcome, performance.now() - started];
}

const isvcInput = (name: string, extra: Partial<ReadyInput> = {}): ReadyInput => ({
  resource: 'isvc',
  name,
  condition: 'Ready',
  timeout: '1s',
  ...extra,
});

function inferenceService(name: string, status?: Record<string, unknown>, namespace = 'default') {
  return cluster.api.set({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name, namespace },
    spec: {
      predictor: {
        model: {
          modelFormat: { name: 'sklearn' },
          storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model',
        },
      },
    },
    ...(status ? { status } : {}),
  });
}

const isvcRef = (name: string, namespace = 'default'): ObjectRef => ({
  apiVersion: 'serving.kserve.io/v1beta1',
  kind: 'InferenceService',
  name,
  namespace,
});

describe('ready task', () => {
  it('resolves isvc through discovery and succeeds once Ready is True', async () => {
    inferenceService('sklearn-iris', {
      conditions: [
        { type: 'PredictorReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    });
    const { result, logs } = run(isvcInput('sklearn-iris'));
    const output = await result;
    expect(output?.output).toMatch(
      /^inferenceservices\.serving\.kserve\.io "sklearn-iris" in namespace "default" is ready: condition Ready is True \(after .+, 1 check\)$/,
    );
    expect(logs).toEqual([output?.output]);
    const paths = cluster.api.requests.map((r) => r.url);
    expect(paths).toContain('/apis/serving.kserve.io/v1beta1');
    expect(paths).toContain(
      '/apis/serving.kserve.io/v1beta1/namespaces/default/inferenceservices/sklearn-iris',
    );
  });

  it('times out on a missing object with a clear failure', async () => {
    const [error, elapsed] = await timed(run(isvcInput('sklearn-iris-missing')).result);
    expect(error).toBeInstanceOf(TaskError);
    expect(error).toMatchObject({
      kind: 'failure',
      message:
        'not ready within 1s: inferenceservices.serving.kserve.io "sklearn-iris-missing" not found in namespace "default"',
    });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
  });

  it('succeeds when the condition flips from False to True after 2s', async () => {
    inferenceService('flipping', {
      conditions: [{ type: 'Ready', status: 'False', reason: 'PredictorNotReady' }],
    });
    const flipped = cluster.api.mutateAfter(2000, isvcRef('flipping'), (object) => {
      object['status'] = { conditions: [{ type: 'Ready', status: 'True' }] };
    });
    const { result, logs } = run(isvcInput('flipping', { timeout: '10s' }));
    const [output, elapsed] = await timed(result);
    await flipped;
    expect(output).toMatchObject({ output: expect.stringContaining('is ready: condition Ready is True') });
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(6000);
    expect(logs[0]).toBe(
      'waiting: inferenceservices.serving.kserve.io "flipping" in namespace "default": condition Ready is False (reason: PredictorNotReady)',
    );
  });

  it("reports a False condition with the object's reason and message", async () => {
    inferenceService('broken', {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'RevisionFailed',
          message: 'Revision "broken-predictor-00001" failed with message: Back-off pulling image',
        },
      ],
    });
    const error = await taskError(run(isvcInput('broken', { condition: 'ready' })).result);
    expect(error.kind).toBe('failure');
    expect(error.message).toBe(
      'not ready within 1s: inferenceservices.serving.kserve.io "broken" in namespace "default": condition Ready is False (reason: RevisionFailed; message: Revision "broken-predictor-00001" failed with message: Back-off pulling image)',
    );
  });

  it('reports an Unknown condition, a missing condition and a missing status', async () => {
    inferenceService('unknown', {
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Initializing' }],
    });
    inferenceService('partial', {
      conditions: [
        { type: 'PredictorReady', status: 'True' },
        { type: 'IngressReady', status: 'False' },
      ],
    });
    inferenceService('fresh');
    const [unknown, partial, fresh] = await Promise.all(
      ['unknown', 'partial', 'fresh'].map((name) => taskError(run(isvcInput(name)).result)),
    );
    expect(unknown!.message).toMatch(/condition Ready is Unknown \(reason: Initializing\)$/);
    expect(partial!.message).toBe(
      'not ready within 1s: inferenceservices.serving.kserve.io "partial" in namespace "default" has no Ready condition (conditions present: PredictorReady=True, IngressReady=False)',
    );
    expect(fresh!.message).toMatch(/"fresh" in namespace "default" has no status yet/);
    expect([unknown!.kind, partial!.kind, fresh!.kind]).toEqual(['failure', 'failure', 'failure']);
  });

  it('does not trust a status written for an older generation', async () => {
    inferenceService('updated', { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] });
    cluster.api.mutate(isvcRef('updated'), (object) => {
      object['spec'] = { predictor: { model: { modelFormat: { name: 'xgboost' } } } };
    });
    const error = await taskError(run(isvcInput('updated')).result);
    expect(error.message).toMatch(/has status for generation 1 but is at generation 2/);
  });

  it('names the RBAC verb, resource and group when reading is forbidden', async () => {
    inferenceService('sklearn-iris');
    cluster.api.forbid({
      verb: 'get',
      group: 'serving.kserve.io',
      resource: 'inferenceservices',
      namespace: 'default',
    });
    const error = await taskError(run(isvcInput('sklearn-iris')).result);
    expect(error.kind).toBe('error');
    expect(error.message).toBe(
      'could not check readiness within 1s: cannot get inferenceservices.serving.kserve.io in namespace "default": forbidden (grant the verb "get" on resource "inferenceservices" in API group "serving.kserve.io")',
    );
  });

  it('is an execution error when the API server is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const kubeconfig = await writeKubeconfig(path.join(cluster.dir, 'unreachable.yaml'), {
      server: url,
      token: 't',
    });

    const [error, elapsed] = await timed(
      run(isvcInput('sklearn-iris'), { env: { KUBECONFIG: kubeconfig } }).result,
    );
    expect(error).toBeInstanceOf(TaskError);
    expect(error).toMatchObject({ kind: 'error' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^could not check readiness within 1s: cannot reach the Kubernetes API server at ${url}: .*ECONNREFUSED`,
      ),
    );
    expect(elapsed).toBeLessThan(3000);
  });

  it('gives up on an API server that never answers at the timeout', async () => {
    const silent = http.createServer(() => {
      // Accept the request and never answer it.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const kubeconfig = await writeKubeconfig(path.join(cluster.dir, 'silent.yaml'), {
      server: url,
      token: 't',
    });
    try {
      const [error, elapsed] = await timed(
        run(isvcInput('sklearn-iris', { timeout: '500ms' }), { env: { KUBECONFIG: kubeconfig } }).result,
      );
      expect(error).toBeInstanceOf(TaskError);
      expect(error).toMatchObject({
        kind: 'error',
        message: `could not check readiness within 500ms: no answer from the Kubernetes API server at ${url}`,
      });
      expect(elapsed).toBeLessThan(2000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails at once on rejected credentials, an unknown resource type or no kubeconfig', async () => {
    const kubeconfig = await writeKubeconfig(path.join(cluster.dir, 'bad-token.yaml'), {
      server: cluster.api.url,
      token: 'revoked',
    });
    const [unauthorized, unauthorizedTime] = await timed(
      run(isvcInput('x', { timeout: '30s' }), { env: { KUBECONFIG: kubeconfig } }).result,
    );
    expect(unauthorized).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/rejected the credentials \(401 Unauthorized/),
    });
    expect(unauthorizedTime).toBeLessThan(2000);

    const [unknown, unknownTime] = await timed(run({ resource: 'isvcs', name: 'x', timeout: '30s' }).result);
    expect(unknown).toBeInstanceOf(TaskError);
    expect(unknown).toMatchObject({
      kind: 'error',
      message: `the server doesn't have a resource type "isvcs" in any API group; did you mean isvc (inferenceservices.serving.kserve.io)?`,
    });
    expect(unknownTime).toBeLessThan(2000);

    const missing = await taskError(
      run(isvcInput('x'), { env: { HOME: path.join(cluster.dir, 'nowhere') } }).result,
    );
    expect(missing).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^no Kubernetes configuration/),
    });
  });

  it('stops polling promptly when its signal aborts', async () => {
    const controller = new AbortController();
    const { result } = run(isvcInput('never', { timeout: '60s' }), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const started = performance.now();
    controller.abort();
    const error = await taskError(result);
    expect(performance.now() - started).toBeLessThan(200);
    expect(error).toMatchObject({ kind: 'error', message: 'interrupted' });
    const count = cluster.api.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(cluster.api.requests.length).toBe(count);
  });

  it('waits for a Deployment to be Available', async () => {
    const deployment = new Deployment({
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
      status: {
        observedGeneration: 1,
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
        ],
      },
    });
    deployment.validate();
    cluster.api.set(deployment.toJSON() as never);
    const input: ReadyInput = {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      name: 'web',
      condition: 'Available',
    };

    const notYet = await taskError(run({ ...input, timeout: '500ms' }, { namespace: 'shop' }).result);
    expect(notYet.message).toBe(
      'not ready within 500ms: deployments.apps "web" in namespace "shop": condition Available is False (reason: MinimumReplicasUnavailable; message: Deployment does not have minimum availability.)',
    );

    cluster.api.setCondition(
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
      },
    );
    const output = await run({ ...input, timeout: '5s' }, { namespace: 'shop' }).result;
    expect(output?.output).toMatch(
      /^deployments\.apps "web" in namespace "shop" is ready: condition Available is True/,
    );
  });

  it('only needs a Service without a condition to exist', async () => {
    const service = new Service({
      metadata: { name: 'frontend', namespace: 'default' },
      spec: { selector: { app: 'frontend' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    service.validate();
    cluster.api.set(service.toJSON() as never);
    const output = await run({ group: '', version: 'v1', resource: 'services', name: 'frontend' }).result;
    expect(output?.output).toMatch(
      /^services "frontend" in namespace "default" exists \(after .+, 1 check\)$/,
    );
  });

  it("defaults the namespace to the experiment's, then the kubeconfig context's", async () => {
    inferenceService('team-model', { conditions: [{ type: 'Ready', status: 'True' }] }, 'team');
    const fromExperiment = await run(isvcInput('team-model'), { namespace: 'team' }).result;
    expect(fromExperiment?.output).toContain('in namespace "team"');

    const kubeconfig = await writeKubeconfig(path.join(cluster.dir, 'team.yaml'), {
      server: cluster.api.url,
      token: cluster.api.token,
      namespace: 'team',
    });
    const fromContext = await run(isvcInput('team-model'), { env: { KUBECONFIG: kubeconfig } }).result;
    expect(fromContext?.output).toContain('in namespace "team"');

    const explicit = await taskError(
      run(isvcInput('team-model', { namespace: 'other' }), { namespace: 'team' }).result,
    );
    expect(explicit.message).toContain('not found in namespace "other"');
  });
});

afterEach(() => {
  cluster.api.allow();
});
