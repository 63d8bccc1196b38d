import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactResultFile } from '../../src/results/retention.js';
import { readResults, readTail, ResultWriter } from '../../src/results/result-file.js';
import { lockPathOf, ResultFileBusyError } from '../../src/results/result-lock.js';
import { pinLoop } from '../../src/results/write-marks.js';
import { pinnedLoop } from '../../src/results/marks.js';
import { listLoops } from '../../src/results/list-loops.js';
import { renderReport } from '../../src/report/render-report.js';
import { renderEarlierLoops } from '../../src/results/cluster-store-report.js';
import { findResultsFile } from '../../src/cli/find-results.js';
import type { SloVerdict } from '../../src/results/records.js';
import { endRecord, hash, header, jsonl, loopRecord } from './fixtures.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'canary-retention-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const slo = (value: number): SloVerdict => ({
  metric: 'p/latency',
  op: '<=',
  limit: 10,
  version: 0,
  value,
  status: value <= 10 ? 'pass' : 'fail',
});
/** Loop n has latency n (so aggregates are easy to check) and one SLO. */
const loop = (n: number) => loopRecord(n, { metrics: [{ 'p/latency': { value: n } }], slos: [slo(n)] });
const mark = (extra: object) => ({
  kind: 'mark',
  at: `2024-05-01T12:00:0${++counter % 10}.000Z`,
  lastLoop: 0,
  experimentHash: hash,
  ...extra,
});

async function resultFile(...records: object[]): Promise<string> {
  const file = path.join(dir, `r${++counter}.jsonl`);
  await writeFile(file, jsonl(...records));
  return file;
}

describe('compactResultFile', () => {
  it('keeps the header, pinned loops and the latest N; folds the rest with foldLoop', async () => {
    const file = await resultFile(
      header(),
      ...[1, 2, 3, 4, 5, 6, 7, 8].map(loop),
      mark({ action: 'pin', loop: 2, name: 'golden' }),
      mark({ action: 'invalidate', loop: 4, reason: 'noisy node' }),
      mark({ action: 'invalidate', loop: 7, reason: 'deploy in progress' }),
      endRecord(8),
    );
    const result = await compactResultFile(file, 3);
    expect(result).toEqual({ folded: 3, dropped: 1 });
    const history = await readResults(file);
    expect(history.warnings).toEqual([]);
    expect(history.header).toEqual(header());
    expect(history.loops.map((l) => l.loop)).toEqual([2, 6, 7, 8]);
    expect(pinnedLoop(history, 'golden')?.loop).toBe(2);
    expect(history.invalid).toEqual({ 4: 'noisy node', 7: 'deploy in progress' });
    expect(history.end).toEqual(endRecord(8));
    // Loops 1, 3, 5 (loop 4 is invalid: listed, never aggregated).
    expect(history.earlier).toMatchObject({ loops: 3, firstLoop: 1, lastLoop: 5 });
    expect(history.earlier?.metrics['version-0']?.['p/latency']).toEqual({
      count: 3,
      sum: 9,
      min: 1,
      max: 5,
      last: 5,
      nodata: 0,
    });
    expect(listLoops(history).compactedInvalid).toEqual([{ loop: 4, reason: 'noisy node' }]);
    // The next run continues numbering after loop 8.
    expect((await readTail(file)).lastLoop).toBe(8);
  });

  it('a second compaction adds to the aggregates; nothing to fold leaves the file as it is', async () => {
    const file = await resultFile(header(), ...[1, 2, 3, 4].map(loop));
    await compactResultFile(file, 2);
    await appendFile(file, jsonl(loop(5), loop(6)));
    expect(await compactResultFile(file, 2)).toEqual({ folded: 2, dropped: 0 });
    const before = await readFile(file, 'utf8');
    expect(await compactResultFile(file, 2)).toEqual({ folded: 0, dropped: 0 });
    expect(await readFile(file, 'utf8')).toBe(before);
    const history = await readResults(file);
    expect(history.loops.map((l) => l.loop)).toEqual([5, 6]);
    expect(history.earlier).toMatchObject({ loops: 4, firstLoop: 1, lastLoop: 4 });
    expect(history.earlier?.slos['version-0']?.['p/latency <= 10']).toEqual({ pass: 4, fail: 0, nodata: 0 });
  });

  it('drops the header of a segment whose loops were all folded, keeps the latest', async () => {
    const second = header({
      experimentHash: 'sha256:bbbb',
      created: '2024-05-02T10:00:00.000Z',
      firstLoop: 3,
    });
    const inSecond = (n: number) => ({ ...loop(n), experimentHash: 'sha256:bbbb' });
    const file = await resultFile(header(), loop(1), loop(2), second, inSecond(3), inSecond(4));
    await compactResultFile(file, 2);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string });
    expect(lines.map((l) => l.kind)).toEqual(['header', 'summary', 'loop', 'loop']);
    expect((await readResults(file)).header).toEqual(second);
  });

  it('a report over a compacted file shows the aggregate counts', async () => {
    const file = await resultFile(header(), ...[1, 2, 3, 4, 5].map(loop));
    await compactResultFile(file, 2);
    const history = await readResults(file);
    const report = JSON.parse(renderReport(history, 'json')) as {
      compactedLoops: number;
      history: unknown[];
    };
    expect(report.compactedLoops).toBe(3);
    expect(report.history).toHaveLength(2);
    const earlier = renderEarlierLoops(history.earlier!, 'text');
    expect(earlier).toContain('Earlier loops (summarized): 3 loops, 1-3');
    expect(earlier).toContain('SLO p/latency <= 10: 3 pass, 0 fail, 0 no data');
  });

  it('leaves a file with an unreadable line alone (rewriting would lose it)', async () => {
    const file = await resultFile(header(), loop(1), loop(2), loop(3));
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        '\n{"kind":"loop","loop":2',
        '\n#garbage\n{"kind":"loop","loop":2',
      ),
    );
    const before = await readFile(file, 'utf8');
    const result = await compactResultFile(file, 1);
    expect(result.skipped).toMatch(/not compacted: .*:3: damaged line: not JSON/);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});

describe('crash safety', () => {
  it('a crash before the rename leaves the old file byte for byte, and no stray file', async () => {
    const file = await resultFile(
      header(),
      ...[1, 2, 3, 4].map(loop),
      mark({ action: 'pin', loop: 1, name: 'golden' }),
    );
    const before = await readFile(file, 'utf8');
    let temporary = '';
    await expect(
      compactResultFile(file, 1, {
        beforeRename: async (t) => {
          temporary = t;
          // The new file is complete at this point: only the rename is missing.
          expect((await readResults(t)).loops.map((l) => l.loop)).toEqual([1, 4]);
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(path.dirname(temporary)).toBe(dir);
    expect(await readdir(dir)).not.toContain(path.basename(temporary));
  });

  it('a temporary file left by a killed process is invisible to readers', async () => {
    const folder = await mkdtemp(path.join(dir, 'stray-'));
    await mkdir(path.join(folder, 'canary-results'));
    const file = path.join(folder, 'canary-results', 'demo.jsonl');
    await writeFile(file, jsonl(header(), loop(1)));
    await writeFile(path.join(folder, 'canary-results', '.demo.jsonl.compact-99999.tmp'), jsonl(header()));
    expect(await findResultsFile(folder, undefined)).toBe(file);
  });

  it('a mark appended during compaction is not lost: compaction starts over', async () => {
    const file = await resultFile(header(), ...[1, 2, 3].map(loop));
    let appended = false;
    const result = await compactResultFile(file, 1, {
      beforeRename: async () => {
        if (appended) return;
        appended = true;
        await appendFile(file, jsonl(mark({ action: 'pin', loop: 2, name: 'late' })));
      },
    });
    expect(result.folded).toBe(1);
    const history = await readResults(file);
    expect(pinnedLoop(history, 'late')?.loop).toBe(2);
    expect(history.loops.map((l) => l.loop)).toEqual([2, 3]);
  });

  it('a pin made beside the run while it compacts is not lost either', async () => {
    const file = await resultFile(header(), ...[1, 2, 3].map(loop));
    const writer = await ResultWriter.open(file);
    try {
      let pinned = false;
      const result = await compactResultFile(file, 1, {
        verifyLock: () => writer.verifyLock(),
        beforeRename: async () => {
          if (pinned) return;
          pinned = true;
          // The run holds the lock: the pin goes in beside it, under the append guard.
          await pinLoop(file, '2', 'late');
        },
      });
      expect(result).toEqual({ folded: 1, dropped: 0 });
      await writer.append(loop(4));
    } finally {
      await writer.close();
    }
    const history = await readResults(file);
    expect(pinnedLoop(history, 'late')?.loop).toBe(2);
    expect(history.loops.map((l) => l.loop)).toEqual([2, 3, 4]);
    expect(history.earlier).toMatchObject({ loops: 1, firstLoop: 1, lastLoop: 1 });
  });
});

describe('retention and the result file lock', () => {
  it("compacts while the run's writer holds the lock; the writer appends to the new file", async () => {
    const file = await resultFile(header(), ...[1, 2, 3, 4].map(loop));
    const writer = await ResultWriter.open(file);
    try {
      const result = await compactResultFile(file, 2, { verifyLock: () => writer.verifyLock() });
      expect(result).toEqual({ folded: 2, dropped: 0 });
      await writer.append(loop(5));
      expect(writer.lastLoop).toBe(5);
    } finally {
      await writer.close();
    }
    const history = await readResults(file);
    expect(history.warnings).toEqual([]);
    expect(history.loops.map((l) => l.loop)).toEqual([3, 4, 5]);
    expect(history.earlier).toMatchObject({ loops: 2, firstLoop: 1, lastLoop: 2 });
    expect((await readdir(dir)).filter((name) => name.includes(path.basename(file)))).toEqual([
      path.basename(file),
    ]);
  });

  it('a run that lost its lock to another leaves the file as it was', async () => {
    const file = await resultFile(header(), ...[1, 2, 3].map(loop));
    const writer = await ResultWriter.open(file);
    const before = await readFile(file, 'utf8');
    // Another run took the lock over (this one was presumed dead).
    const other = {
      pid: process.ppid,
      host: os.hostname(),
      started: new Date().toISOString(),
      token: 'other',
    };
    await writeFile(lockPathOf(file), JSON.stringify(other));
    await expect(compactResultFile(file, 1, { verifyLock: () => writer.verifyLock() })).rejects.toThrow(
      ResultFileBusyError,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect((await readdir(dir)).some((name) => name.includes('.compact-'))).toBe(false);
    await writer.close();
    await rm(lockPathOf(file));
  });
});
