import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults, readTail, ResultFileError, ResultWriter } from '../../src/results/result-file.js';
import { comparableLoops, pinnedLoop } from '../../src/results/marks.js';
import { invalidateLoop, pinLoop, unpinLoop } from '../../src/results/write-marks.js';
import { buildReport } from '../../src/report/build-report.js';
import { experimentState } from '../../src/results/assertions.js';
import { endRecord, hash, header, jsonl, loopRecord } from './fixtures.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-marks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function resultFile(...records: object[]): Promise<string> {
  const file = path.join(dir, `r${++counter}.jsonl`);
  await writeFile(file, jsonl(...records));
  return file;
}

const mark = (extra: object) => ({
  kind: 'mark',
  at: '2024-05-01T12:00:00.000Z',
  lastLoop: 3,
  experimentHash: hash,
  ...extra,
});

describe('marks folded into the history', () => {
  it('pins, moves, unpins and invalidates in file order', async () => {
    const file = await resultFile(
      header(),
      loopRecord(1),
      loopRecord(2),
      mark({ action: 'pin', loop: 1, name: 'golden' }),
      mark({ action: 'pin', loop: 2, name: 'golden' }),
      mark({ action: 'pin', loop: 1, name: 'old' }),
      mark({ action: 'unpin', name: 'old' }),
      loopRecord(3),
      mark({ action: 'invalidate', loop: 3, reason: 'noisy node' }),
    );
    const history = await readResults(file);
    expect(history.loops.map((l) => l.loop)).toEqual([1, 2, 3]);
    expect(pinnedLoop(history, 'golden')?.loop).toBe(2);
    expect(pinnedLoop(history, 'old')).toBeUndefined();
    expect(history.invalid).toEqual({ 3: 'noisy node' });
    expect(comparableLoops(history).map((l) => l.loop)).toEqual([1, 2]);
    expect(history.warnings).toEqual([]);
  });

  it('keeps invalid loops out of the report history (trends) but reports them', async () => {
    const file = await resultFile(
      header(),
      loopRecord(1),
      loopRecord(2),
      loopRecord(3),
      mark({ action: 'invalidate', loop: 2, reason: 'maintenance window' }),
      mark({ action: 'pin', loop: 1, name: 'golden' }),
    );
    const report = buildReport(await readResults(file));
    expect(report.history.map((h) => h.loop)).toEqual([1, 3]);
    expect(report.invalidLoops).toEqual([{ loop: 2, reason: 'maintenance window' }]);
    expect(report.pins).toEqual({ golden: 1 });
    expect(report.loops).toBe(3);
  });

  it('warns about a pin whose loop the file does not hold', async () => {
    const file = await resultFile(header(), loopRecord(1), mark({ action: 'pin', loop: 9, name: 'golden' }));
    const history = await readResults(file);
    expect(pinnedLoop(history, 'golden')).toBeUndefined();
    expect(history.warnings).toEqual(['pin golden names loop 9, which the file does not hold in full']);
  });

  it('an assertion still judges the latest loop; an end record before a mark still counts', async () => {
    const file = await resultFile(
      header(),
      loopRecord(1),
      endRecord(1),
      mark({ action: 'pin', loop: 1, name: 'golden', lastLoop: 1 }),
    );
    const state = experimentState(await readResults(file));
    expect(state.latest?.loop).toBe(1);
    expect(state.finished).toBe(true);
  });
});

describe('writing marks', () => {
  it('appends one line per mark and leaves every earlier byte as it was', async () => {
    const file = await resultFile(header(), loopRecord(1), loopRecord(2), endRecord(2));
    const before = await readFile(file, 'utf8');
    expect(await pinLoop(file, '1', 'golden')).toBe('pinned loop 1 as golden');
    expect(await pinLoop(file, 'latest', 'golden')).toBe('golden now pins loop 2 (was loop 1)');
    expect(await unpinLoop(file, 'golden')).toBe('unpinned golden (loop 2)');
    expect(await invalidateLoop(file, '1', 'bad data')).toBe('loop 1 marked invalid: bad data');
    const after = await readFile(file, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const added = after
      .slice(before.length)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(added.map((m) => m.action)).toEqual(['pin', 'pin', 'unpin', 'invalidate']);
    // Carried for readers that predate marks: they take the last record for an end record.
    for (const m of added) expect(m).toMatchObject({ kind: 'mark', lastLoop: 2, experimentHash: hash });
  });

  it('the next run continues after the last loop, not after the mark', async () => {
    const file = await resultFile(header(), loopRecord(1), loopRecord(2));
    await pinLoop(file, '2', 'golden');
    const tail = await readTail(file);
    expect(tail).toMatchObject({ lastLoop: 2, experimentHash: hash });
    const writer = await ResultWriter.open(file);
    expect(writer.lastLoop).toBe(2);
    expect(writer.needsHeader(hash)).toBe(false);
  });

  it('refuses what makes no sense, with the way out', async () => {
    const file = await resultFile(header(), loopRecord(1), loopRecord(2));
    await pinLoop(file, '1', 'golden');
    await expect(pinLoop(file, '7', 'golden')).rejects.toThrow(/has no loop 7/);
    await expect(pinLoop(file, 'x', 'golden')).rejects.toThrow(/loop number or "latest"/);
    await expect(pinLoop(file, '2', 'bad name')).rejects.toThrow(/pin name "bad name" is not valid/);
    await expect(unpinLoop(file, 'silver')).rejects.toThrow(/no pin named silver/);
    await expect(invalidateLoop(file, '1', 'x')).rejects.toMatchObject({
      exitCode: 2,
      hints: ['unpin it first: canary results unpin golden'],
    });
    await invalidateLoop(file, '2', 'flaky');
    await expect(pinLoop(file, '2', 'silver')).rejects.toThrow(/loop 2 is marked invalid \(flaky\)/);
    await expect(invalidateLoop(file, '1', '  ')).rejects.toThrow(/--reason/);
  });

  it('takes the file lock when no run holds it, and releases it', async () => {
    const file = await resultFile(header(), loopRecord(1));
    await pinLoop(file, '1', 'golden');
    expect((await readdir(dir)).filter((name) => name.startsWith(path.basename(file)))).toEqual([
      path.basename(file),
    ]);
    // A run may open the file right after: the pin left no lock behind.
    const writer = await ResultWriter.open(file);
    await writer.close();
  });

  it('goes in beside a run that holds the lock; the run goes on appending and numbering', async () => {
    const file = await resultFile(header(), loopRecord(1), loopRecord(2));
    const writer = await ResultWriter.open(file);
    try {
      expect(await pinLoop(file, '1', 'golden')).toBe('pinned loop 1 as golden');
      expect(await invalidateLoop(file, '2', 'noisy')).toBe('loop 2 marked invalid: noisy');
      await writer.append(loopRecord(3));
    } finally {
      await writer.close();
    }
    const history = await readResults(file);
    expect(history.warnings).toEqual([]);
    expect(history.loops.map((l) => l.loop)).toEqual([1, 2, 3]);
    expect(pinnedLoop(history, 'golden')?.loop).toBe(1);
    expect(history.invalid).toEqual({ 2: 'noisy' });
    expect((await readTail(file)).lastLoop).toBe(3);
  });
});

describe('marks and summaries are record kinds readers know', () => {
  it('a mark without where the file stands is a damaged line, refused with file:line', async () => {
    const broken = { kind: 'mark', at: '2024-05-01T12:00:00.000Z', action: 'pin', loop: 1, name: 'golden' };
    const file = await resultFile(header(), loopRecord(1), broken);
    await expect(readResults(file)).rejects.toThrow(ResultFileError);
    await expect(readResults(file)).rejects.toThrow(
      `${file}:3: damaged line: a mark record without a valid "lastLoop"`,
    );
    await expect(readTail(file)).rejects.toThrow(ResultFileError);
  });

  it('a summary without its aggregates is a damaged line too', async () => {
    const file = await resultFile(
      header(),
      { kind: 'summary', at: '2024-05-01T12:00:00.000Z' },
      loopRecord(1),
    );
    await expect(readResults(file)).rejects.toThrow(
      `${file}:2: damaged line: a summary record without a valid "summary"`,
    );
  });
});
