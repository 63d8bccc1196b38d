import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { binary, runCli } from './cli-harness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

// Records the metric values given in its inputs, per version (as in exit-codes.test.ts).
const plugin = `export default {
  description: 'records given values',
  inputSchema: { type: 'object' },
  produces: () => ['fixed/*'],
  async run(input, context) {
    (input.versions ?? []).forEach((metrics, v) => {
      for (const [name, value] of Object.entries(metrics)) context.metrics.record(v, 'fixed/' + name, value);
    });
  },
};
`;

const experiment = `apiVersion: canary/v1
kind: Experiment
metadata: {name: events}
spec:
  schedule: "* * * * * *"
  maxLoops: 2
  versions: [baseline, candidate]
  plugins: {fixed: ./fixed.js}
  tasks:
    - id: load
      run: "echo measuring"
    - task: fixed
      with: {versions: [{latency: 10, errors: 0}, {latency: 30, errors: 0}]}
    - task: assess
      with: {SLOs: {upper: {fixed/latency: 25, fixed/errors: 0}}}
`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-terminal-'));
  await writeFile(path.join(dir, 'fixed.js'), plugin);
  await writeFile(path.join(dir, 'events.yaml'), experiment);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canary run --json', () => {
  it('streams one parseable JSON line per event, in order, and nothing else on stdout', async () => {
    const result = await runCli(['run', 'events.yaml', '--json'], { cwd: dir });
    expect(result.code).toBe(1); // candidate latency 30 > 25
    const lines = result.stdout.trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const flow = events
      .filter((e) => e.event !== 'task-log')
      .map((e) => `${e.event}${e.id ? ` ${e.id}` : ''}`);
    const loop = [
      'loop-start',
      'task-start load',
      'task-end load',
      'task-start fixed',
      'task-end fixed',
      'task-start assess',
      'task-end assess',
      'loop-end',
    ];
    expect(flow).toEqual(['experiment-start', ...loop, 'wait', ...loop, 'experiment-end']);
    for (const event of events) expect(Date.parse(event.at as string)).not.toBeNaN();
    expect(events[0]).toMatchObject({
      event: 'experiment-start',
      name: 'events',
      schedule: '* * * * * *',
      tasks: [
        { id: 'load', task: 'run' },
        { id: 'fixed', task: 'fixed' },
        { id: 'assess', task: 'assess' },
      ],
    });
    expect(events.find((e) => e.event === 'task-end')).toMatchObject({
      loop: 1,
      id: 'load',
      task: 'run',
      status: 'completed',
      durationMs: expect.any(Number),
      message: null,
    });
    expect(events.find((e) => e.event === 'loop-end')).toMatchObject({
      loop: 1,
      status: 'completed',
      durationMs: expect.any(Number),
      slos: { pass: 3, fail: 1, nodata: 0 },
    });
    expect(events.find((e) => e.event === 'wait')).toMatchObject({ loop: 2, until: expect.any(String) });
    expect(events.at(-1)).toMatchObject({ event: 'experiment-end', reason: 'max-loops', loops: 2 });
    // Summaries still reach stderr; progress lines do not (the events carry them).
    expect(result.stderr).toContain('slos: 1 of 4 violated');
    expect(result.stderr).not.toContain('loop 1 started');
  });

  it('without --json and without a TTY: plain timestamped lines on stderr, stdout empty', async () => {
    const result = await runCli(['run', 'events.yaml', '--loops', '1', '--results', 'plain.jsonl'], {
      cwd: dir,
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^\d\d:\d\d:\d\d loop 1 started$/m);
    expect(result.stderr).not.toContain('\x1b[');
  });
});

describe('canary schema', () => {
  const committed = (file: string) => readFile(path.join(root, 'schemas', file), 'utf8');

  it('prints the committed schemas: experiment (default), report, a task', async () => {
    for (const [args, file] of [
      [[], 'experiment.schema.json'],
      [['experiment'], 'experiment.schema.json'],
      [['report'], 'report.schema.json'],
      [['task', 'assess'], 'tasks/assess.schema.json'],
    ] as const) {
      const result = await runCli(['schema', ...args], { cwd: dir });
      expect(result.code, file).toBe(0);
      expect(JSON.parse(result.stdout), file).toEqual(JSON.parse(await committed(file)));
    }
  });

  it('an unknown or missing task name is a usage error that lists the tasks', async () => {
    const nope = await runCli(['schema', 'task', 'nope'], { cwd: dir });
    expect(nope.code).toBe(2);
    expect(nope.stdout).toBe('');
    expect(nope.stderr).toContain('no built-in task "nope"');
    expect(nope.stderr).toMatch(
      /tasks: assess, custommetrics, grpc, http, llm, notify, slack, github, ready, rollout, run/,
    );
    expect((await runCli(['schema', 'task'], { cwd: dir })).code).toBe(2);
    expect((await runCli(['schema', 'nonsense'], { cwd: dir })).code).toBe(2);
  });
});

describe('canary init', () => {
  it.each(['http', 'kserve', 'kserve-rollout', 'kserve-llm-rollout', 'istio'])(
    '--template %s writes a starter that canary validate accepts',
    async (template) => {
      const file = `init-${template}.yaml`;
      const init = await runCli(['init', file, '--template', template], { cwd: dir });
      expect(init.code).toBe(0);
      expect(init.stderr).toContain(`wrote ${file}`);
      const validate = await runCli(['validate', file], { cwd: dir });
      expect(validate.stderr).toContain(`${file}: valid`);
      expect(validate.code).toBe(0);
    },
  );

  it('writes experiment.yaml by default and refuses to overwrite it without --force', async () => {
    const sub = await mkdtemp(path.join(dir, 'init-'));
    expect((await runCli(['init'], { cwd: sub })).code).toBe(0);
    expect(await readFile(path.join(sub, 'experiment.yaml'), 'utf8')).toContain('task: http');
    const again = await runCli(['init', '--template', 'istio'], { cwd: sub });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('experiment.yaml already exists');
    expect(again.stderr).toContain('hint: canary init experiment.yaml --force overwrites it');
    expect((await runCli(['init', '--template', 'istio', '--force'], { cwd: sub })).code).toBe(0);
    expect(await readFile(path.join(sub, 'experiment.yaml'), 'utf8')).toContain('builtin:istio-prometheus');
  });
});

describe('help, completion and typos', () => {
  it('every command has examples in its --help', async () => {
    const ids = [...Object.keys(COMMANDS), 'autocomplete'];
    expect(ids).toEqual(expect.arrayContaining(['init', 'schema', 'k:run']));
    const results = await Promise.all(ids.map((id) => runCli([...id.split(':'), '--help'], { cwd: dir })));
    results.forEach((result, i) => {
      expect(result.code, ids[i]).toBe(0);
      expect(result.stdout, ids[i]).toMatch(/\nEXAMPLES\n {2}\$ canary /);
    });
  });

  it('a mistyped command suggests the nearest one and exits 2, without prompting', async () => {
    const result = await runCli(['rnu', 'events.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"rnu" is not a canary command; did you mean "run"?');
    const nested = await runCli(['k', 'asert'], { cwd: dir });
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('did you mean "k assert"?');
  });

  it('on a terminal, asks with the whole command line it would run; no exits 2 and runs nothing', async () => {
    // `script` gives the CLI a pseudo-terminal; the answer comes through it from our stdin.
    const ask = (args: string, answer: string) =>
      new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn('script', ['-qec', `${process.execPath} ${binary} ${args}`, '/dev/null'], {
          cwd: dir,
          env: { ...process.env, NO_COLOR: '1' },
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('[y/N]') && child.stdin.writable) child.stdin.end(`${answer}\n`);
        });
        const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(guard);
          resolve({ code, output });
        });
      });
    const typo = await ask('rnu events.yaml --set a=b', 'n');
    expect(typo.output).toContain(
      '"rnu" is not a canary command. Run `canary run events.yaml --set a=b` instead?',
    );
    expect(typo.code).toBe(2);
    const writer = await ask('innit first.yaml', 'n');
    expect(writer.output).toContain('Run `canary init first.yaml` instead?');
    expect(writer.code).toBe(2);
    expect(existsSync(path.join(dir, 'first.yaml'))).toBe(false);
    const yes = await ask('valdate events.yaml', 'y');
    expect(yes.output).toContain('events.yaml: valid');
    expect(yes.code).toBe(0);
  });

  it('top-level help names the places to start: demo and init', async () => {
    const result = await runCli(['--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Start here: `canary demo` [^]*`canary init`/);
  });

  it('shell completion comes from the autocomplete plugin', async () => {
    const result = await runCli(['autocomplete', '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('autocomplete [SHELL]');
  });
});
