import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import KAssert from '../../src/cli/commands/k/assert.js';
import KLog from '../../src/cli/commands/k/log.js';
import KReport from '../../src/cli/commands/k/report.js';
import KRun from '../../src/cli/commands/k/run.js';
import { experimentKey, groupLabels, groupNames, resultsKey } from '../../src/k8s/group-names.js';
import { appendHeader, appendLoop, emptyStore, type ClusterStore } from '../../src/results/cluster-store.js';
import { encodeStore } from '../../src/results/cluster-store-codec.js';
import {
  resultFormat,
  type LoopRecord,
  type LoopStatus,
  type TaskStatus,
} from '../../src/results/records.js';
import { startFakeCluster, type FakeCluster } from '../support/fake-kube-api/index.js';
import { runCommand, type CommandResult } from './run-command.js';

let cluster: FakeCluster;

beforeAll(async () => {
  cluster = await startFakeCluster();
});

afterAll(async () => {
  await cluster.stop();
});

beforeEach(() => cluster.api.allow());

/** Runs a command class in-process against the fake cluster. */
function run(command: Parameters<typeof runCommand>[0], argv: string[]): Promise<CommandResult> {
  return runCommand(command, argv, cluster.kubeconfig);
}

type Verdict = 'pass' | 'fail' | 'nodata';

function loop(
  number: number,
  verdicts: [Verdict, Verdict],
  options: { status?: LoopStatus; task?: TaskStatus } = {},
): LoopRecord {
  const start = new Date(Date.UTC(2025, 0, 1, 0, number)).toISOString();
  const value = (v: Verdict) => (v === 'pass' ? 12 : v === 'fail' ? 30 : null);
  return {
    kind: 'loop',
    loop: number,
    experimentHash: 'sha256:k',
    experimentStart: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    start,
    end: start,
    durationMs: 1500,
    status: options.status ?? 'completed',
    versions: ['baseline', 'candidate'],
    tasks: [
      {
        id: 'custommetrics',
        task: 'custommetrics',
        status: options.task ?? 'completed',
        ...(options.task === 'error' ? { message: 'no metrics backend answered' } : {}),
      },
      { id: 'assess', task: 'assess', status: 'completed' },
    ],
    metrics: verdicts.map((v) => ({
      'kserve-prometheus/latency-mean': {
        value: value(v),
        ...(value(v) === null ? { reason: 'no data' } : {}),
      },
    })),
    slos: verdicts.map((v, version) => ({
      metric: 'kserve-prometheus/latency-mean',
      op: '<=' as const,
      limit: 25,
      version,
      value: value(v),
      status: v,
    })),
  };
}

function storeOf(loops: LoopRecord[], pods: string[] = []): ClusterStore {
  let store = appendHeader(emptyStore(), {
    kind: 'header',
    format: resultFormat,
    tool: { name: 'canary', version: '0.1.0' },
    created: loops[0]?.experimentStart ?? new Date().toISOString(),
    experimentHash: 'sha256:k',
    firstLoop: 1,
    source: 'secret default/canary-x-experiment',
    experiment: {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: 'sklearn-iris' },
      spec: { versions: ['baseline', 'candidate'], concurrency: 4, tasks: [] },
    },
  });
  loops.forEach((record, i) => {
    store = appendLoop(store, record, { keep: 5, ...(pods[i] ? { pod: pods[i] } : {}) }).store;
  });
  return store;
}

function putStore(group: string, store: ClusterStore): void {
  cluster.api.set({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: groupNames(group).resultsSecret, namespace: 'default', labels: groupLabels(group) },
    data: { [resultsKey]: encodeStore(store).toString('base64') },
  });
}

function putWorkload(group: string, kind: 'Job' | 'CronJob', finished = false): void {
  cluster.api.set({
    apiVersion: 'batch/v1',
    kind,
    metadata: { name: groupNames(group).workload, namespace: 'default', labels: groupLabels(group) },
    spec: {},
    ...(finished ? { status: { conditions: [{ type: 'Complete', status: 'True' }] } } : {}),
  });
}

describe('canary k assert', () => {
  it('exits as the local assert does: 0 pass, 1 violated, 5 no data, 4 a task could not run', async () => {
    putStore('pass', storeOf([loop(1, ['fail', 'fail']), loop(2, ['pass', 'pass'])]));
    putStore('fail', storeOf([loop(1, ['pass', 'fail'])]));
    putStore('nodata', storeOf([loop(1, ['pass', 'nodata'])]));
    putStore('error', storeOf([loop(1, ['nodata', 'nodata'], { status: 'error', task: 'error' })]));
    const pass = await run(KAssert, ['-g', 'pass', '--completed', '--nofailure', '--slos']);
    expect(pass).toMatchObject({ code: 0 });
    expect(pass.stdout).toContain('✔ slos: all 2 satisfied');
    const fail = await run(KAssert, ['-g', 'fail', '--slos']);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('✘ slos: 1 of 2 violated');
    expect((await run(KAssert, ['-g', 'nodata', '--slos'])).code).toBe(5);
    const error = await run(KAssert, ['-g', 'error', '--nofailure', '--slos']);
    expect(error.code).toBe(4);
    expect(error.stdout).toContain(
      'nofailure: task custommetrics could not run: no metrics backend answered',
    );
  });

  it('usage errors exit 2: nothing to assert, a bad group name, no results for the group', async () => {
    expect((await run(KAssert, ['-g', 'pass'])).code).toBe(2);
    const badGroup = await run(KAssert, ['-g', 'Bad_Group', '--slos']);
    expect(badGroup.code).toBe(2);
    expect(badGroup.stderr).toMatch(/group "Bad_Group" must be lower-case/);
    const missing = await run(KAssert, ['-g', 'nowhere', '--slos']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'no results for group "nowhere" in namespace "default" (secret canary-nowhere-results not found)',
    );
    expect(missing.stderr).toContain(
      'hint: launch the experiment first: canary k launch -g nowhere -n default',
    );
  });

  it('--timeout: a CronJob never finishes, so a failing assertion waits out the timeout', async () => {
    putStore('cron', storeOf([loop(1, ['pass', 'fail'])]));
    putWorkload('cron', 'CronJob');
    const started = Date.now();
    const result = await run(KAssert, ['-g', 'cron', '--slos', '--timeout', '1500ms']);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('--timeout: a finished Job ends the wait at once', async () => {
    putStore('job', storeOf([loop(1, ['pass', 'fail'])]));
    putWorkload('job', 'Job', true);
    const started = Date.now();
    const result = await run(KAssert, ['-g', 'job', '--slos', '--timeout', '30s']);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('--timeout: waits for the results to appear and for the conditions to hold', async () => {
    putWorkload('later', 'CronJob');
    setTimeout(() => putStore('later', storeOf([loop(1, ['pass', 'fail'])])), 600);
    setTimeout(
      () => putStore('later', storeOf([loop(1, ['pass', 'fail']), loop(2, ['pass', 'pass'])])),
      1800,
    );
    const result = await run(KAssert, ['-g', 'later', '--slos', '--timeout', '20s']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('✔ slos: all 2 satisfied');
  });
});

describe('canary k report', () => {
  it('renders the store in every format, like the local report', async () => {
    putStore('report', storeOf([loop(1, ['pass', 'fail']), loop(2, ['pass', 'pass'])]));
    const text = await run(KReport, ['-g', 'report']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('sklearn-iris');
    expect(text.stdout).toContain('kserve-prometheus/latency-mean');
    const json = JSON.parse((await run(KReport, ['-g', 'report', '-o', 'json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      format: 'canary.report/v1',
      resultsFile: 'secret default/canary-report-results',
      loops: 2,
      verdict: 'pass',
      latestLoop: { loop: 2 },
    });
    expect((await run(KReport, ['-g', 'report', '-o', 'markdown'])).stdout).toContain('|');
    expect((await run(KReport, ['-g', 'report', '-o', 'html'])).stdout).toMatch(/^<!doctype html>/i);
  });

  it('adds the summarized loops to text and markdown reports', async () => {
    const loops = Array.from({ length: 12 }, (_, i) =>
      loop(i + 1, i % 3 === 0 ? ['pass', 'fail'] : ['pass', 'pass']),
    );
    putStore('long', storeOf(loops));
    const text = await run(KReport, ['-g', 'long']);
    expect(text.stdout).toContain('Earlier loops (summarized): 7 loops, 1-7');
    expect(text.stdout).toMatch(/SLO kserve-prometheus\/latency-mean <= 25: 4 pass, 3 fail, 0 no data/);
    const markdown = await run(KReport, ['-g', 'long', '-o', 'markdown']);
    expect(markdown.stdout).toContain('### Earlier loops (summarized)');
    const json = await run(KReport, ['-g', 'long', '-o', 'json']);
    expect(json.stderr).toContain('the report covers the last 5 loops; 7 earlier loops are summarized');
  });

  it('forbidden reading the store: exit 4 and the missing permission', async () => {
    putStore('secret', storeOf([loop(1, ['pass', 'pass'])]));
    cluster.api.forbid({ verb: 'get', resource: 'secrets', name: 'canary-secret-results' });
    const result = await run(KReport, ['-g', 'secret']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'canary: could not read the result store: permission "get" on secrets "canary-secret-results" in namespace "default" is missing (forbidden)',
    );
    expect(result.stderr).toContain('hint: grant it with a Role rule');
  });
});

describe('canary k log', () => {
  function putPod(group: string, name: string, phase: string, startTime: string): void {
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: groupLabels(group) },
      spec: { containers: [{ name: 'canary', image: 'canary:test' }] },
      status: { phase, startTime },
    });
  }

  beforeAll(() => {
    const loops = [loop(1, ['pass', 'pass']), loop(2, ['pass', 'pass']), loop(3, ['pass', 'pass'])];
    putStore('logs', storeOf(loops, ['canary-logs-1', 'canary-logs-2', 'canary-logs-3']));
    // Loop 1's pod is gone; loop 2's has logs; loop 3's has none yet; pod 4 runs and has not recorded a loop.
    putPod('logs', 'canary-logs-2', 'Succeeded', '2025-01-01T00:02:00Z');
    putPod('logs', 'canary-logs-3', 'Succeeded', '2025-01-01T00:03:00Z');
    putPod('logs', 'canary-logs-4', 'Running', '2025-01-01T00:04:00Z');
    putPod('other', 'canary-other-1', 'Succeeded', '2025-01-01T00:01:30Z');
    cluster.api.setPodLog('default', 'canary-logs-2', 'loop 2 started\nloop 2 completed\n');
    cluster.api.setPodLog('default', 'canary-logs-4', 'loop 4 started\n');
    cluster.api.setPodLog('default', 'canary-other-1', 'another group\n');
  });

  it('prints logs grouped by loop in time order, and says why a loop has none', async () => {
    const result = await run(KLog, ['-g', 'logs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '=== loop 1 · pod canary-logs-1 · started 2025-01-01T00:01:00.000Z',
        '(the pod is gone (deleted, or removed by the Job history limits))',
        '',
        '=== loop 2 · pod canary-logs-2 (Succeeded) · started 2025-01-01T00:02:00.000Z',
        'loop 2 started',
        'loop 2 completed',
        '',
        '=== loop 3 · pod canary-logs-3 (Succeeded) · started 2025-01-01T00:03:00.000Z',
        '(the pod wrote no logs)',
        '',
        '=== pod canary-logs-4 (Running) · no loop recorded (still running, or it stopped before recording) · started 2025-01-01T00:04:00.000Z',
        'loop 4 started',
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('another group');
  });

  it('--loop N shows one loop, or says it was never recorded', async () => {
    const one = await run(KLog, ['-g', 'logs', '--loop', '2']);
    expect(one.stdout).toContain('loop 2 completed');
    expect(one.stdout).not.toContain('loop 4 started');
    const none = await run(KLog, ['-g', 'logs', '--loop', '9']);
    expect(none.stdout).toContain('(no loop 9 has been recorded)');
    // A pod still running may be that loop: it is shown too.
    expect(none.stdout).toContain('pod canary-logs-4 (Running)');
  });

  it('a pod that has not started writes no logs yet', async () => {
    putStore('pending', storeOf([]));
    putPod('pending', 'canary-pending-1', 'Pending', '2025-01-01T00:05:00Z');
    const result = await run(KLog, ['-g', 'pending']);
    expect(result.stdout).toContain('(no logs yet (the pod is Pending))');
  });

  it('forbidden logs: the missing permission is named', async () => {
    cluster.api.forbid({ verb: 'get', resource: 'pods/log' });
    const result = await run(KLog, ['-g', 'logs']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'permission "get" on pods/log "canary-logs-2" in namespace "default" is missing',
    );
  });
});

describe('canary k run', () => {
  function putExperiment(group: string, tasks: unknown[]): void {
    const experiment = {
      apiVersion: 'canary/v1',
      kind: 'Experiment',
      metadata: { name: group },
      spec: { concurrency: 4, tasks },
    };
    cluster.api.set({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: groupNames(group).experimentSecret,
        namespace: 'default',
        labels: groupLabels(group),
      },
      data: { [experimentKey]: Buffer.from(JSON.stringify(experiment)).toString('base64') },
    });
  }

  it('exits 0 when the loop was recorded, even when it failed; k assert judges it', async () => {
    putExperiment('failing', [
      { id: 'run', task: 'run', with: { script: 'echo broken; exit 3' }, needs: [] },
    ]);
    process.env.POD_NAME = 'canary-failing-1';
    const result = await run(KRun, ['-g', 'failing', '-q']).finally(() => delete process.env.POD_NAME);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'canary: loop 1 recorded in secret default/canary-failing-results (pod canary-failing-1)',
    );
    expect(result.stderr).toContain('✘ nofailure: task run failed: script exited with code 3: broken');
    expect((await run(KAssert, ['-g', 'failing', '--nofailure'])).code).toBe(1);
    expect((await run(KLog, ['-g', 'failing'])).stdout).toContain(
      '=== loop 1 · pod canary-failing-1 · started',
    );
  });

  it('exits 3 on an invalid experiment and 2 when the group has none', async () => {
    putExperiment('broken', [{ id: 'x', task: 'no-such-task', with: {}, needs: [] }]);
    const invalid = await run(KRun, ['-g', 'broken', '-q']);
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toMatch(
      /canary-broken-experiment\.json:\d+:\d+ +error +spec\.tasks\[0\]\.task: unknown task "no-such-task"/,
    );
    const absent = await run(KRun, ['-g', 'absent', '-q']);
    expect(absent.code).toBe(2);
  });
});
