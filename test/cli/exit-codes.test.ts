import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

let dir: string;

// A plugin that records the metric values given in its inputs, per version.
const plugin = `export default {
  description: 'records given values',
  inputSchema: { type: 'object' },
  produces: () => ['fixed/*'],
  async run(input, context) {
    if (input.explode) throw new Error('backend unreachable');
    (input.versions ?? []).forEach((metrics, v) => {
      for (const [name, value] of Object.entries(metrics)) context.metrics.record(v, 'fixed/' + name, value);
    });
  },
};
`;

function experiment(name: string, tasks: string, extra = ''): string {
  return `apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: ${name}}\nspec:\n  versions: [baseline, candidate]\n  plugins: {fixed: ./fixed.js}\n${extra}  tasks:\n${tasks}`;
}

const slos = '    - task: assess\n      with: {SLOs: {upper: {fixed/latency: 25, fixed/errors: 0}}}\n';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-cli-'));
  await writeFile(path.join(dir, 'fixed.js'), plugin);
  const write = (file: string, text: string) => writeFile(path.join(dir, file), text);
  await write(
    'pass.yaml',
    experiment(
      'pass',
      `    - task: fixed\n      with: {versions: [{latency: 10, errors: 0}, {latency: 20, errors: 0}]}\n${slos}`,
    ),
  );
  await write(
    'violated.yaml',
    experiment(
      'violated',
      `    - task: fixed\n      with: {versions: [{latency: 10, errors: 0}, {latency: 30, errors: 0}]}\n${slos}`,
    ),
  );
  await write(
    'nodata.yaml',
    experiment(
      'nodata',
      `    - task: fixed\n      with: {versions: [{latency: 10, errors: 0}, {errors: 0}]}\n${slos}`,
    ),
  );
  await write('error.yaml', experiment('error', `    - task: fixed\n      with: {explode: true}\n${slos}`));
  await write('failed.yaml', experiment('failed', `    - run: "echo broken; exit 3"\n${slos}`));
  await write('timeout.yaml', experiment('timeout', '    - run: "sleep 5"\n      timeout: 200ms\n'));
  await write('slow.yaml', experiment('slow', '    - run: "echo started; sleep 20"\n'));
  await write(
    'invalid.yaml',
    experiment('invalid', '    - task: assess\n      with: {SLOs: {upper: {fixed/latency: 25ms}}}\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loopRecords(name: string) {
  const text = await readFile(path.join(dir, 'canary-results', `${name}.jsonl`), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { kind: string; status?: string; reason?: string; loop?: number });
}

describe('exit codes of the built binary', () => {
  it('0: every SLO holds', async () => {
    const result = await runCli(['run', 'pass.yaml', '-q'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('slos: all 4 satisfied');
  });

  it('1: an SLO is violated', async () => {
    const result = await runCli(['run', 'violated.yaml', '-q'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('slos: 1 of 4 violated');
  });

  it('1: a task failed (script exited non-zero)', async () => {
    const result = await runCli(['run', 'failed.yaml', '-q'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nofailure: task run failed: script exited with code 3: broken/);
  });

  it('--no-assert exits 0 when the run itself worked', async () => {
    const result = await runCli(['run', 'violated.yaml', '-q', '--no-assert', '--results', 'other.jsonl'], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
  });

  it('2: usage errors (unknown flag, bad --set, unknown command)', async () => {
    expect((await runCli(['run', 'pass.yaml', '--bogus'], { cwd: dir })).code).toBe(2);
    const badSet = await runCli(['run', 'pass.yaml', '--set', 'a[x=1'], { cwd: dir });
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toMatch(/invalid --set "a\[x=1"/);
    expect(badSet.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect((await runCli(['assert'], { cwd: dir })).code).toBe(2);
  });

  it('3: invalid experiment, with file:line:col and no stack trace', async () => {
    const result = await runCli(['run', 'invalid.yaml'], { cwd: dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'invalid.yaml:9:44  error  spec.tasks[0].with.SLOs.upper["fixed/latency"]: must be a number (the limit) or {limit, onNoData, minSamples, mode, failAfter} (got "25ms")',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const validate = await runCli(['validate', 'invalid.yaml', 'pass.yaml'], { cwd: dir });
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('pass.yaml: valid');
    expect(validate.stderr).toContain('invalid.yaml: invalid (1 error');
    expect((await runCli(['validate', 'pass.yaml'], { cwd: dir })).code).toBe(0);
  });

  it('report and assert find the results of an experiment file; -r means --results everywhere', async () => {
    await runCli(['run', 'pass.yaml', '-q'], { cwd: dir });
    await runCli(['run', 'violated.yaml', '-q'], { cwd: dir });
    // Two result files now: without a file or -r, report would have to guess.
    const report = await runCli(['report', 'violated.yaml'], { cwd: dir });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('violated');
    expect((await runCli(['assert', 'pass.yaml', '--slos'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['assert', 'violated.yaml', '--slos'], { cwd: dir })).code).toBe(1);
    const short = await runCli(['assert', '-r', 'canary-results/violated.jsonl', '--slos'], { cwd: dir });
    expect(short.code).toBe(1);
    const shortReport = await runCli(['report', '-r', 'canary-results/pass.jsonl', '-o', 'json'], {
      cwd: dir,
    });
    expect((JSON.parse(shortReport.stdout) as { experiment: { name: string } }).experiment.name).toBe('pass');
    const ranTo = await runCli(['run', 'pass.yaml', '-q', '-r', 'elsewhere.jsonl'], { cwd: dir });
    expect(ranTo.code).toBe(0);
    expect((await runCli(['assert', '-r', 'elsewhere.jsonl', '--slos'], { cwd: dir })).code).toBe(0);
    const missing = await runCli(['report', 'missing.yaml'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('experiment file "missing.yaml" not found');
  });

  it('2: where the experiment comes from: a missing file, or neither a file nor --set', async () => {
    for (const command of ['run', 'validate']) {
      const missing = await runCli([command, 'missing.yaml'], { cwd: dir });
      expect(missing.code, command).toBe(2);
      expect(missing.stderr).toContain('canary: experiment file "missing.yaml" not found');
      const none = await runCli([command], { cwd: dir });
      expect(none.code, command).toBe(2);
      expect(none.stderr).toContain(
        `canary: ${command} needs an experiment: a file, or --set (or -f) values`,
      );
      expect(none.stderr).toContain(`hint: canary ${command} experiment.yaml`);
      expect(none.stderr).toContain(`hint: canary ${command} --set "tasks={http,assess}"`);
    }
  });

  it('2: flag mistakes in one format, with the nearest flag for an unknown one', async () => {
    const unknown = await runCli(['run', 'pass.yaml', '--loop'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'canary: nonexistent flag: --loop\n  hint: did you mean --loops?\n' +
        '  hint: canary run --help lists its flags and arguments\n',
    );
    const badValue = await runCli(['demo', '--canary-delay', 'abc'], { cwd: dir });
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toBe(
      'canary: --canary-delay: expected an integer but received: abc\n' +
        '  hint: canary demo --help lists its flags and arguments\n',
    );
    const badSet = await runCli(['validate', 'pass.yaml', '--set', 'foo'], { cwd: dir });
    expect(badSet.stderr).toContain(`canary: invalid --set "foo": missing '=' after foo (at column 4)`);
    const badSetString = await runCli(['validate', 'pass.yaml', '--set-string', 'foo'], { cwd: dir });
    expect(badSetString.stderr).toContain('canary: invalid --set-string "foo": ');
  });

  it('4: a task could not run (error, timeout)', async () => {
    const error = await runCli(['run', 'error.yaml', '-q'], { cwd: dir });
    expect(error.code).toBe(4);
    expect(error.stderr).toContain('task fixed could not run: backend unreachable');
    const timeout = await runCli(['run', 'timeout.yaml', '-q'], { cwd: dir });
    expect(timeout.code).toBe(4);
    expect(timeout.stderr).toContain('timed out after 200ms');
  });

  it('5: no SLO violated, but one had no data', async () => {
    const result = await runCli(['run', 'nodata.yaml', '-q'], { cwd: dir });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      'slos: 1 of 4 inconclusive (no data, too few samples or no decision), none violated',
    );
  });

  for (const [signal, code, reason] of [
    ['SIGINT', 130, 'interrupted'],
    ['SIGTERM', 143, 'terminated'],
  ] as const) {
    it(`${code}: ${signal} records the loop as interrupted`, async () => {
      const results = `${signal}.jsonl`;
      let sent = false;
      const result = await runCli(['run', 'slow.yaml', '--results', results], {
        cwd: dir,
        onStderr: (text, child) => {
          if (!sent && text.includes('loop 1 started')) {
            sent = true;
            setTimeout(() => child.kill(signal), 300);
          }
        },
      });
      expect(result.code).toBe(code);
      const records = (await readFile(path.join(dir, results), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records.map((r: { kind: string }) => r.kind)).toEqual(['header', 'loop', 'end']);
      expect(records[1].status).toBe('interrupted');
      expect(records[2].reason).toBe(reason);
    });
  }

  it('assert and report read the result file and agree with run', async () => {
    await runCli(['run', 'violated.yaml', '-q', '--results', 'v.jsonl'], { cwd: dir });
    const assert = await runCli(['assert', '--results', 'v.jsonl', '--completed', '--nofailure', '--slos'], {
      cwd: dir,
    });
    expect(assert.code).toBe(1);
    expect(assert.stdout).toContain('✔ completed: loop 1 ran every task');
    expect(assert.stdout).toContain('✘ slos: 1 of 4 violated');
    expect((await runCli(['assert', '--results', 'v.jsonl', '--completed'], { cwd: dir })).code).toBe(0);
    const report = await runCli(['report', '--results', 'v.jsonl', '-o', 'json'], { cwd: dir });
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.verdict).toBe('fail');
    expect(json.versions[1].slos).toContainEqual(
      expect.objectContaining({
        metric: 'fixed/latency',
        op: '<=',
        limit: 25,
        value: 30,
        status: 'fail',
        gate: 'fail',
      }),
    );
  });

  it('running again continues the loop numbering; --fresh starts over and keeps the old file', async () => {
    await runCli(['run', 'pass.yaml', '-q'], { cwd: dir });
    const loops = (await loopRecords('pass')).filter((r) => r.kind === 'loop').map((r) => r.loop);
    expect(loops.length).toBeGreaterThanOrEqual(2);
    expect(loops).toEqual(loops.map((_, i) => i + 1));
    // elapsedTimeSeconds counts from the experiment's first loop, across runs.
    const starts = new Set(
      (await loopRecords('pass'))
        .filter((r) => r.kind === 'loop')
        .map((r) => (r as { experimentStart?: string }).experimentStart),
    );
    expect(starts.size).toBe(1);
    await runCli(['run', 'pass.yaml', '-q', '--fresh'], { cwd: dir });
    expect((await loopRecords('pass')).filter((r) => r.kind === 'loop').map((r) => r.loop)).toEqual([1]);
  });

  it('--help lists the exit codes', async () => {
    const help = await runCli(['run', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/130\s+interrupted by SIGINT/);
  });

  it('--dry-run prints the plan and runs nothing', async () => {
    const result = await runCli(['run', 'slow.yaml', '--dry-run', '--results', 'dry.jsonl'], { cwd: dir });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.tasks.map((t: { id: string }) => t.id)).toEqual(['run']);
    await expect(readFile(path.join(dir, 'dry.jsonl'))).rejects.toThrow();
  });
});

describe('the exit-code table', () => {
  it('is the same in src, the root --help and the README', async () => {
    const { formatExitCodeTable, exitCodeTable } = await import('../../src/exit-codes.js');
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
    const help = await runCli(['--help'], { cwd: root });
    // oclif wraps long lines: compare with white space folded.
    const fold = (text: string) => text.replace(/\s+/g, ' ');
    expect(fold(help.stdout)).toContain(fold(formatExitCodeTable()));
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    for (const [code] of exitCodeTable)
      expect(readme).toMatch(new RegExp(`^\\| (\\d+ / )?${code}( / \\d+)? +\\|`, 'm'));
  });
});

describe('GitHub job summary', () => {
  it('canary run and canary assert append the markdown report when GITHUB_STEP_SUMMARY is set', async () => {
    const summary = path.join(dir, 'summary.md');
    const env = { GITHUB_STEP_SUMMARY: summary };
    expect(
      (await runCli(['run', 'violated.yaml', '-q', '--results', 'gh.jsonl'], { cwd: dir, env })).code,
    ).toBe(1);
    const afterRun = await readFile(summary, 'utf8');
    expect(afterRun).toContain('fixed/latency');
    expect(afterRun).toMatch(/❌/);
    await runCli(['assert', '--results', 'gh.jsonl', '--slos'], { cwd: dir, env });
    expect((await readFile(summary, 'utf8')).length).toBeGreaterThan(afterRun.length);
    const before = (await readFile(summary, 'utf8')).length;
    await runCli(['assert', '--results', 'gh.jsonl', '--slos', '--no-github-summary'], { cwd: dir, env });
    expect((await readFile(summary, 'utf8')).length).toBe(before);
  });
});
