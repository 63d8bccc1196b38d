import { link, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RetentionObserver } from '../../src/cli/retention-observer.js';
import type { RunEvent } from '../../src/engine/events.js';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { readResults, ResultWriter } from '../../src/results/result-file.js';
import { compactResultFile } from '../../src/results/retention.js';
import { withTempDir } from '../engine/helpers.js';
import { header, loopRecord } from './fixtures.js';
import { rejectionOf } from '../support/rejection.js';

/** Every name a result file can go by: the file, a symlink, a hard link, a `..` path through a linked folder. */
async function namesFor(dir: string): Promise<{ file: string; names: Record<string, string> }> {
  const file = path.join(dir, 'data', 'demo.jsonl');
  await mkdir(path.join(dir, 'data', 'sub'), { recursive: true });
  await writeFile(file, `${JSON.stringify(header())}\n${JSON.stringify(loopRecord(1))}\n`);
  await symlink(file, path.join(dir, 'link.jsonl'));
  await link(file, path.join(dir, 'hard.jsonl'));
  await symlink(path.join(dir, 'data', 'sub'), path.join(dir, 'sublink'));
  return {
    file,
    names: {
      symlink: path.join(dir, 'link.jsonl'),
      'hard link': path.join(dir, 'hard.jsonl'),
      // The kernel resolves `sublink/..` to data/, where a lexical `..` would say dir/.
      '.. through a symlinked folder': `${path.join(dir, 'sublink')}/../demo.jsonl`,
    },
  };
}

const refusal = (promise: Promise<unknown>) => rejectionOf(promise, CanaryError);

function withCache<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.CANARY_CACHE_DIR;
  process.env.CANARY_CACHE_DIR = path.join(dir, 'cache');
  return body().finally(() => {
    if (saved === undefined) delete process.env.CANARY_CACHE_DIR;
    else process.env.CANARY_CACHE_DIR = saved;
  });
}

describe('one writer per result file, whatever names it', () => {
  for (const which of ['symlink', 'hard link', '.. through a symlinked folder']) {
    it(`a writer through a ${which} meets the lock of a writer holding the file (exit 6), and the other way round`, async () => {
      await withTempDir((dir) =>
        withCache(dir, async () => {
          const { file, names } = await namesFor(dir);
          const name = names[which]!;
          const first = await ResultWriter.open(file);
          const busy = await refusal(ResultWriter.open(name));
          expect(busy.exitCode).toBe(ExitCode.busy);
          expect(busy.message).toMatch(/is being written by another canary run \(pid \d+/);
          await first.close();

          const second = await ResultWriter.open(name);
          expect((await refusal(ResultWriter.open(file))).exitCode).toBe(ExitCode.busy);
          await second.append(loopRecord(2));
          await second.close();
          expect((await readResults(file)).loops.map((l) => l.loop)).toEqual([1, 2]);
        }),
      );
    });
  }

  it('a hard link names the other name in its refusal', async () => {
    await withTempDir((dir) =>
      withCache(dir, async () => {
        const { file, names } = await namesFor(dir);
        const first = await ResultWriter.open(names['hard link']!);
        const busy = await refusal(ResultWriter.open(file));
        expect(busy.message).toContain(`through ${names['hard link']}`);
        await first.close();
      }),
    );
  });

  it('--fresh through a symlink archives the target and leaves the link a link to the new file', async () => {
    await withTempDir((dir) =>
      withCache(dir, async () => {
        const { file, names } = await namesFor(dir);
        const writer = await ResultWriter.open(names.symlink!, { fresh: true });
        await writer.append(header());
        await writer.close();
        expect((await lstat(names.symlink!)).isSymbolicLink()).toBe(true);
        expect(await readlink(names.symlink!)).toBe(file);
        expect(writer.warnings.join('\n')).toMatch(/previous results kept as .*data\/demo\.\d{4}-/);
        expect((await readResults(file)).loops).toEqual([]);
      }),
    );
  });

  it('compaction through a symlink replaces the target and keeps the link', async () => {
    await withTempDir(async (dir) => {
      const { file, names } = await namesFor(dir);
      const loops = [2, 3, 4].map((n) => `${JSON.stringify(loopRecord(n))}\n`).join('');
      await writeFile(file, `${await readFile(file, 'utf8')}${loops}`);
      // The hard link would keep the old inode: drop it for this case (see the next one).
      await import('node:fs/promises').then(({ unlink }) => unlink(names['hard link']!));
      const result = await compactResultFile(names.symlink!, 2);
      expect(result).toMatchObject({ folded: 2 });
      expect((await lstat(names.symlink!)).isSymbolicLink()).toBe(true);
      const history = await readResults(names.symlink!);
      expect(history.loops.map((l) => l.loop)).toEqual([3, 4]);
      expect(history.earlier?.loops).toBe(2);
    });
  });

  it('after compacting, the writer holds the lock of the new file’s inode', async () => {
    await withTempDir((dir) =>
      withCache(dir, async () => {
        const file = path.join(dir, 'demo.jsonl');
        const records = [header(), ...[1, 2, 3, 4].map((n) => loopRecord(n))];
        await writeFile(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const locks = path.join(dir, 'cache', 'result-locks');
        const lockOf = async () => {
          const { dev, ino } = await stat(file, { bigint: true });
          return `${dev}-${ino}.lock`;
        };
        const writer = await ResultWriter.open(file);
        const before = await lockOf();
        expect(await readdir(locks)).toEqual([before]);
        const warnings: string[] = [];
        await new RetentionObserver(file, 2, (w) => warnings.push(w), writer).onEvent({
          type: 'loop-end',
        } as RunEvent);
        expect(warnings).toEqual([]);
        expect(await lockOf()).not.toBe(before);
        expect(await readdir(locks)).toEqual([await lockOf()]);
        await writer.close();
        expect(await readdir(locks)).toEqual([]);
      }),
    );
  });

  it('without a usable cache directory, the path lock still holds and the writer says hard links are unguarded', async () => {
    await withTempDir((dir) =>
      withCache(dir, async () => {
        await writeFile(path.join(dir, 'cache'), 'a file where the cache directory should be');
        const file = path.join(dir, 'demo.jsonl');
        const writer = await ResultWriter.open(file);
        expect(writer.warnings).toEqual([
          `hard links to ${file} are not guarded: cannot create ${path.join(dir, 'cache', 'result-locks')} (ENOTDIR); set CANARY_CACHE_DIR to a writable folder`,
        ]);
        expect((await refusal(ResultWriter.open(file))).exitCode).toBe(ExitCode.busy);
        await writer.close();
      }),
    );
  });

  it('compaction leaves a file with hard links alone, saying why', async () => {
    await withTempDir(async (dir) => {
      const { file } = await namesFor(dir);
      const before = await readFile(file);
      const result = await compactResultFile(file, 1);
      expect(result.skipped).toBe(
        `not compacted: ${file} has 2 hard links, and a compacted copy would split them (use a symlink instead)`,
      );
      expect((await readFile(file)).equals(before)).toBe(true);
    });
  });
});

describe('a result path that cannot be reached', () => {
  it('a writer refuses a dangling symlink into a missing folder with exit 2, the path and a hint', async () => {
    await withTempDir(async (dir) => {
      const name = path.join(dir, 'dangling.jsonl');
      await symlink(path.join(dir, 'gone', 'x.jsonl'), name);
      const error = await refusal(ResultWriter.open(name));
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.message).toBe(
        `cannot write results to ${name} (a symbolic link to ${path.join(dir, 'gone', 'x.jsonl')}, whose folder ${path.join(dir, 'gone')} does not exist)`,
      );
      expect(error.hints[0]).toMatch(/create that folder/);
    });
  });

  it('a writer follows a dangling symlink into a folder that exists, and creates its target', async () => {
    await withTempDir((dir) =>
      withCache(dir, async () => {
        const target = path.join(dir, 'x.jsonl');
        const name = path.join(dir, 'dangling.jsonl');
        await symlink(target, name);
        const writer = await ResultWriter.open(name);
        await writer.append(header());
        await writer.close();
        expect((await lstat(name)).isSymbolicLink()).toBe(true);
        expect((await readResults(target)).header).toBeDefined();
      }),
    );
  });

  it('a reader says why a dangling symlink has no file behind it (exit 2)', async () => {
    await withTempDir(async (dir) => {
      const name = path.join(dir, 'dangling.jsonl');
      await symlink(path.join(dir, 'gone', 'x.jsonl'), name);
      const error = await refusal(readResults(name));
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.message).toBe(
        `no result file at ${name} (a symbolic link to ${path.join(dir, 'gone', 'x.jsonl')}, whose folder ${path.join(dir, 'gone')} does not exist)`,
      );
      const inMissingFolder = path.join(dir, 'nowhere', 'y.jsonl');
      expect((await refusal(readResults(inMissingFolder))).message).toBe(
        `no result file at ${inMissingFolder} (its folder ${path.join(dir, 'nowhere')} does not exist)`,
      );
    });
  });
});

describe('a loop line whose experimentHash is not its header’s', () => {
  it('is a damaged line: exit 7 with file:line, for readers and for the writer', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const lines = [
        header(),
        loopRecord(1),
        loopRecord(2, { experimentHash: 'sha256:bbbb' }),
        loopRecord(3),
      ];
      await writeFile(file, lines.map((r) => `${JSON.stringify(r)}\n`).join(''));
      const read = await refusal(readResults(file));
      expect(read.exitCode).toBe(ExitCode.badResults);
      expect(read.message).toBe(
        `${file}:3: damaged line: loop 2 has experimentHash sha256:bbbb, but its segment's header (line 1) has sha256:aaaa`,
      );
      expect((await refusal(ResultWriter.open(file))).message).toBe(read.message);
    });
  });

  it('a new header starts a segment with its own hash', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const other = 'sha256:bbbb';
      const lines = [
        header(),
        loopRecord(1),
        header({ experimentHash: other, firstLoop: 2 }),
        loopRecord(2, { experimentHash: other }),
      ];
      await writeFile(file, lines.map((r) => `${JSON.stringify(r)}\n`).join(''));
      expect((await readResults(file)).loops.map((l) => l.experimentHash)).toEqual(['sha256:aaaa', other]);
    });
  });
});
