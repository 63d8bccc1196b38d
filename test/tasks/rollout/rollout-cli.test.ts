/**
 * `canary run` with a rollout, as a user runs it: the built CLI against the
 * fake API server, with KUBECONFIG pointing at it. Exit codes and end reasons.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/cli-harness.js';
import { startFakeCluster, type FakeCluster } from '../../support/fake-kube-api/index.js';
import { canaryPercentOf, inferenceService } from './inference-service.js';

const root = path.resolve(import.meta.dirname, '../../..');
let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => {
  cluster.api.requests.length = 0;
});

/** An experiment whose candidate scores `errorRate` every loop. */
async function experimentFile(name: string, errorRate: number): Promise<string> {
  const file = path.join(cluster.dir, `${name}.yaml`);
  await writeFile(
    file,
    `apiVersion: canary/v1
kind: Experiment
metadata:
  name: ${name}
spec:
  versions: [candidate]
  plugins:
    file-metrics: ${JSON.stringify(path.join(root, 'plugins', 'file-metrics.js'))}
  tasks:
    - id: measure
      run: echo '{"versions":[{"error-rate":${errorRate}}]}' > "$CANARY_WORKDIR/m.json"
    - id: metrics
      task: file-metrics
      with: { file: m.json, provider: app }
    - id: assess
      task: assess
      with: { SLOs: { upper: { app/error-rate: 0.01 } } }
    - id: rollout
      task: rollout
      with:
        target: { resource: inferenceservices, name: sklearn-iris, namespace: default }
        steps: [50, 100]
        passesPerStep: 1
`,
  );
  return file;
}

async function endRecord(results: string): Promise<{ reason: string; loops: number }> {
  const lines = (await readFile(results, 'utf8')).trim().split('\n');
  return JSON.parse(lines.at(-1)!) as { reason: string; loops: number };
}

const run = (args: string[]) => runCli(['run', ...args], { cwd: cluster.dir, env: cluster.env });

describe('canary run with a rollout', () => {
  it('promotes a passing candidate, ends the run (end reason promoted) and exits 0', async () => {
    cluster.api.set(inferenceService(50));
    const file = await experimentFile('promote', 0.001);
    const results = path.join(cluster.dir, 'promote.jsonl');
    const result = await run([file, '--loops', '5', '--results', results, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(await endRecord(results)).toMatchObject({ kind: 'end', reason: 'promoted', loops: 1 });
    expect(canaryPercentOf(cluster)).toBeUndefined();
  });

  it('rolls a failing candidate back, ends the run (end reason rolled-back) and exits 1', async () => {
    cluster.api.set(inferenceService(50));
    const file = await experimentFile('rollback', 0.3);
    const results = path.join(cluster.dir, 'rollback.jsonl');
    const result = await run([file, '--loops', '5', '--results', results, '--quiet']);
    expect(result.code, result.stderr).toBe(1);
    expect(await endRecord(results)).toMatchObject({ kind: 'end', reason: 'rolled-back', loops: 1 });
    expect(canaryPercentOf(cluster)).toBe(0);
  });

  it('--no-act decides and records, and patches nothing', async () => {
    cluster.api.set(inferenceService(50));
    const file = await experimentFile('trial', 0.001);
    const results = path.join(cluster.dir, 'trial.jsonl');
    const result = await run([file, '--loops', '2', '--results', results, '--quiet', '--no-act']);
    expect(result.code, result.stderr).toBe(0);
    expect(cluster.api.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect(canaryPercentOf(cluster)).toBe(50);
    const loops = (await readFile(results, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; tasks?: Array<{ id: string; decision?: unknown }> })
      .filter((r) => r.kind === 'loop');
    expect(loops.map((l) => l.tasks!.find((t) => t.id === 'rollout')!.decision)).toMatchObject([
      { action: 'promote', from: 50, to: 100, acted: false },
      { action: 'promote', from: 50, to: 100, acted: false },
    ]);
  });

  it('--dry-run prints the patches and talks to no cluster', async () => {
    const file = await experimentFile('dry', 0.001);
    const result = await run([file, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      previews: { rollout: { patches: Record<string, unknown> } };
    };
    expect(printed.previews.rollout.patches).toEqual({
      'step 50%': {
        type: 'application/merge-patch+json',
        body: { spec: { predictor: { canaryTrafficPercent: 50 } } },
      },
      promote: {
        type: 'application/merge-patch+json',
        body: { spec: { predictor: { canaryTrafficPercent: null } } },
      },
      rollback: {
        type: 'application/merge-patch+json',
        body: { spec: { predictor: { canaryTrafficPercent: 0 } } },
      },
    });
    expect(cluster.api.requests).toEqual([]);
  });
});
