import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { readResults } from '../../src/results/result-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-keep-'));
  await writeFile(
    path.join(dir, 'keep.yaml'),
    [
      'apiVersion: canary/v1',
      'kind: Experiment',
      'metadata: { name: keep }',
      'spec:',
      '  retention: { keep: 3 }',
      '  tasks:',
      '    - run: "true"',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('retention in canary run', () => {
  it('spec.retention.keep and --keep compact the file; pins survive; numbering goes on', async () => {
    const file = path.join(dir, 'keep.jsonl');
    const first = await runCli(['run', 'keep.yaml', '-q', '--loops', '5', '--results', 'keep.jsonl'], {
      cwd: dir,
    });
    expect(first.code).toBe(0);
    let history = await readResults(file);
    expect(history.loops.map((l) => l.loop)).toEqual([3, 4, 5]);
    expect(history.earlier).toMatchObject({ loops: 2, firstLoop: 1, lastLoop: 2 });
    expect(history.header?.experiment.spec.retention).toEqual({ keep: 3 });

    expect(
      (await runCli(['results', 'pin', '3', '--as', 'golden', '-r', 'keep.jsonl'], { cwd: dir })).code,
    ).toBe(0);
    const second = await runCli(
      ['run', 'keep.yaml', '-q', '--loops', '2', '--keep', '1', '--results', 'keep.jsonl'],
      {
        cwd: dir,
      },
    );
    expect(second.code).toBe(0);
    history = await readResults(file);
    expect(history.loops.map((l) => l.loop)).toEqual([3, 7]);
    expect(history.pins?.golden?.loop).toBe(3);
    expect(history.earlier).toMatchObject({ loops: 5, firstLoop: 1, lastLoop: 6 });

    const report = await runCli(['report', '--results', 'keep.jsonl'], { cwd: dir });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('Earlier loops (summarized): 5 loops, 1-6');
    expect(report.stdout).toMatch(/Pins:\s+golden = loop 3/);
  });

  it('--keep 0 is a usage error', async () => {
    const result = await runCli(['run', 'keep.yaml', '--keep', '0'], { cwd: dir });
    expect(result.code).toBe(2);
  });
});
