/**
 * Edited SLOs replayed on a recording with known values: the verdicts that change and the exit code,
 * exactly. The recording is made by a real run (a `run` script writes the values, the file-metrics
 * plugin records them, assess judges them), three loops with the candidate's mean latency 13, 14, 15.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFromCli, type RunFlags } from '../../src/cli/run-experiment-command.js';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import type { ReplayReport } from '../../src/replay/replay-report.js';
import { runCli } from '../cli/cli-harness.js';

const root = path.resolve(import.meta.dirname, '../..');
let dir: string;
let recording: string;

const measure = `import { writeFileSync } from 'node:fs';
const loop = Number(process.env.CANARY_LOOP);
writeFileSync(process.argv[2], JSON.stringify({ versions: [
  { 'latency-mean': 10, 'error-count': 0, 'request-count': 100 },
  { 'latency-mean': 12 + loop, 'error-count': 1, 'request-count': 100 },
] }));
`;

/** The experiment with `assess` as given (YAML lines indented under `with:`), and more task fields. */
function experiment(assess: string, options: { name?: string; taskFields?: string } = {}): string {
  return `apiVersion: canary/v1
kind: Experiment
metadata:
  name: ${options.name ?? 'replay-test'}
spec:
  versions: [baseline, candidate]
  plugins:
    file-metrics: ${JSON.stringify(path.join(root, 'plugins', 'file-metrics.js'))}
  tasks:
    - id: measure
      run: node measure.mjs "$CANARY_WORKDIR/samples.json"
    - id: metrics
      task: file-metrics
      with: { file: samples.json, provider: app }
    - id: assess
      task: assess${options.taskFields ?? ''}
      with:
${assess}
`;
}

const original = `        SLOs:
          upper:
            app/latency-mean: 20
            app/error-count: 1`;

const quiet = {
  set: [],
  'set-string': [],
  values: [],
  fresh: false,
  'dry-run': false,
  quiet: true,
  assert: true,
};

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Replay `assess` (or a whole experiment text) on the recording: stdout lines and the exit code. */
async function replay(
  text: string,
  flags: Partial<RunFlags> = {},
): Promise<{ lines: string[]; code: number; stdout: string }> {
  const file = await write(`edit-${Math.random().toString(36).slice(2)}.yaml`, text);
  const out: string[] = [];
  const code = await runFromCli(
    file,
    { ...quiet, replay: recording, ...flags },
    {
      log: (line) => out.push(line),
      warn: () => {},
    },
  );
  const stdout = out.join('\n');
  return { lines: stdout.split('\n'), code, stdout };
}

/** The report lines below the headline (which names temporary paths). */
const body = (lines: string[]) => lines.slice(1);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-replay-'));
  await write('measure.mjs', measure);
  recording = path.join(dir, 'recorded.jsonl');
  const file = await write('original.yaml', experiment(original));
  const code = await runFromCli(
    file,
    { ...quiet, loops: 3, results: recording, 'github-summary': false },
    {
      log: () => {},
      warn: () => {},
    },
  );
  expect(code).toBe(ExitCode.ok);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('canary run EDITED.yaml --replay RECORDED', () => {
  it('the unedited experiment changes nothing, and the recording is left as it was', async () => {
    const before = await readFile(recording, 'utf8');
    const { lines, code } = await replay(experiment(original));
    expect(body(lines)).toEqual([
      'loop 1: no change (4 verdicts)',
      'loop 2: no change (4 verdicts)',
      'loop 3: no change (4 verdicts)',
      'summary: 3 loops replayed, no verdict changed (12 verdicts)',
      'loop 3 as replayed:',
      '✔ completed: loop 3 ran every task',
      '✔ nofailure: no task failed',
      '✔ slos: all 4 satisfied',
    ]);
    expect(code).toBe(ExitCode.ok);
    expect(await readFile(recording, 'utf8')).toBe(before);
  });

  it('a tighter limit: every verdict of it revised, the loop over it failed, exit 1', async () => {
    const { lines, code } = await replay(
      experiment(original.replace('app/latency-mean: 20', 'app/latency-mean: 14')),
    );
    expect(body(lines)).toEqual([
      'loop 1: 2 revised, 2 unchanged',
      '  = baseline  app/latency-mean <=: pass -> pass  (limit 20 -> 14; value 10)',
      '  = candidate  app/latency-mean <=: pass -> pass  (limit 20 -> 14; value 13)',
      'loop 2: 2 revised, 2 unchanged',
      '  = baseline  app/latency-mean <=: pass -> pass  (limit 20 -> 14; value 10)',
      '  = candidate  app/latency-mean <=: pass -> pass  (limit 20 -> 14; value 14)',
      'loop 3: 1 changed, 1 revised, 2 unchanged',
      '  = baseline  app/latency-mean <=: pass -> pass  (limit 20 -> 14; value 10)',
      '  ~ candidate  app/latency-mean <=: pass -> fail  (limit 20 -> 14; value 15)',
      'summary: 3 loops replayed, 3 with changes: 1 changed, 5 revised, 0 new, 0 gone, 6 unchanged',
      'loop 3 as replayed:',
      '✔ completed: loop 3 ran every task',
      '✔ nofailure: no task failed',
      '✘ slos: 1 of 4 violated',
    ]);
    expect(code).toBe(ExitCode.assertionFailed);
  });

  it('a relative SLO is new, judged against the baseline version', async () => {
    const { lines, code } = await replay(
      experiment(`${original}
        relative:
          SLOs:
            app/latency-mean: { maxIncrease: 35% }`),
      { 'replay-loops': '1,3' },
    );
    expect(body(lines)).toEqual([
      'loop 1: 1 new, 4 unchanged',
      '  + candidate  relative app/latency-mean <=: pass  (rule <= baseline + 35%; limit 13.5; value 13)  [new SLO]',
      'loop 3: 1 new, 4 unchanged',
      '  + candidate  relative app/latency-mean <=: fail  (rule <= baseline + 35%; limit 13.5; value 15)  [new SLO]',
      'summary: 2 of 3 replayed loops shown, 2 with changes: 0 changed, 0 revised, 2 new, 0 gone, 8 unchanged',
      'SLOs new in the experiment: relative app/latency-mean <=',
      'loop 3 as replayed:',
      '✔ completed: loop 3 ran every task',
      '✔ nofailure: no task failed',
      '✘ slos: 1 of 5 violated',
    ]);
    expect(code).toBe(ExitCode.assertionFailed);
  });

  it('failAfter counts the streak over the replayed loops, even when only the latest is shown', async () => {
    const edited = experiment(
      original.replace('app/latency-mean: 20', 'app/latency-mean: { limit: 12.5, failAfter: 3 }'),
    );
    const all = await replay(edited);
    const candidate = all.lines.filter((line) => line.includes('candidate  app/latency-mean'));
    expect(candidate).toEqual([
      '  ~ candidate  app/latency-mean <=: pass -> warn (fail)  (limit 20 -> 12.5; value 13; also changed: policy)',
      '  ~ candidate  app/latency-mean <=: pass -> warn (fail)  (limit 20 -> 12.5; value 14; also changed: policy)',
      '  ~ candidate  app/latency-mean <=: pass -> fail  (limit 20 -> 12.5; value 15; also changed: policy)',
    ]);
    expect(all.code).toBe(ExitCode.assertionFailed);
    const latest = await replay(edited, { 'replay-loops': 'latest' });
    expect(latest.lines.filter((line) => line.includes('candidate  app/latency-mean'))).toEqual([
      candidate[2],
    ]);
    expect(latest.lines).toContain('✘ slos: 1 of 4 violated');
    expect(latest.code).toBe(ExitCode.assertionFailed);
  });

  it('mode observe records the violation without failing: exit 0', async () => {
    const { lines, code } = await replay(
      experiment(
        original.replace('app/latency-mean: 20', 'app/latency-mean: { limit: 12.5, mode: observe }'),
      ),
      { 'replay-loops': 'latest' },
    );
    expect(body(lines)).toEqual([
      'loop 3: 2 changed, 2 unchanged',
      '  ~ baseline  app/latency-mean <=: pass -> observe (pass)  (limit 20 -> 12.5; value 10; also changed: policy)',
      '  ~ candidate  app/latency-mean <=: pass -> observe (fail)  (limit 20 -> 12.5; value 15; also changed: policy)',
      'summary: 1 of 3 replayed loops shown, 1 with changes: 2 changed, 0 revised, 0 new, 0 gone, 2 unchanged',
      'loop 3 as replayed:',
      '✔ completed: loop 3 ran every task',
      '✔ nofailure: no task failed',
      '✔ slos: all 2 satisfied (2 observed)',
    ]);
    expect(code).toBe(ExitCode.ok);
  });

  it('an SLO on a metric the recording lacks is nodata (exit 5); a removed SLO is gone', async () => {
    const { lines, code } = await replay(
      experiment(original.replace('app/error-count: 1', 'app/latency-p99: 50')),
      { 'replay-loops': 'latest' },
    );
    expect(body(lines)).toEqual([
      'loop 3: 2 new, 2 gone, 2 unchanged',
      '  + baseline  app/latency-p99 <=: inconclusive (nodata)  (limit 50; metric not observed)  [new SLO]',
      '  + candidate  app/latency-p99 <=: inconclusive (nodata)  (limit 50; metric not observed)  [new SLO]',
      '  - baseline  app/error-count <=: was pass  (limit 1; value 0)  [gone]',
      '  - candidate  app/error-count <=: was pass  (limit 1; value 1)  [gone]',
      'summary: 1 of 3 replayed loops shown, 1 with changes: 0 changed, 0 revised, 2 new, 2 gone, 2 unchanged',
      'SLOs new in the experiment: app/latency-p99 <=',
      'SLOs gone from the experiment: app/error-count <=',
      'loop 3 as replayed:',
      '✔ completed: loop 3 ran every task',
      '✔ nofailure: no task failed',
      '? slos: 2 of 4 inconclusive (no data, too few samples or no decision), none violated',
    ]);
    expect(code).toBe(ExitCode.inconclusive);
  });

  it("an assess task's if: is evaluated: a skipped task's verdicts are gone", async () => {
    const { lines, code } = await replay(experiment(original, { taskFields: '\n      if: loop > 2' }), {
      'replay-loops': '2,3',
    });
    expect(body(lines).slice(0, 7)).toEqual([
      'loop 2: 4 gone, 0 unchanged',
      '  task assess: completed -> skipped (condition is false: loop > 2)',
      '  - baseline  app/latency-mean <=: was pass  (limit 20; value 10)  [gone]',
      '  - baseline  app/error-count <=: was pass  (limit 1; value 0)  [gone]',
      '  - candidate  app/latency-mean <=: was pass  (limit 20; value 14)  [gone]',
      '  - candidate  app/error-count <=: was pass  (limit 1; value 1)  [gone]',
      'loop 3: no change (4 verdicts)',
    ]);
    expect(code).toBe(ExitCode.ok);
  });

  it('-o json gives the report as data; -o markdown a table', async () => {
    const edited = experiment(original.replace('app/latency-mean: 20', 'app/latency-mean: 14'));
    const json = await replay(edited, { output: 'json' });
    const report = JSON.parse(json.stdout) as ReplayReport;
    expect(report.format).toBe('canary.replay/v1');
    expect(report.summary).toMatchObject({
      loops: 3,
      loopsWithChanges: 3,
      changed: 1,
      revised: 5,
      unchanged: 6,
    });
    const changed = report.loops[2]!.verdicts.find((v) => v.change === 'changed');
    expect(changed).toMatchObject({
      version: 'candidate',
      fields: ['gate', 'limit', 'status'],
      before: { status: 'pass', gate: 'pass', limit: 20, value: 15 },
      after: { status: 'fail', gate: 'fail', limit: 14, value: 15 },
    });
    expect(report.assertions.exitCode).toBe(ExitCode.assertionFailed);
    const markdown = await replay(edited, { output: 'markdown', 'replay-loops': 'latest' });
    expect(markdown.lines).toContain('| 3 | changed | candidate app/latency-mean &lt;= | pass | fail |');
    expect(markdown.lines).toContain('- ✘ slos: 1 of 4 violated');
  });
});

describe('replay errors', () => {
  const usage = async (promise: Promise<unknown>, message: RegExp) => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CanaryError);
    expect((error as CanaryError).exitCode).toBe(ExitCode.usage);
    expect((error as CanaryError).message).toMatch(message);
  };

  it('a result file of another experiment, a missing one, one without a header: exit 2 with the reason', async () => {
    await usage(
      replay(experiment(original, { name: 'other' })),
      /holds results of experiment "replay-test", not "other"/,
    );
    const missing = path.join(dir, 'missing.jsonl');
    await usage(replay(experiment(original), { replay: missing }), /no result file at/);
    // A file that is not a result file at all is refused by the reader itself (exit 7), never replayed.
    const garbage = await write('garbage.jsonl', 'not json\n{"kind":"loop"\n');
    const refused = await replay(experiment(original), { replay: garbage }).then(
      () => undefined,
      (caught: unknown) => caught as CanaryError,
    );
    expect(refused?.exitCode).toBe(ExitCode.badResults);
    expect(refused?.message).toMatch(/is not a canary result file \(line 1: not JSON/);
    const headless = await write(
      'headless.jsonl',
      '{"kind":"end","at":"2026-01-01T00:00:00Z","reason":"done","loops":0,"lastLoop":0,"experimentHash":"x"}\n',
    );
    await usage(replay(experiment(original), { replay: headless }), /has no header record/);
  });

  it('flags of a real run do not go with --replay; replay flags need it; unknown loops are named', async () => {
    await usage(
      replay(experiment(original), { loops: 2 }),
      /--replay runs nothing and writes nothing: --loops/,
    );
    await usage(
      replay(experiment(original), { results: path.join(dir, 'x.jsonl') }),
      /--results cannot go with it/,
    );
    await usage(replay(experiment(original), { 'replay-loops': '7' }), /no valid loop 7 to replay/);
    await usage(
      replay(experiment(original), { 'replay-loops': 'first' }),
      /write all, latest, or loop numbers/,
    );
    const file = await write('plain.yaml', experiment(original));
    await usage(
      runFromCli(file, { ...quiet, output: 'json' }, { log: () => {}, warn: () => {} }),
      /--output applies to --replay only/,
    );
  });

  it('the built binary exits 2 for another experiment, 1 for a violated edit', async () => {
    const other = await write('other.yaml', experiment(original, { name: 'other' }));
    const wrong = await runCli(['run', other, '--replay', recording], { cwd: dir });
    expect(wrong.code).toBe(ExitCode.usage);
    expect(wrong.stderr).toContain('canary: ');
    expect(wrong.stderr).toContain('holds results of experiment "replay-test", not "other"');
    expect(wrong.stderr).not.toMatch(/\n\s+at /);
    const tighter = await write(
      'tighter.yaml',
      experiment(original.replace('app/latency-mean: 20', 'app/latency-mean: 14')),
    );
    const summary = path.join(dir, 'summary.md');
    const failed = await runCli(['run', tighter, '--replay', recording, '--json'], {
      cwd: dir,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(failed.code).toBe(ExitCode.assertionFailed);
    expect((JSON.parse(failed.stdout) as ReplayReport).summary.changed).toBe(1);
    // In GitHub Actions the markdown replay goes to the job summary as well.
    const markdown = await readFile(summary, 'utf8');
    expect(markdown).toContain('### canary replay: replay-test');
    expect(markdown).toContain('| 3 | changed | candidate app/latency-mean &lt;= | pass | fail |');
  });
});
