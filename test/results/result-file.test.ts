import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import {
  defaultResultsPath,
  freeArchiveName,
  hashExperiment,
  readResults,
  readTail,
  ResultWriter,
} from '../../src/results/result-file.js';
import { verdictKey, type ResultRecord } from '../../src/results/records.js';
import { withTempDir } from '../engine/helpers.js';
import { endRecord, experiment, hash, header, jsonl, loopRecord } from './fixtures.js';

async function linesOf(file: string): Promise<ResultRecord[]> {
  const text = await readFile(file, 'utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultRecord);
}

describe('hashExperiment and paths', () => {
  it('ignores key order and undefined values', () => {
    expect(hashExperiment({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(
      hashExperiment({ b: { c: [1, 2] }, a: 1 }),
    );
    expect(hashExperiment({ a: 1 })).not.toBe(hashExperiment({ a: 2 }));
    expect(hashExperiment({ a: [1, 2] })).not.toBe(hashExperiment({ a: [2, 1] }));
    expect(hashExperiment(experiment())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('puts results under canary-results by experiment name', () => {
    expect(defaultResultsPath('/work', 'demo')).toBe(path.join('/work', 'canary-results', 'demo.jsonl'));
  });
});

describe('ResultWriter', () => {
  it('creates the file and its folder; a new file needs a header', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'nested', 'deeper', 'demo.jsonl');
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(0);
      expect(writer.needsHeader(hash)).toBe(true);
      expect(writer.warnings).toEqual([]);
      await writer.append(header());
      expect(writer.needsHeader(hash)).toBe(false);
      expect(await linesOf(file)).toEqual([header()]);
    });
  });

  it('continues loop numbering when the file is reopened', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const first = await ResultWriter.open(file);
      await first.append(header());
      await first.append(loopRecord(1));
      await first.append(loopRecord(2));
      expect(first.lastLoop).toBe(2);
      await first.append(endRecord(2));
      await first.close();

      const second = await ResultWriter.open(file);
      expect(second.lastLoop).toBe(2);
      expect(second.needsHeader(hash)).toBe(false);
      await second.append(loopRecord(second.lastLoop + 1));
      expect(second.lastLoop).toBe(3);
      await second.close();

      const third = await ResultWriter.open(file);
      expect(third.lastLoop).toBe(3);
      const history = await readResults(file);
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2, 3]);
      expect(history.end).toBeUndefined();
      expect(history.warnings).toEqual([]);
    });
  });

  it('knows the last loop from a header alone (firstLoop - 1)', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header({ firstLoop: 8 })));
      expect((await ResultWriter.open(file)).lastLoop).toBe(7);
    });
  });

  it('needs a header when the experiment hash changed', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1), endRecord(1)));
      const writer = await ResultWriter.open(file);
      expect(writer.needsHeader(hash)).toBe(false);
      expect(writer.needsHeader('sha256:changed')).toBe(true);
      await writer.append(header({ experimentHash: 'sha256:changed', firstLoop: 2 }));
      expect(writer.needsHeader('sha256:changed')).toBe(false);
      expect(writer.needsHeader(hash)).toBe(true);
    });
  });

  it('with fresh, keeps the old file under another name and starts a new one', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const old = jsonl(header(), loopRecord(1), loopRecord(2));
      await writeFile(file, old);
      const writer = await ResultWriter.open(file, { fresh: true });
      expect(writer.lastLoop).toBe(0);
      expect(writer.needsHeader(hash)).toBe(true);
      expect(writer.warnings).toHaveLength(1);
      expect(writer.warnings[0]).toMatch(/^previous results kept as /);
      const archived = writer.warnings[0]!.replace('previous results kept as ', '');
      expect(path.dirname(archived)).toBe(dir);
      expect(archived).toMatch(/demo\..+\.jsonl$/);
      expect(await readFile(archived, 'utf8')).toBe(old);
      // A new, empty file (its inode is locked too), which readers take for "no results yet".
      expect((await stat(file)).size).toBe(0);
      // The lock stays next to the file while the writer holds it.
      expect((await readdir(dir)).sort()).toEqual([path.basename(archived), 'demo.jsonl', 'demo.jsonl.lock']);
      await writer.append(header());
      expect(await linesOf(file)).toEqual([header()]);
    });
  });

  it('never archives over an earlier archive of the same millisecond', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const now = new Date('2024-05-01T10:00:00.123Z');
      const first = await freeArchiveName(file, now);
      expect(first).toBe(path.join(dir, 'demo.2024-05-01T10-00-00-123Z.jsonl'));
      await writeFile(first, 'kept');
      const second = await freeArchiveName(file, now);
      expect(second).toBe(path.join(dir, 'demo.2024-05-01T10-00-00-123Z-2.jsonl'));
      await writeFile(second, 'kept too');
      expect(await freeArchiveName(file, now)).toBe(path.join(dir, 'demo.2024-05-01T10-00-00-123Z-3.jsonl'));
    });
  });

  it('fresh on a missing file is a plain new file', async () => {
    await withTempDir(async (dir) => {
      const writer = await ResultWriter.open(path.join(dir, 'demo.jsonl'), { fresh: true });
      expect(writer.warnings).toEqual([]);
      expect(writer.lastLoop).toBe(0);
    });
  });

  it('writes NaN and Infinity as null, never breaking JSON', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const writer = await ResultWriter.open(file);
      await writer.append(header());
      await writer.append(
        loopRecord(1, {
          durationMs: Number.NaN,
          metrics: [
            { 'p/x': { value: Number.POSITIVE_INFINITY } },
            { 'p/y': { value: Number.NEGATIVE_INFINITY } },
          ],
          slos: [{ metric: 'p/x', op: '<=', limit: Number.NaN, version: 0, value: 3, status: 'pass' }],
        }),
      );
      const text = await readFile(file, 'utf8');
      expect(text).not.toMatch(/NaN|Infinity/);
      const [, loop] = await linesOf(file);
      expect(loop).toMatchObject({
        durationMs: null,
        metrics: [{ 'p/x': { value: null } }, { 'p/y': { value: null } }],
        slos: [{ limit: null, value: 3 }],
      });
      const history = await readResults(file);
      expect(history.loops).toHaveLength(1);
      expect(history.warnings).toEqual([]);
    });
  });

  it('drops a torn last line on open, with a warning, and the next append gives a valid file', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1)));
      const whole = JSON.stringify(loopRecord(2));
      const torn = whole.slice(0, Math.floor(whole.length / 2));
      await appendFile(file, torn);

      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(1);
      expect(writer.warnings).toEqual([
        `dropped a torn last line (${Buffer.byteLength(torn)} bytes) left by an interrupted write`,
      ]);
      expect(await readFile(file, 'utf8')).toBe(jsonl(header(), loopRecord(1)));
      await writer.append(loopRecord(2));
      expect(await linesOf(file)).toEqual([header(), loopRecord(1), loopRecord(2)]);
      const history = await readResults(file);
      expect(history.warnings).toEqual([]);
    });
  });

  it('drops a torn line cut in the middle of a multi-byte character, and nothing before it', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const kept = jsonl(
        header(),
        loopRecord(1, { tasks: [{ id: 'a', task: 'run', status: 'completed', output: 'naïve ✓ ok' }] }),
      );
      await writeFile(file, kept);
      const bytes = Buffer.from(
        JSON.stringify(
          loopRecord(2, { tasks: [{ id: 'a', task: 'run', status: 'completed', output: 'résumé ✓✓✓' }] }),
        ),
      );
      // Cut inside the three bytes of the first ✓.
      const cut = bytes.indexOf(Buffer.from('✓')) + 1;
      await appendFile(file, bytes.subarray(0, cut));

      const writer = await ResultWriter.open(file);
      expect(writer.warnings).toEqual([
        `dropped a torn last line (${cut} bytes) left by an interrupted write`,
      ]);
      expect(await readFile(file, 'utf8')).toBe(kept);
      await writer.append(loopRecord(2));
      expect((await readResults(file)).loops.map((l) => l.loop)).toEqual([1, 2]);
    });
  });

  it('ends a last record that lacks its newline before appending to it', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header()) + JSON.stringify(loopRecord(1)));
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(1);
      await writer.append(loopRecord(2));
      expect(await linesOf(file)).toEqual([header(), loopRecord(1), loopRecord(2)]);
    });
  });
});

describe('readTail', () => {
  it('reports an empty state for a missing or empty file', async () => {
    await withTempDir(async (dir) => {
      expect(await readTail(path.join(dir, 'none.jsonl'))).toEqual({ lastLoop: 0, tornBytes: 0, size: 0 });
      await writeFile(path.join(dir, 'empty.jsonl'), '');
      expect(await readTail(path.join(dir, 'empty.jsonl'))).toEqual({ lastLoop: 0, tornBytes: 0, size: 0 });
    });
  });

  it('finds the last loop of a file much larger than its 64 KiB read chunk', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'big.jsonl');
      const loops = Array.from({ length: 400 }, (_, i) =>
        loopRecord(i + 1, {
          tasks: [{ id: 'a', task: 'run', status: 'completed', output: 'x'.repeat(500) }],
        }),
      );
      await writeFile(file, jsonl(header(), ...loops));
      const { size } = await stat(file);
      expect(size).toBeGreaterThan(3 * 64 * 1024);
      const tail = await readTail(file);
      expect(tail).toEqual({
        lastLoop: 400,
        lastLoopRecord: expect.objectContaining({ kind: 'loop', loop: 400, experimentHash: hash }),
        lastLoopAt: { loop: 400, offset: expect.any(Number), length: expect.any(Number) },
        experimentHash: hash,
        experimentStart: '2024-05-01T10:01:00.000Z',
        format: 'canary.result/v1',
        tornBytes: 0,
        size,
      });
      // The place is the line's bytes in the file, found across read chunks.
      const { offset, length } = tail.lastLoopAt!;
      const text = await readFile(file);
      expect(JSON.parse(text.subarray(offset, offset + length).toString('utf8'))).toEqual(loops[399]);
      expect(offset + length + 1).toBe(size);
    });
  });

  it('finds a last record that is itself larger than the chunk', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'big.jsonl');
      const huge = loopRecord(2, {
        tasks: [{ id: 'a', task: 'run', status: 'completed', output: 'é'.repeat(100_000) }],
      });
      await writeFile(file, jsonl(header(), loopRecord(1), huge));
      const tail = await readTail(file);
      expect(tail).toMatchObject({ lastLoop: 2, tornBytes: 0 });
      const { offset, length } = tail.lastLoopAt!;
      const text = await readFile(file);
      expect(JSON.parse(text.subarray(offset, offset + length).toString('utf8'))).toEqual(huge);
    });
  });

  it('measures a torn line larger than the chunk, and skips it to the last complete record', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'big.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1), loopRecord(2)));
      const whole = JSON.stringify(
        loopRecord(3, {
          tasks: [{ id: 'a', task: 'run', status: 'completed', output: 'ü✓'.repeat(60_000) }],
        }),
      );
      // Over 64 KiB, cut at a character (a torn write at a byte is covered above).
      const torn = whole.slice(0, 100_001);
      expect(Buffer.byteLength(torn)).toBeGreaterThan(2 * 64 * 1024);
      await appendFile(file, torn);
      const tail = await readTail(file);
      expect(tail).toMatchObject({ lastLoop: 2, tornBytes: Buffer.byteLength(torn) });
      const writer = await ResultWriter.open(file);
      await writer.close();
      expect(writer.warnings).toHaveLength(1);
      expect(await readFile(file, 'utf8')).toBe(jsonl(header(), loopRecord(1), loopRecord(2)));
    });
  });

  it('takes the last loop from an end record', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(
        file,
        jsonl(header(), loopRecord(1), endRecord(4, { loops: 1, experimentHash: 'sha256:end' })),
      );
      expect(await readTail(file)).toMatchObject({ lastLoop: 4, experimentHash: 'sha256:end' });
    });
  });
});

describe('readResults', () => {
  it('reads header, loops and end', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1), loopRecord(2), endRecord(2)));
      const history = await readResults(file);
      expect(history).toEqual({
        file,
        header: header(),
        loops: [loopRecord(1), loopRecord(2)],
        end: endRecord(2),
        warnings: [],
      });
    });
  });

  it('forgets an end record when a later run appended more', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(header(), loopRecord(1), endRecord(1), loopRecord(2)));
      const history = await readResults(file);
      expect(history.end).toBeUndefined();
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2]);
    });
  });

  it('keeps the latest header when the experiment changed', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const second = header({ experimentHash: 'sha256:new', firstLoop: 2 });
      await writeFile(
        file,
        jsonl(header(), loopRecord(1), endRecord(1), second, loopRecord(2, { experimentHash: 'sha256:new' })),
      );
      const history = await readResults(file);
      expect(history.header).toEqual(second);
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2]);
    });
  });

  it('ignores a torn last line with a warning', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const torn = JSON.stringify(loopRecord(2)).slice(0, 40);
      await writeFile(file, jsonl(header(), loopRecord(1)) + torn);
      const history = await readResults(file);
      expect(history.loops.map((l) => l.loop)).toEqual([1]);
      expect(history.warnings).toEqual([
        `ignored a torn last line (${Buffer.byteLength(torn)} bytes; a write was interrupted)`,
      ]);
    });
  });

  it('ignores blank lines', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, `\n${jsonl(header())}\n\n${jsonl(loopRecord(1))}\n`);
      expect(await readResults(file)).toMatchObject({ loops: [loopRecord(1)], warnings: [] });
    });
  });

  it('warns when loops come without a header', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(file, jsonl(loopRecord(1)));
      expect((await readResults(file)).warnings).toEqual(['the result file has no header record']);
    });
  });

  it('says there is no result file and how to make one', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'missing.jsonl');
      const error = await readResults(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CanaryError);
      expect((error as CanaryError).message).toBe(`no result file at ${file}`);
      expect((error as CanaryError).hints.join(' ')).toMatch(/canary run/);
      expect((error as CanaryError).hints.join(' ')).toMatch(/--results/);
      expect((error as CanaryError).exitCode).toBe(ExitCode.usage);
    });
  });

  // Damaged files, newer formats, directories and pipes: test/results/result-file-faults.test.ts.

  it('reads records across its 1 MiB read chunks, a multi-byte character cut by a chunk boundary included', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      // Each loop carries ~120 KB of text with multi-byte characters, so chunk boundaries fall inside them.
      const output = 'é€😀'.repeat(12_000);
      const loops = Array.from({ length: 30 }, (_, i) =>
        // Loop 5's record (2.4 MB) spans whole chunks.
        loopRecord(i + 1, {
          tasks: [
            { id: 'a', task: 'run', status: 'completed', output: i === 4 ? output.repeat(20) : output },
          ],
        }),
      );
      await writeFile(file, jsonl(header(), ...loops, endRecord(30)));
      expect((await stat(file)).size).toBeGreaterThan(3 * 1024 * 1024);
      const history = await readResults(file);
      expect(history.warnings).toEqual([]);
      expect(history.loops).toEqual(loops);
      expect(history.end).toEqual(endRecord(30));
    });
  });

  it('with fullLoops, keeps the latest loops whole and the metric values and info of older ones', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const loop = (n: number, info: string) =>
        loopRecord(n, {
          metrics: [{ 'p/m': { value: n, query: `q${n}` }, 'p/none': { value: null, reason: 'no data' } }],
          metricInfo: { 'p/m': { description: info }, ...(n === 1 ? { 'p/old': { units: 'ms' } } : {}) },
          slos: [
            {
              metric: 'p/m',
              op: '<=',
              limit: 5,
              version: 0,
              value: n,
              status: n <= 5 ? 'pass' : 'fail',
              kind: 'absolute',
              policy: { mode: 'warn', onNoData: 'fail' },
              gate: 'pass',
            },
          ],
          retrospective: { at: `2024-05-01T09:0${n}:00.000Z` },
          histograms: [[{ upperMs: 1, count: n }]],
        });
      await writeFile(file, jsonl(header(), loop(1, 'first'), loop(2, 'second'), loop(3, 'third')));
      const history = await readResults(file, { fullLoops: 1 });
      expect(history.loops.at(-1)).toEqual(loop(3, 'third'));
      expect(history.loops.slice(0, 2)).toEqual(
        [1, 2].map((n) => ({
          ...loopRecord(n),
          tasks: [],
          metrics: [{ 'p/m': { value: n }, 'p/none': { value: null } }],
          slos: [],
          retrospective: { at: `2024-05-01T09:0${n}:00.000Z` },
        })),
      );
      // Their verdicts are counted per SLO and version (warn SLOs show violations over the history).
      expect([...history.summarizedSloCounts!]).toEqual([
        [verdictKey({ kind: 'absolute', metric: 'p/m', op: '<=' }, 'version-0'), { loops: 2, violations: 0 }],
      ]);
      expect(history.summarizedMetricInfo).toEqual({
        'p/m': { description: 'second' },
        'p/old': { units: 'ms' },
      });
      // Without the option every loop stays whole.
      expect((await readResults(file)).loops).toEqual([
        loop(1, 'first'),
        loop(2, 'second'),
        loop(3, 'third'),
      ]);
    });
  });
});
