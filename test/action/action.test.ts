import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startModelServer, type ModelServer } from '../../src/model-server/start-model-server.js';

// The GitHub Action (action.yml), run the way a runner runs a composite action: each step's `env`
// with `${{ inputs.* }}` filled from the inputs (or their defaults), its `run` script in
// `bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY as temporary files,
// and the action's outputs read back through `${{ steps.<id>.outputs.* }}`. canary is the clone's
// build (CANARY_BIN; `npm test` builds first), the service the model server on loopback.

const root = fileURLToPath(new URL('../../', import.meta.url));

interface ActionFile {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id: string; shell: string; run: string; env: Record<string, string> }[] };
}

interface ActionRun {
  code: number | null;
  log: string;
  outputs: Record<string, string>;
  summary: string;
}

const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionFile;

/** `${{ inputs.x }}` / `${{ steps.id.outputs.x }}` in an action.yml string, from the given tables. */
function expand(
  text: string,
  inputs: Record<string, string>,
  steps: Record<string, Record<string, string>> = {},
) {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expression: string) => {
    const [scope, ...rest] = expression.split('.');
    if (scope === 'inputs') return inputs[rest[0]!] ?? '';
    if (scope === 'steps' && rest[1] === 'outputs') return steps[rest[0]!]?.[rest[2]!] ?? '';
    throw new Error(`action.yml uses \${{ ${expression} }}, which this runner does not provide`);
  });
}

function runStep(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const file = path.join(cwd, `step-${Date.now()}.sh`);
    writeFileSync(file, script);
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, log });
    });
  });
}

async function runAction(workspace: string, given: Record<string, string>): Promise<ActionRun> {
  for (const name of Object.keys(given)) expect(Object.keys(action.inputs)).toContain(name);
  const inputs = Object.fromEntries(
    Object.entries(action.inputs).map(([name, input]) => [name, given[name] ?? input.default ?? '']),
  );
  const runnerTemp = mkdtempSync(path.join(workspace, 'runner-temp-'));
  const outputFile = path.join(runnerTemp, 'github-output');
  const summaryFile = path.join(runnerTemp, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const steps: Record<string, Record<string, string>> = {};
  let code: number | null = 0;
  let log = '';
  expect(action.runs.using).toBe('composite');
  for (const step of action.runs.steps) {
    expect(step.shell).toBe('bash');
    const stepEnv = Object.fromEntries(
      Object.entries(step.env).map(([key, value]) => [key, expand(value, inputs)]),
    );
    const result = await runStep(
      expand(step.run, inputs),
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: root,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: runnerTemp,
        CANARY_BIN: path.join(root, 'bin', 'run.js'),
        NO_COLOR: '1',
        ...stepEnv,
      },
      workspace,
    );
    log += result.log;
    steps[step.id] = Object.fromEntries(
      readFileSync(outputFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    code = result.code;
    if (code !== 0) break;
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, output]) => [name, expand(output.value, inputs, steps)]),
  );
  return { code, log, outputs, summary: readFileSync(summaryFile, 'utf8') };
}

const experiment = `apiVersion: canary/v1
kind: Experiment
metadata: { name: action-gate }
spec:
  versions: [baseline, candidate]
  tasks:
    - id: load
      task: http
      with:
        endpoints:
          baseline: { url: "{{ values.baselineURL }}" }
          candidate: { url: "{{ values.candidateURL }}" }
        payload: { instances: [[6.8, 2.8, 4.8, 1.4]] }
        numRequests: 40
        connections: 2
    - task: assess
      with:
        SLOs:
          upper:
            http/error-count: 0
            http/latency-mean: "{{ values.maxLatencyMs }}"
`;

describe('the GitHub Action', () => {
  let server: ModelServer;
  let workspace: string;
  let urls: { baseline: string; candidate: string; failing: string };
  beforeAll(async () => {
    server = await startModelServer({
      versions: [
        { revisionName: 'sklearn-iris-predictor-default-00001', model: 'logistic-regression' },
        { revisionName: 'sklearn-iris-predictor-default-00002', model: 'decision-tree' },
        { revisionName: 'sklearn-iris-predictor-default-00003', model: 'decision-tree', errorRate: 0.5 },
      ],
    });
    const [baseline, candidate, failing] = server.versions.map((version) => version.predictUrl);
    urls = { baseline: baseline!, candidate: candidate!, failing: failing! };
    workspace = mkdtempSync(path.join(tmpdir(), 'canary-action-'));
    mkdirSync(path.join(workspace, 'experiments'));
    writeFileSync(path.join(workspace, 'experiments', 'gate.yaml'), experiment);
    writeFileSync(path.join(workspace, 'limits.yaml'), 'maxLatencyMs: 5000\n');
  });
  afterAll(async () => {
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  const values = (candidate: string) => ({
    experiment: 'experiments/*.yaml',
    set: `baselineURL=${urls.baseline}\ncandidateURL=${candidate}\n`,
    values: 'limits.yaml',
  });

  it('passes a good candidate: exit 0, verdict pass, the markdown report in the job summary', async () => {
    const run = await runAction(workspace, values(urls.candidate));
    expect(run.code, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', verdict: 'pass', 'report-path': '' });
    expect(run.summary).toContain('action-gate');
    expect(run.summary).toContain('http/error-count');
    expect(run.summary).toContain('|'); // a markdown table
  }, 120_000);

  it('fails the step on a violation, and writes the HTML report where report-path says', async () => {
    const run = await runAction(workspace, { ...values(urls.failing), report: 'html' });
    expect(run.code, run.log).toBe(1);
    expect(run.outputs).toMatchObject({ 'exit-code': '1', verdict: 'violation' });
    expect(run.summary).toContain('http/error-count');
    const reports = readdirSync(run.outputs['report-path']!);
    expect(reports).toEqual(['gate-1.html']);
    const html = readFileSync(path.join(run.outputs['report-path']!, reports[0]!), 'utf8');
    expect(html.toLowerCase()).toContain('<html');
    expect(html).toContain('action-gate');
  }, 120_000);

  it('with fail-on never, reports the violation in its outputs but passes the step', async () => {
    const run = await runAction(workspace, { ...values(urls.failing), 'fail-on': 'never' });
    expect(run.code, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '1', verdict: 'violation' });
  }, 120_000);

  it('an invalid experiment stops at validation: exit 3, verdict invalid, nothing run', async () => {
    writeFileSync(
      path.join(workspace, 'broken.yaml'),
      experiment.replace('task: http', 'task: no-such-task'),
    );
    const run = await runAction(workspace, { ...values(urls.candidate), experiment: 'broken.yaml' });
    expect(run.code, run.log).toBe(3);
    expect(run.outputs).toMatchObject({ 'exit-code': '3', verdict: 'invalid' });
    expect(run.log).toContain('no-such-task');
    expect(run.summary).toBe('');
  }, 120_000);

  it('a glob that matches nothing, or a bad fail-on, is a usage error (exit 2) that names the input', async () => {
    const none = await runAction(workspace, { experiment: 'nowhere/*.yaml' });
    expect(none.code).toBe(2);
    expect(none.outputs).toMatchObject({ 'exit-code': '2', verdict: 'error' });
    expect(none.log).toContain("experiment: no file matches 'nowhere/*.yaml'");
    const badFailOn = await runAction(workspace, { ...values(urls.candidate), 'fail-on': 'sometimes' });
    expect(badFailOn.code).toBe(2);
    expect(badFailOn.log).toContain("fail-on is 'sometimes'");
  }, 120_000);
});
