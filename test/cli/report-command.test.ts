import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header = {
  kind: 'header',
  format: 'canary.result/v1',
  tool: { name: 'canary', version: '0.1.0' },
  created: '2026-11-26T10:00:00.000Z',
  experimentHash: 'sha256:1',
  firstLoop: 1,
  experiment: {
    apiVersion: 'canary/v1',
    kind: 'Experiment',
    metadata: { name: 'empty' },
    spec: {
      versions: ['baseline', 'candidate'],
      concurrency: 4,
      tasks: [{ id: 'assess', task: 'assess', with: { SLOs: { upper: { 'p/never-seen': 1 } } }, needs: [] }],
    },
  },
};

describe('canary report', () => {
  it('renders a result with no loops yet in every format', async () => {
    await writeFile(path.join(dir, 'empty.jsonl'), `${JSON.stringify(header)}\n`);
    for (const format of ['text', 'json', 'markdown', 'html']) {
      const result = await runCli(['report', '--results', 'empty.jsonl', '-o', format], { cwd: dir });
      expect(result.code, format).toBe(0);
      expect(result.stdout.length, format).toBeGreaterThan(50);
    }
    const json = JSON.parse(
      (await runCli(['report', '--results', 'empty.jsonl', '-o', 'json'], { cwd: dir })).stdout,
    );
    expect(json).toMatchObject({
      loops: 0,
      verdict: 'none',
      completed: false,
      experiment: { name: 'empty' },
    });
    expect(json.versions.map((v: { name: string }) => v.name)).toEqual(['baseline', 'candidate']);
  });

  it('renders SLOs on never-observed metrics as no data', async () => {
    const loop = {
      kind: 'loop',
      loop: 1,
      experimentHash: 'sha256:1',
      start: '2026-11-26T10:00:00.000Z',
      end: '2026-11-26T10:00:01.000Z',
      durationMs: 1000,
      status: 'completed',
      versions: ['baseline', 'candidate'],
      tasks: [{ id: 'assess', task: 'assess', status: 'completed' }],
      metrics: [{}, {}],
      slos: [0, 1].map((version) => ({
        metric: 'p/never-seen',
        op: '<=',
        limit: 1,
        version,
        value: null,
        status: 'nodata',
        reason: 'metric not observed',
      })),
    };
    await writeFile(
      path.join(dir, 'nodata.jsonl'),
      `${JSON.stringify(header)}\n${JSON.stringify(loop)}\n{"kind":"loop","lo`,
    );
    const text = await runCli(['report', '--results', 'nodata.jsonl'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/p\/never-seen <= 1\s+no data\s+no data/);
    expect(text.stderr).toContain('ignored a torn last line');
    const assert = await runCli(['assert', '--results', 'nodata.jsonl', '--slos'], { cwd: dir });
    expect(assert.code).toBe(5);
  });

  it('finds the only result file in ./canary-results, and asks when there are several', async () => {
    const sub = path.join(dir, 'project');
    await mkdir(path.join(sub, 'canary-results'), { recursive: true });
    await writeFile(path.join(sub, 'canary-results', 'a.jsonl'), `${JSON.stringify(header)}\n`);
    expect((await runCli(['report', '-o', 'json'], { cwd: sub })).code).toBe(0);
    await writeFile(path.join(sub, 'canary-results', 'b.jsonl'), `${JSON.stringify(header)}\n`);
    const ambiguous = await runCli(['report'], { cwd: sub });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('several result files in ./canary-results: a.jsonl, b.jsonl');
  });

  it('a missing result file is a clear usage error', async () => {
    const result = await runCli(['report', '--results', 'nope.jsonl'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no result file at');
    expect(result.stderr).toContain('hint: run the experiment first');
  });

  it('a result file from a future format is refused with a message', async () => {
    await writeFile(
      path.join(dir, 'future.jsonl'),
      `${JSON.stringify({ ...header, format: 'canary.result/v9' })}\n`,
    );
    const result = await runCli(['report', '--results', 'future.jsonl'], { cwd: dir });
    expect(result.code).toBe(7);
    expect(result.stderr).toContain(
      'future.jsonl:1: result format "canary.result/v9" is not one this canary reads (canary.result/v1)',
    );
  });
});

describe('canary run from values alone', () => {
  it('builds the experiment from --set, as Iter8 did', async () => {
    const result = await runCli(
      [
        'run',
        '--set',
        'tasks={assess}',
        '--set',
        'assess.SLOs.upper.p/x=1',
        '--results',
        'values.jsonl',
        '-q',
      ],
      { cwd: dir },
    );
    // No task records p/x: the SLO has no data, so the run is inconclusive, and validation warned.
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('no task in this experiment produces "p/x"');
  });
});
