import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load-experiment.js';
import type { Diagnostic } from '../../src/config/diagnostics.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string, values: Record<string, unknown> = {}) {
  const file = path.join(dir, `x-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return loadExperiment({ file: path.basename(file), cwd: dir, values });
}

/** `line:col severity path: message` for compact, exact expectations. */
function brief(d: Diagnostic): string {
  return `${d.line}:${d.column} ${d.severity} ${d.path}: ${d.message}`;
}

const header = 'apiVersion: canary/v1\nkind: Experiment\nmetadata:\n  name: x\nspec:\n';

describe('diagnostics point at the YAML', () => {
  const cases: Array<{ name: string; spec: string; expected: string[]; hint?: RegExp }> = [
    {
      name: 'limit with units',
      spec: '  tasks:\n    - task: assess\n      with:\n        SLOs:\n          upper:\n            a/latency-mean: 25ms\n',
      expected: [
        '11:29 error spec.tasks[0].with.SLOs.upper["a/latency-mean"]: must be a number (the limit) or {limit, onNoData, minSamples, mode, failAfter} (got "25ms")',
      ],
      hint: /bare number.*25/,
    },
    {
      name: 'unknown key, with a suggestion',
      spec: '  versoins: [a]\n  tasks:\n    - run: "true"\n',
      expected: ['6:3 error spec.versoins: unknown key "versoins"'],
      hint: /did you mean "versions"/,
    },
    {
      name: 'missing tasks is reported at spec',
      spec: '  maxLoops: 2\n',
      expected: [
        '6:3 error spec: missing required key "tasks"',
        '6:13 warning spec.maxLoops: maxLoops has no effect without spec.schedule',
      ],
    },
    {
      name: 'unknown task with did-you-mean',
      spec: '  tasks:\n    - task: asess\n',
      expected: ['7:13 error spec.tasks[0].task: unknown task "asess"'],
      hint: /did you mean "assess"/,
    },
    {
      name: 'unknown needs',
      spec: '  tasks:\n    - id: a\n      run: "true"\n    - id: b\n      run: "true"\n      needs: [c]\n',
      expected: ['11:15 error spec.tasks[1].needs[0]: unknown task id "c"'],
    },
    {
      name: 'cycle prints its path',
      spec: '  tasks:\n    - id: a\n      run: "true"\n      needs: [c]\n    - id: b\n      run: "true"\n      needs: [a]\n    - id: c\n      run: "true"\n      needs: [b]\n',
      expected: ['9:14 error spec.tasks[0].needs: dependency cycle: a -> c -> b -> a'],
    },
    {
      name: 'duplicate ids',
      spec: '  tasks:\n    - id: a\n      run: "true"\n    - id: a\n      run: "false"\n',
      expected: ['9:11 error spec.tasks[1].id: duplicate task id "a" (also spec.tasks[0])'],
    },
    {
      name: 'malformed cron',
      spec: '  schedule: "61 * * * *"\n  tasks:\n    - run: "true"\n',
      expected: [
        '6:13 error spec.schedule: invalid cron expression: Constraint error, got value 61 expected range 0-59',
      ],
    },
    {
      name: 'bad duration',
      spec: '  tasks:\n    - run: "true"\n      timeout: 10 seconds\n',
      expected: [
        '8:16 error spec.tasks[0].timeout: "10 seconds" is not valid here: go-style duration such as 30s, 1m30s, 250ms',
      ],
    },
    {
      name: 'bad condition',
      spec: '  tasks:\n    - run: "true"\n      if: "loop >> 1"\n',
      expected: ['8:11 error spec.tasks[0].if: invalid condition: unexpected token: >'],
    },
    {
      name: 'task and run together',
      spec: '  tasks:\n    - task: run\n      run: "true"\n',
      expected: ['8:7 error spec.tasks[0].run: use either `run: SCRIPT` or `task: NAME`, not both'],
    },
    {
      name: 'neither task nor run',
      spec: '  tasks:\n    - id: lonely\n',
      expected: ['7:7 error spec.tasks[0]: a task needs `task: NAME`'],
    },
    {
      name: 'task input checked against the task schema',
      spec: '  tasks:\n    - task: run\n      with: {scritp: "true"}\n',
      expected: [
        '8:13 error spec.tasks[0].with: missing required key "script"',
        '8:14 error spec.tasks[0].with.scritp: unknown key "scritp"',
      ],
    },
    {
      name: 'SLO on a metric no task produces is a warning',
      spec: '  plugins: {fm: ../fm.js}\n  tasks:\n    - task: fm\n      with: {provider: p}\n    - task: assess\n      with: {SLOs: {upper: {q/latency: 3}}}\n',
      expected: [
        '11:29 warning spec.tasks[1].with.SLOs.upper["q/latency"]: no task in this experiment produces "q/latency"',
      ],
    },
    {
      name: 'Iter8 list form of SLOs is accepted and checked',
      spec: '  tasks:\n    - task: assess\n      with:\n        SLOs:\n          upper:\n            - {metric: a/b, limit: "x"}\n',
      expected: ['11:36 error spec.tasks[0].with.SLOs.upper[0].limit: must be number (got "x")'],
    },
    {
      name: 'several problems at once, sorted by position',
      spec: '  schedule: "* *"\n  tasks:\n    - task: nope\n    - task: assess\n      with: {SLOs: {upper: {bad-name: 1}}}\n',
      expected: [
        '6:13 error spec.schedule: invalid cron expression: a cron expression has 5 fields (minute hour day month weekday) or 6 with seconds first; got 2',
        '8:13 error spec.tasks[0].task: unknown task "nope"',
        '10:29 error spec.tasks[1].with.SLOs.upper.bad-name: metric name must be <provider>/<metric> (got "bad-name")',
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const plugin =
        'export default { description: "d", inputSchema: {type: "object"}, produces: (i) => [`${i.provider}/*`], async run() {} };';
      await writeFile(path.join(path.dirname(dir), 'fm.js'), plugin).catch(() => undefined);
      await mkdir(path.join(dir, 'sub'), { recursive: true });
      const loaded = await load(header + c.spec);
      expect(loaded.diagnostics.map(brief)).toEqual(c.expected);
      if (c.hint) expect(loaded.diagnostics.map((d) => d.hint ?? '').join('\n')).toMatch(c.hint);
      expect(loaded.plan === undefined).toBe(c.expected.some((e) => e.includes(' error ')));
    });
  }

  it('YAML syntax errors carry line and column', async () => {
    const loaded = await load(`${header}  tasks:\n    - run: "true"\n   bad: [\n`);
    expect(loaded.diagnostics.length).toBeGreaterThan(0);
    expect(loaded.diagnostics[0]!.line).toBeGreaterThanOrEqual(8);
    expect(loaded.diagnostics[0]!.message).toMatch(/^YAML: /);
  });

  it('a duplicate key is a YAML error at the second key', async () => {
    const loaded = await load(`${header}  tasks:\n    - run: "true"\n  tasks: []\n`);
    expect(loaded.diagnostics.map(brief)).toEqual([
      expect.stringMatching(/^8:3 error : YAML: duplicate key "tasks"$/),
    ]);
  });

  it('a missing file is a diagnostic, not an exception', async () => {
    const loaded = await loadExperiment({ file: 'nope.yaml', cwd: dir });
    expect(loaded.diagnostics.map(brief)).toEqual(['0:0 error : file not found']);
  });

  it('a document that is not a map', async () => {
    const loaded = await load('- just\n- a list\n');
    expect(loaded.diagnostics[0]!.message).toMatch(/is a YAML map/);
  });
});

describe('normalize and plan', () => {
  it('defaults ids, repeats get an index, Iter8 run shorthand, sequential needs', async () => {
    const loaded = await load(
      `${header}  tasks:\n    - run: "echo 1"\n    - run: "echo 2"\n    - task: assess\n`,
    );
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.plan!.tasks.map((t) => [t.id, t.task, t.needs])).toEqual([
      ['run-1', 'run', []],
      ['run-2', 'run', ['run-1']],
      ['assess', 'assess', ['run-2']],
    ]);
    expect(loaded.plan!.tasks[0]!.with).toEqual({ script: 'echo 1' });
  });

  it('explicit needs form a DAG with waves', async () => {
    const spec =
      '  tasks:\n    - {id: a, run: "true"}\n    - {id: b, run: "true", needs: [a]}\n    - {id: c, run: "true", needs: [a]}\n    - {id: d, task: assess, needs: [b, c]}\n';
    const loaded = await load(header + spec);
    expect(loaded.plan!.waves).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(loaded.plan!.concurrency).toBe(4);
  });

  it('nunjucks expressions read values and keep the type of a lone expression', async () => {
    const text = `${header}  maxLoops: "{{ values.loops }}"\n  schedule: "*/{{ values.every }} * * * * *"\n  tasks:\n    - run: "echo {{ values.word | upper }}"\n`;
    const loaded = await load(text, { loops: 3, every: 2, word: 'hi' });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.experiment!.spec.maxLoops).toBe(3);
    expect(loaded.experiment!.spec.schedule).toBe('*/2 * * * * *');
    expect(loaded.plan!.tasks[0]!.with.script).toBe('echo HI');
  });

  it('an undefined value in an expression is an error at the scalar', async () => {
    const loaded = await load(`${header}  tasks:\n    - run: "echo {{ values.missing }}"\n`);
    expect(loaded.diagnostics.map(brief)).toEqual([
      '7:12 error spec.tasks[0].run: template: a value used here is not set (null or undefined)',
    ]);
  });

  it('builds the experiment from values alone (Iter8 chart style)', async () => {
    const loaded = await loadExperiment({
      cwd: dir,
      values: { tasks: ['assess'], assess: { SLOs: { upper: { 'a/b': 1 } } } },
    });
    // Valid, with one warning: nothing in this experiment records a/b.
    expect(loaded.diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`)).toEqual([
      'warning spec.tasks[0].with.SLOs.upper["a/b"]: no task in this experiment produces "a/b"',
    ]);
    expect(loaded.label).toBe('--set');
    expect(loaded.plan!.tasks).toEqual([
      { id: 'assess', task: 'assess', with: { SLOs: { upper: { 'a/b': 1 } } }, needs: [], retries: 0 },
    ]);
  });

  it('values-only problems are reported against --set', async () => {
    const loaded = await loadExperiment({ cwd: dir, values: { tasks: ['asses'] } });
    expect(loaded.diagnostics.map((d) => `${d.file} ${d.path}: ${d.message}`)).toContain(
      '--set spec.tasks[0].task: unknown task "asses"',
    );
  });
});

describe('conditions read only what exists', () => {
  it('an unknown variable or values path in `if` is an error, not a silent skip', async () => {
    const text = `${header}  tasks:\n    - run: "true"\n      if: "nosuch > 1 and values.mode == 'x' and loop > 1"\n`;
    const loaded = await load(text, { other: 1 });
    expect(loaded.diagnostics.map(brief)).toEqual([
      '8:11 error spec.tasks[0].if: the condition reads "nosuch", "values.mode", which are not set',
    ]);
    const ok = await load(text.replace('nosuch > 1 and ', ''), { mode: 'x' });
    expect(ok.diagnostics).toEqual([]);
  });
});

describe('condition functions', () => {
  it('slos(), nofailure() and completed() are known to validation', async () => {
    const loaded = await load(
      `${header}  tasks:\n    - run: "true"\n      if: "not slos() or nofailure() and completed() and loop > 1"\n`,
    );
    expect(loaded.diagnostics).toEqual([]);
  });
});

describe('conditions may read a missing value through default or is defined', () => {
  it('accepts `values.x | default(false)` and `values.x is defined`', async () => {
    const loaded = await load(
      `${header}  tasks:\n    - run: "true"\n      if: "values.x | default(false) or values.y is defined"\n`,
    );
    expect(loaded.diagnostics).toEqual([]);
  });
});
