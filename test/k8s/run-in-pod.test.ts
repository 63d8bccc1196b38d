import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import { ConfigError } from '../../src/errors.js';
import { experimentKey, groupLabels, groupNames, resultsKey } from '../../src/k8s/group-names.js';
import { readGroupStore, type GroupTarget } from '../../src/k8s/group-results.js';
import { loadKubeClient } from '../../src/k8s/kube-client.js';
import { runInPod, type RunInPodOutcome } from '../../src/k8s/run-in-pod.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';

/** A loopback Prometheus: answers the kserve-prometheus queries per revision. */
let prometheus: http.Server;
let prometheusUrl: string;
const latencyMean: Record<string, number> = { '00002': 12, '00001': 18 };

function answer(query: string): number {
  const revision = /revision_name="[^"]*-(\d{5})"/.exec(query)?.[1] ?? '';
  if (query.includes('5xx')) return 0;
  if (query.startsWith('histogram_quantile')) return 30;
  if (query.includes('_sum')) return latencyMean[revision] ?? 0;
  return 100;
}

let cluster: FakeCluster;
let dir: string;

beforeAll(async () => {
  prometheus = http.createServer((request, response) => {
    const query = new URL(request.url!, 'http://x').searchParams.get('query') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1, String(answer(query))] }] },
      }),
    );
  });
  await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/api/v1/query`;
  cluster = await startFakeCluster();
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-run-in-pod-'));
});

afterAll(async () => {
  prometheus.closeAllConnections();
  await new Promise((resolve) => prometheus.close(resolve));
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => cluster.api.allow());

function experimentYaml(
  extraSpec = '',
  firstTask = '    - run: "echo hello from loop $CANARY_LOOP"\n',
): string {
  return `apiVersion: canary/v1
kind: Experiment
metadata: {name: sklearn-iris}
spec:
  schedule: "*/1 * * * *"
${extraSpec}  tasks:
${firstTask}    - task: custommetrics
      with:
        templates: {kserve-prometheus: "builtin:kserve-prometheus"}
        values:
          prometheusURL: ${prometheusUrl}
          labels: {service_name: sklearn-iris-predictor-default}
          latencyPercentiles: [50, 90]
        versionValues:
          - labels: {revision_name: sklearn-iris-predictor-default-00002}
          - labels: {revision_name: sklearn-iris-predictor-default-00001}
    - task: assess
      with:
        SLOs:
          upper: {kserve-prometheus/error-count: 0, kserve-prometheus/latency-mean: 25, kserve-prometheus/latency-p90: 40}
`;
}

/** What launch puts in the experiment Secret: the experiment after every validation stage. */
async function compile(yaml: string, values: Record<string, unknown> = {}): Promise<unknown> {
  await writeFile(path.join(dir, 'e.yaml'), yaml);
  const loaded = await loadExperiment({ file: 'e.yaml', cwd: dir, values });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.experiment;
}

function putExperiment(group: string, compiled: unknown): void {
  const names = groupNames(group);
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.experimentSecret, namespace: 'default', labels: groupLabels(group) },
    type: 'Opaque',
    data: { [experimentKey]: Buffer.from(JSON.stringify(compiled)).toString('base64') },
  });
}

function targetOf(group: string): GroupTarget {
  return { client: loadKubeClient({ env: cluster.env }), namespace: 'default', names: groupNames(group) };
}

const logs: string[] = [];

function runPod(group: string, pod: string, signal = new AbortController().signal): Promise<RunInPodOutcome> {
  return runInPod({
    target: targetOf(group),
    env: { ...cluster.env, PATH: process.env.PATH, POD_NAME: pod },
    signal,
    log: (line) => logs.push(line),
  });
}

const recorded = (outcome: RunInPodOutcome) => {
  if (outcome.status !== 'recorded') throw new Error(`not recorded: ${outcome.reason}`);
  return outcome;
};

describe('runInPod (canary k run)', () => {
  it('three cron ticks are three loops in the store, numbered on, one header, pods recorded', async () => {
    putExperiment('ticks', await compile(experimentYaml()));
    const outcomes = [];
    for (const pod of ['canary-ticks-1-aaaaa', 'canary-ticks-2-bbbbb', 'canary-ticks-3-ccccc']) {
      outcomes.push(recorded(await runPod('ticks', pod)));
    }
    expect(outcomes.map((o) => o.record.loop)).toEqual([1, 2, 3]);
    const store = await readGroupStore(targetOf('ticks'), AbortSignal.timeout(5000));
    expect(store.header).toMatchObject({
      firstLoop: 1,
      source: 'secret default/canary-ticks-experiment',
      experiment: { metadata: { name: 'sklearn-iris' } },
    });
    expect(store.loops.map((r) => r.loop)).toEqual([1, 2, 3]);
    expect(store.pods).toEqual({
      '1': 'canary-ticks-1-aaaaa',
      '2': 'canary-ticks-2-bbbbb',
      '3': 'canary-ticks-3-ccccc',
    });
    // One experiment: every loop counts its elapsed time from the first loop's start.
    expect(new Set(store.loops.map((r) => r.experimentStart)).size).toBe(1);
    expect(store.loops[0]!.experimentStart).toBe(store.header!.created);
    const latest = store.loops[2]!;
    expect(latest.status).toBe('completed');
    expect(latest.tasks.find((t) => t.id === 'run')!.output).toContain('hello from loop 3');
    expect(latest.metrics[0]!['kserve-prometheus/latency-mean']!.value).toBe(12);
    expect(latest.metrics[1]!['kserve-prometheus/latency-mean']!.value).toBe(18);
    expect(latest.slos.every((s) => s.status === 'pass')).toBe(true);
    // The results Secret was created by the first write, with the group's labels.
    const secret = cluster.api.get({ apiVersion: 'v1', kind: 'Secret', name: 'canary-ticks-results' })!;
    expect(secret.metadata.labels).toEqual(groupLabels('ticks'));
    expect(Object.keys(secret['data'] as object)).toEqual([resultsKey]);
  });

  it('a changed experiment starts a new segment: a new header, loops numbered on', async () => {
    putExperiment('changed', await compile(experimentYaml()));
    recorded(await runPod('changed', 'p1'));
    putExperiment('changed', await compile(experimentYaml('', '    - run: "echo changed"\n')));
    const second = recorded(await runPod('changed', 'p2'));
    expect(second.record.loop).toBe(2);
    const store = await readGroupStore(targetOf('changed'), AbortSignal.timeout(5000));
    expect(store.header!.firstLoop).toBe(2);
    expect(store.loops[1]!.experimentHash).not.toBe(store.loops[0]!.experimentHash);
    expect(store.loops[1]!.experimentStart).toBe(store.header!.created);
  });

  it('stops at spec.maxLoops and marks the store ended', async () => {
    putExperiment('bounded', await compile(experimentYaml('  maxLoops: 2\n')));
    recorded(await runPod('bounded', 'p1'));
    recorded(await runPod('bounded', 'p2'));
    const third = await runPod('bounded', 'p3');
    expect(third).toEqual({ status: 'skipped', reason: 'spec.maxLoops (2) reached: no loop to run' });
    const store = await readGroupStore(targetOf('bounded'), AbortSignal.timeout(5000));
    expect(store.loops).toHaveLength(2);
    expect(store.end).toMatchObject({ reason: 'max-loops', lastLoop: 2, loops: 2 });
  });

  it('takes values from an {experiment, values} envelope (conditions read them at run time)', async () => {
    const yaml = experimentYaml('', '    - run: "echo skipped?"\n      if: values.smoke\n');
    putExperiment('envelope', {
      experiment: await compile(yaml, { smoke: false }),
      values: { smoke: false },
    });
    const outcome = recorded(await runPod('envelope', 'p1'));
    expect(outcome.record.tasks.find((t) => t.id === 'run')!.status).toBe('skipped');
  });

  it('records an interrupted loop when the pod is told to stop', async () => {
    putExperiment('stopped', await compile(experimentYaml('', '    - run: "sleep 10"\n')));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const outcome = recorded(await runPod('stopped', 'p1', controller.signal));
    expect(outcome.record.status).toBe('interrupted');
    const store = await readGroupStore(targetOf('stopped'), AbortSignal.timeout(5000));
    expect(store.loops[0]!.status).toBe('interrupted');
  });

  it('re-validates the compiled experiment, with diagnostics naming its Secret', async () => {
    const compiled = (await compile(experimentYaml())) as {
      spec: { tasks: Array<{ with: Record<string, unknown> }> };
    };
    compiled.spec.tasks[2]!.with['SLOs'] = { upper: { 'kserve-prometheus/latency-mean': '25ms' } };
    putExperiment('invalid', compiled);
    const error = (await runPod('invalid', 'p1').catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.diagnostics[0]).toMatchObject({
      file: 'canary-invalid-experiment.json',
      path: 'spec.tasks[2].with.SLOs.upper["kserve-prometheus/latency-mean"]',
      message: 'must be a number (the limit) or {limit, onNoData, minSamples, mode, failAfter} (got "25ms")',
    });
    expect(error.diagnostics[0]!.line).toBeGreaterThan(1);
  });

  it('says when the group has no experiment, or the pod may not read it', async () => {
    await expect(runPod('absent', 'p1')).rejects.toThrow(
      'no experiment for group "absent" in namespace "default" (secret canary-absent-experiment not found)',
    );
    putExperiment('denied', await compile(experimentYaml()));
    cluster.api.forbid({ verb: 'get', resource: 'secrets', name: 'canary-denied-experiment' });
    await expect(runPod('denied', 'p1')).rejects.toThrow(
      'could not read the experiment: permission "get" on secrets "canary-denied-experiment" in namespace "default" is missing (forbidden)',
    );
  });
});
