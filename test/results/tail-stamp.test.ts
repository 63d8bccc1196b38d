import { appendFile, copyFile, open, readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { readTail, ResultFileError, ResultWriter } from '../../src/results/result-file.js';
import { readStampedTail } from '../../src/results/tail-stamp.js';
import { withTempDir } from '../engine/helpers.js';
import { hash, header, jsonl, loopRecord } from './fixtures.js';

let savedCacheDir: string | undefined;
beforeEach(() => {
  savedCacheDir = process.env.CANARY_CACHE_DIR;
});
afterEach(() => {
  if (savedCacheDir === undefined) delete process.env.CANARY_CACHE_DIR;
  else process.env.CANARY_CACHE_DIR = savedCacheDir;
});

/** A result file of `loops` loops written and closed by a writer; stamps go to `dir/cache`. */
async function writtenFile(dir: string, loops = 3): Promise<string> {
  process.env.CANARY_CACHE_DIR = path.join(dir, 'cache');
  const file = path.join(dir, 'results', 'experiment.jsonl');
  const writer = await ResultWriter.open(file);
  await writer.append(header());
  for (let n = 1; n <= loops; n++) await writer.append(loopRecord(n));
  await writer.close();
  return file;
}

async function stampFiles(dir: string): Promise<string[]> {
  return readdir(path.join(dir, 'cache', 'result-checks'));
}

/** Changes a file's contents; the mtime is set apart so the change shows at any timestamp granularity. */
async function markChanged(file: string): Promise<void> {
  const past = new Date(Date.now() - 60_000);
  await utimes(file, past, past);
}

describe('tail stamps: a writer trusts a file it checked and nobody changed since', () => {
  it('a closing writer stamps where the file ends, in the cache directory, not beside the results', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      expect(await readdir(path.dirname(file))).toEqual(['experiment.jsonl']);
      expect(await stampFiles(dir)).toHaveLength(1);
      const stamped = await readStampedTail(file);
      const checked = await readTail(file);
      expect(stamped).toEqual({
        lastLoop: 3,
        experimentHash: hash,
        experimentStart: checked.experimentStart,
        format: checked.format,
        lastLoopAt: checked.lastLoopAt,
        lastLoopRecord: checked.lastLoopRecord,
        size: checked.size,
      });
    });
  });

  it('the next writer takes the stamp without reading the file', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      // A stamp that disagrees with the file, with the file's identity: only a writer that trusts the
      // stamp instead of reading every line would see loop 41.
      const [name] = (await stampFiles(dir)) as [string];
      const stampFile = path.join(dir, 'cache', 'result-checks', name);
      const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { tail: { lastLoop: number } };
      stamp.tail.lastLoop = 41;
      await writeFile(stampFile, JSON.stringify(stamp));
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(41);
      expect(writer.previousLoop(hash)).toMatchObject({ kind: 'loop', loop: 3 });
      await writer.close();
    });
  });

  it('continues the file exactly as a full check would', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      for (let run = 0; run < 3; run++) {
        const writer = await ResultWriter.open(file);
        expect(writer.needsHeader(hash)).toBe(false);
        await writer.append(loopRecord(writer.lastLoop + 1));
        await writer.close();
        expect(await readStampedTail(file)).toMatchObject({ lastLoop: 4 + run });
      }
      const text = await readFile(file, 'utf8');
      expect(text).toBe(jsonl(header(), ...[1, 2, 3, 4, 5, 6].map((n) => loopRecord(n))));
    });
  });

  it('a line appended by anyone else sends the next writer back to the full check', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      await appendFile(file, JSON.stringify(loopRecord(4)) + '\n');
      expect(await readStampedTail(file)).toBeUndefined();
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(4);
      await writer.close();
    });
  });

  it('a same-size edit of an older line is found and refused (exit 7)', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      const before = await readFile(file);
      const handle = await open(file, 'r+');
      await handle.write('#', before.indexOf('"loop":2') - 10);
      await handle.close();
      await markChanged(file);
      expect((await readFile(file)).length).toBe(before.length);
      expect(await readStampedTail(file)).toBeUndefined();
      const error = await ResultWriter.open(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResultFileError);
      expect((error as ResultFileError).exitCode).toBe(ExitCode.badResults);
      expect((error as Error).message).toMatch(/experiment\.jsonl:3: damaged line/);
    });
  });

  it('a file replaced by a copy of itself, or cut short, is checked whole again', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      const copy = `${file}.copy`;
      await copyFile(file, copy);
      await rename(copy, file);
      expect(await readStampedTail(file)).toBeUndefined();

      const stamped = await writtenFile(path.join(dir, 'second'));
      const whole = await readFile(stamped);
      await writeFile(stamped, whole.subarray(0, whole.length - 5));
      expect(await readStampedTail(stamped)).toBeUndefined();
      const writer = await ResultWriter.open(stamped);
      expect(writer.lastLoop).toBe(2);
      expect(writer.warnings.join('\n')).toMatch(/dropped a torn last line/);
      await writer.close();
    });
  });

  it('a stamp from another canary version, or one that cannot be parsed, is ignored', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      const [name] = (await stampFiles(dir)) as [string];
      const stampFile = path.join(dir, 'cache', 'result-checks', name);
      const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { tool: string };
      await writeFile(stampFile, JSON.stringify({ ...stamp, tool: '0.0.0-other' }));
      expect(await readStampedTail(file)).toBeUndefined();
      await writeFile(stampFile, '{"stamp":');
      expect(await readStampedTail(file)).toBeUndefined();
      const writer = await ResultWriter.open(file);
      expect(writer.lastLoop).toBe(3);
      await writer.close();
    });
  });

  it('a writer whose file was replaced under it (retention) leaves no stamp', async () => {
    await withTempDir(async (dir) => {
      const file = await writtenFile(dir);
      const writer = await ResultWriter.open(file);
      await writer.append(loopRecord(4));
      writer.forgetPosition();
      await writer.close();
      expect(await readStampedTail(file)).toBeUndefined();
    });
  });

  it('a cache directory that cannot be written costs only the full check', async () => {
    await withTempDir(async (dir) => {
      const blocker = path.join(dir, 'not-a-dir');
      await writeFile(blocker, '');
      process.env.CANARY_CACHE_DIR = path.join(blocker, 'cache');
      const file = path.join(dir, 'experiment.jsonl');
      const writer = await ResultWriter.open(file);
      await writer.append(header());
      await writer.append(loopRecord(1));
      await writer.close();
      expect(await readStampedTail(file)).toBeUndefined();
      const again = await ResultWriter.open(file);
      expect(again.lastLoop).toBe(1);
      await again.close();
    });
  });
});
