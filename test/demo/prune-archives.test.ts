import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneArchives } from '../../src/demo/prune-archives.js';
import { freeArchiveName } from '../../src/results/result-file.js';
import { withTempDir } from '../engine/helpers.js';

describe('pruneArchives (the demo keeps its last few result files)', () => {
  it('keeps the current file and the newest archives, and nothing of other experiments', async () => {
    await withTempDir(async (dir) => {
      const results = path.join(dir, 'demo.jsonl');
      await writeFile(results, '');
      const made: string[] = [];
      for (let i = 0; i < 6; i++) {
        const name = await freeArchiveName(results, new Date(Date.UTC(2026, 11, 7, 10, i)));
        await writeFile(name, '');
        made.push(path.basename(name));
      }
      // Two archives in the same millisecond: the second is `-2`, and newer.
      const twin = await freeArchiveName(results, new Date(Date.UTC(2026, 11, 7, 10, 5)));
      await writeFile(twin, '');
      await writeFile(path.join(dir, 'other.2026-12-07T09-00-00-000Z.jsonl'), '');
      await writeFile(path.join(dir, 'demo.html'), '');

      const removed = await pruneArchives(results, 3);
      expect(removed.map((f) => path.basename(f))).toEqual(made.slice(0, 4));
      expect((await readdir(dir)).sort()).toEqual(
        [
          'demo.html',
          'demo.jsonl',
          'other.2026-12-07T09-00-00-000Z.jsonl',
          made[4]!,
          made[5]!,
          path.basename(twin),
        ].sort(),
      );
    });
  });
});
