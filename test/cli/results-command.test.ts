import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { header, jsonl, loopRecord, verdict } from '../results/fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-results-cmd-'));
  await mkdir(path.join(dir, 'canary-results'));
  await writeFile(
    path.join(dir, 'canary-results', 'demo.jsonl'),
    jsonl(
      header(),
      loopRecord(1, { slos: [verdict('pass')] }),
      loopRecord(2, { slos: [verdict('fail')], status: 'completed' }),
      loopRecord(3, { slos: [verdict('pass')] }),
    ),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { cwd: dir });

describe('canary results', () => {
  it('pins, invalidates, lists and unpins through the built CLI', async () => {
    const pin = await cli('results', 'pin', '1', '--as', 'golden');
    expect(pin.stderr).toBe('');
    expect(pin).toMatchObject({ code: 0, stdout: 'pinned loop 1 as golden\n' });

    const invalidate = await cli('results', 'invalidate', '2', '--reason', 'load generator was throttled');
    expect(invalidate).toMatchObject({
      code: 0,
      stdout: 'loop 2 marked invalid: load generator was throttled\n',
    });

    const list = await cli('results', 'list');
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n');
    expect(rows[1]).toMatch(/^loop\s+start\s+status\s+SLOs\s+marks$/);
    expect(rows[2]).toMatch(/^1 .*completed\s+1 pass, 0 fail\s+pinned: golden$/);
    expect(rows[3]).toMatch(/^2 .*1 fail\s+INVALID: load generator was throttled$/);
    expect(rows[4]).toMatch(/^3 .*1 pass, 0 fail$/);

    const json = JSON.parse((await cli('results', 'list', '-o', 'json')).stdout) as {
      loops: Array<{ loop: number; pins: string[]; invalid?: string }>;
    };
    expect(json.loops.map((l) => [l.loop, l.pins, l.invalid])).toEqual([
      [1, ['golden'], undefined],
      [2, [], 'load generator was throttled'],
      [3, [], undefined],
    ]);

    const report = JSON.parse((await cli('report', '-o', 'json')).stdout) as {
      history: Array<{ loop: number }>;
      pins: Record<string, number>;
    };
    expect(report.history.map((h) => h.loop)).toEqual([1, 3]);
    expect(report.pins).toEqual({ golden: 1 });
    const metrics = await cli('report', '-o', 'openmetrics');
    expect(metrics.code).toBe(0);
    expect(metrics.stdout).toContain('canary_loop{experiment="demo"} 3\n');
    expect(metrics.stdout.endsWith('# EOF\n')).toBe(true);

    const unpin = await cli('results', 'unpin', 'golden', '-r', 'canary-results/demo.jsonl');
    expect(unpin).toMatchObject({ code: 0, stdout: 'unpinned golden (loop 1)\n' });
    expect((await cli('results', 'list')).stdout).not.toContain('pinned');
    const lines = (await readFile(path.join(dir, 'canary-results', 'demo.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(7);
  });

  it('usage mistakes exit 2 with a hint, never a stack trace', async () => {
    const missingLoop = await cli('results', 'pin', '42', '--as', 'golden');
    expect(missingLoop.code).toBe(2);
    expect(missingLoop.stderr).toContain('has no loop 42');
    expect(missingLoop.stderr).toContain('hint: loops held in full: 1-3');
    const noFile = await cli('results', 'list', '-r', 'nope.jsonl');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('no result file at');
    const noAs = await cli('results', 'pin', '1');
    expect(noAs.code).toBe(2);
    for (const result of [missingLoop, noFile, noAs]) expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
