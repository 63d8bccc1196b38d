/**
 * The pod, as the kubelet would run it: `k launch` into the fake API server (over TLS, as a real
 * one), then the created Job's or CronJob's container command, args, env (secretKeyRefs resolved
 * from Secrets in the fake), Secret volumes and service-account token are played by the simulated
 * kubelet (test/support/simulated-kubelet.ts), which runs exactly that command with the built
 * `canary` against a real Prometheus scraping the model server. Then `k assert`, `k report` and
 * `k log` read what the pod wrote. A manifest the pod cannot run fails here.
 *
 * These machines cannot fetch the seed's gist: the image env says CANARY_OFFLINE=1 and the pod's
 * cache holds the template, as after a first download.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import KAssert from '../../src/cli/commands/k/assert.js';
import KLog from '../../src/cli/commands/k/log.js';
import KReport from '../../src/cli/commands/k/report.js';
import { groupNames } from '../../src/k8s/group-names.js';
import { launchFromCli } from '../../src/k8s/launch-group.js';
import { startModelServer } from '../../src/model-server/start-model-server.js';
import { packageRoot } from '../../src/version.js';
import { ITER8_SEED_SETS } from '../config/fixtures/iter8-seed.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';
import type { PrometheusServer } from '../support/prometheus.js';
import { imageBinDir, runJobPod, type PodRun } from '../support/simulated-kubelet.js';
import { makeTestCertificate } from '../support/test-certificate.js';
import { inferenceService } from '../tasks/rollout/inference-service.js';
import { runCommand } from './run-command.js';
import { prefillSeedTemplate, readySklearnIris, sendIrisLoad, startScrapedIris } from './scraped-iris.js';

const requestsPerRun = 10;

let dir: string;
let cert: { key: string; cert: string };
let cluster: FakeCluster;
let prometheus: PrometheusServer;
let models: Awaited<ReturnType<typeof startModelServer>>;
let binDir: string;
let imageEnv: Record<string, string>;
let sent = 0;
const podRoots: string[] = [];

/** The ENV of the Dockerfile's last stage: what the image gives every container. */
async function dockerfileEnv(): Promise<Record<string, string>> {
  const text = await readFile(path.join(packageRoot, 'Dockerfile'), 'utf8');
  const lastStage = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const match of lastStage.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const pair of match[1]!.replace(/\\\n/g, ' ').trim().split(/\s+/)) {
      const [name, value] = pair.split('=');
      env[name!] = value!;
    }
  }
  return env;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-pod-sim-'));
  cert = makeTestCertificate(dir);
  cluster = await startFakeCluster({ tls: cert });
  ({ models, prometheus } = await startScrapedIris());
  cluster.api.set(readySklearnIris);
  binDir = await imageBinDir(path.join(packageRoot, 'bin/run.js'));
  imageEnv = { ...(await dockerfileEnv()), CANARY_OFFLINE: '1' };
  await mkdir(path.join(dir, 'launch-cache'), { recursive: true });
  await prefillSeedTemplate(path.join(dir, 'launch-cache'));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await prometheus?.stop();
  await models?.stop();
  for (const root of [dir, binDir, ...podRoots]) if (root) await rm(root, { recursive: true, force: true });
});

/** `canary k launch` as the user runs it, against the fake cluster. */
async function launch(options: {
  file?: string;
  sets?: string[];
  group: string;
  secretEnv?: string[];
  secretFile?: string[];
}) {
  const out: string[] = [];
  await launchFromCli({
    ...(options.file !== undefined ? { file: options.file } : {}),
    flags: {
      set: options.sets ?? [],
      'set-string': [],
      values: [],
      group: options.group,
      'dry-run': false,
      'secret-env': options.secretEnv ?? [],
      'secret-file': options.secretFile ?? [],
    },
    cwd: dir,
    env: { ...cluster.env, CANARY_CACHE_DIR: path.join(dir, 'launch-cache'), CANARY_OFFLINE: '1' },
    output: { log: (text) => out.push(text), warn: (text) => out.push(text) },
  });
  return out.join('\n');
}

/** The kubelet's part: one pod of the group's workload, run to its end. */
async function runPod(group: string, kind: 'Job' | 'CronJob', pod: string): Promise<PodRun> {
  const run = await runJobPod({
    api: cluster.api,
    namespace: 'default',
    workload: { kind, name: groupNames(group).workload },
    token: cluster.api.token,
    ca: cert.cert,
    binDir,
    imageEnv,
    prefill: (root) => prefillSeedTemplate(path.join(root, imageEnv['CANARY_CACHE_DIR']!)),
    podName: pod,
    timeoutMs: 90_000,
  });
  podRoots.push(run.root);
  return run;
}

/** Predictions on both revisions, until Prometheus has scraped them. */
async function sendLoad(): Promise<void> {
  sent += 2 * requestsPerRun;
  await sendIrisLoad({ models, prometheus }, requestsPerRun, sent, [[6.8, 2.8, 4.8, 1.4]]);
}

const k = (command: Parameters<typeof runCommand>[0], argv: string[]) =>
  runCommand(command, argv, cluster.kubeconfig);

/** The pod ran and recorded its loop; `k assert`, `k report` and `k log` read it. */
async function expectRecorded(
  group: string,
  run: PodRun,
  pod: string,
  metric: string,
  loop = 1,
): Promise<void> {
  expect(run.stderr).toContain(
    `loop ${loop} recorded in secret default/canary-${group}-results (pod ${pod})`,
  );
  expect(run.code, run.stderr).toBe(0);
  const assert = await k(KAssert, ['-g', group, '--completed', '--nofailure', '--slos']);
  expect(assert.stdout).toMatch(/✔ slos: all \d+ satisfied/);
  expect(assert.code).toBe(0);
  const report = await k(KReport, ['-g', group]);
  expect(report.stdout).toContain(metric);
  const log = await k(KLog, ['-g', group]);
  expect(log.stdout).toContain(`=== loop ${loop} · pod ${pod} (Succeeded)`);
  expect(log.stdout).toContain(`loop ${loop} recorded`);
}

describe('the pod runs what was launched', () => {
  it('the seed command (ready, custommetrics, assess) as a CronJob pod', { timeout: 120_000 }, async () => {
    await launch({
      sets: [...ITER8_SEED_SETS, `custommetrics.values.prometheusURL=${prometheus.queryUrl}`],
      group: 'seed',
    });
    // The template asks for the increase since the experiment started: the first tick sees none.
    const first = await runPod('seed', 'CronJob', 'canary-seed-29000001-abcde');
    expect(first.stderr).toContain('loop 1 recorded');
    await sendLoad();
    const run = await runPod('seed', 'CronJob', 'canary-seed-29000002-fghij');
    // Exactly the manifest's command; the in-cluster config found the fake through the token and CA.
    expect(run.argv).toEqual(['canary', 'k', 'run', '-g', 'seed']);
    expect(run.env['KUBECONFIG']).toBeUndefined();
    await expectRecorded('seed', run, 'canary-seed-29000002-fghij', 'kserve-prometheus/latency-p90', 2);
  });

  it(
    'an experiment with an env secret and a file secret, from Kubernetes Secrets',
    { timeout: 120_000 },
    async () => {
      const token = 'tok-3f9a1c7e5b';
      for (const [name, key, value] of [
        ['prom-creds', 'token', token],
        ['tenant', 'id', 'team-a'],
      ] as const) {
        cluster.api.set({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: 'default' },
          data: { [key]: Buffer.from(value).toString('base64') },
        });
      }
      const file = path.join(dir, 'secret.yaml');
      await writeFile(
        file,
        `apiVersion: canary/v1
kind: Experiment
metadata: {name: with-secrets}
spec:
  tasks:
    - task: custommetrics
      with:
        templates: {kserve-prometheus: "builtin:kserve-prometheus"}
        auth: {bearer: {env: PROM_TOKEN}}
        headersFrom: {X-Scope-OrgID: {file: ./secrets/tenant}}
        values:
          prometheusURL: ${prometheus.queryUrl}
          labels: {service_name: sklearn-iris-predictor-default}
        versionValues:
          - labels: {revision_name: sklearn-iris-predictor-default-00002}
          - labels: {revision_name: sklearn-iris-predictor-default-00001}
    - task: assess
      with:
        SLOs: {upper: {kserve-prometheus/error-count: 0}}
`,
      );
      const wiring = {
        file,
        secretEnv: ['PROM_TOKEN=prom-creds/token'],
        secretFile: ['./secrets/tenant=tenant/id'],
      };
      await launch({ ...wiring, sets: ['runner=job'], group: 'secrets' });
      await sendLoad();
      const run = await runPod('secrets', 'Job', 'canary-secrets-x1');
      expect(run.env['PROM_TOKEN']).toBe(token);
      await expectRecorded('secrets', run, 'canary-secrets-x1', 'kserve-prometheus/error-count');
      expect(`${run.stdout}${run.stderr}`).not.toContain(token);

      // A Secret that is not there: the kubelet cannot start the container.
      await launch({
        ...wiring,
        secretEnv: ['PROM_TOKEN=missing/token'],
        sets: ['runner=job'],
        group: 'nosecret',
      });
      await expect(runPod('nosecret', 'Job', 'canary-nosecret-x1')).rejects.toThrow(
        /CreateContainerConfigError: secret "missing" not found/,
      );
    },
  );

  it(
    'an experiment with a plugin from ../plugins, carried in the experiment Secret',
    { timeout: 120_000 },
    async () => {
      await mkdir(path.join(dir, 'plugged/plugins'), { recursive: true });
      await mkdir(path.join(dir, 'plugged/experiments'), { recursive: true });
      await copyFile(
        path.join(packageRoot, 'plugins/file-metrics.js'),
        path.join(dir, 'plugged/plugins/file-metrics.js'),
      );
      const file = path.join(dir, 'plugged/experiments/plugin.yaml');
      await writeFile(
        file,
        `apiVersion: canary/v1
kind: Experiment
metadata: {name: with-plugin}
spec:
  plugins: {file-metrics: ../plugins/file-metrics.js}
  tasks:
    - run: 'echo "{\\"versions\\": [{\\"latency\\": 12.5}]}" > "$CANARY_WORKDIR/samples.json"'
    - task: file-metrics
      with: {file: samples.json, provider: app}
    - task: assess
      with:
        SLOs: {upper: {app/latency: 25}}
`,
      );
      await launch({ file, sets: ['runner=job'], group: 'plugin' });
      const run = await runPod('plugin', 'Job', 'canary-plugin-x1');
      await expectRecorded('plugin', run, 'canary-plugin-x1', 'app/latency');

      // The same launch, with the plugin's copy missing from the experiment Secret: the pod refuses.
      await launch({ file, sets: ['runner=job'], group: 'broken' });
      cluster.api.mutate(
        {
          apiVersion: 'v1',
          kind: 'Secret',
          name: groupNames('broken').experimentSecret,
          namespace: 'default',
        },
        (secret) => {
          delete (secret['data'] as Record<string, string>)['file-0'];
        },
      );
      const broken = await runPod('broken', 'Job', 'canary-broken-x1');
      expect(broken.code).toBe(3);
      expect(broken.stderr).toContain(
        'experiment Secret has no key file-0 (file ../plugins/file-metrics.js)',
      );
    },
  );

  it(
    'a rollout experiment: the pod promotes the InferenceService canary; its Role grants get+patch on that object only',
    { timeout: 120_000 },
    async () => {
      cluster.api.set({
        ...inferenceService(50),
        metadata: { name: 'sklearn-rollout', namespace: 'default', generation: 2 },
      });
      await mkdir(path.join(dir, 'rollout/plugins'), { recursive: true });
      await copyFile(
        path.join(packageRoot, 'plugins/file-metrics.js'),
        path.join(dir, 'rollout/plugins/file-metrics.js'),
      );
      const file = path.join(dir, 'rollout/rollout.yaml');
      await writeFile(
        file,
        `apiVersion: canary/v1
kind: Experiment
metadata: {name: rollout}
spec:
  versions: [candidate]
  plugins: {file-metrics: ./plugins/file-metrics.js}
  tasks:
    - run: 'echo "{\\"versions\\": [{\\"error-rate\\": 0}]}" > "$CANARY_WORKDIR/samples.json"'
    - task: file-metrics
      with: {file: samples.json, provider: app}
    - task: assess
      with:
        SLOs: {upper: {app/error-rate: 0.01}}
    - task: rollout
      with:
        target: {resource: inferenceservices, name: sklearn-rollout}
        steps: [50, 100]
`,
      );
      await launch({ file, sets: ['runner=job'], group: 'rollout' });
      // The Role the pod runs under: get and patch on exactly this InferenceService.
      const role = cluster.api.get({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        name: groupNames('rollout').workload,
        namespace: 'default',
      }) as unknown as { rules: Array<{ resources: string[]; resourceNames: string[]; verbs: string[] }> };
      expect(role.rules.filter((r) => r.resources.includes('inferenceservices'))).toEqual([
        {
          apiGroups: ['serving.kserve.io'],
          resources: ['inferenceservices'],
          resourceNames: ['sklearn-rollout'],
          verbs: ['get', 'patch'],
        },
      ]);
      const run = await runPod('rollout', 'Job', 'canary-rollout-x1');
      expect(run.code, run.stderr).toBe(0);
      const stored = cluster.api.get({
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        name: 'sklearn-rollout',
        namespace: 'default',
      }) as unknown as { spec: { predictor: Record<string, unknown> } };
      expect('canaryTrafficPercent' in stored.spec.predictor).toBe(false);
      const log = await k(KLog, ['-g', 'rollout']);
      expect(log.stdout).toMatch(
        /patched inferenceservices\.serving\.kserve\.io "sklearn-rollout".*canaryTrafficPercent 50 -> \(unset\)/,
      );
    },
  );
});
