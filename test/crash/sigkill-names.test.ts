import { spawn } from 'node:child_process';
import { link, lstat, mkdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { readResults } from '../../src/results/result-file.js';
import { withTempDir } from '../engine/helpers.js';
import { seededRandom } from './seeded-random.js';

/**
 * Two writers at once on one result file, each through another of its names (the file, a symlink, a
 * hard link, a `..` path through a symlinked folder), both killed with SIGKILL at a random moment. One
 * writer per file must hold whatever the names: the other is refused (exit 6), and the file stays
 * readable with loop numbers 1..n, never a loop twice. Each round starts over the stale locks the
 * last round's kills left, both racers at once.
 */
const rounds = 24;
const loopingWriter = path.join(path.dirname(fileURLToPath(import.meta.url)), 'looping-writer.mjs');

interface Outcome {
  name: string;
  /** Set when the writer ended by itself before the kill. */
  exited?: { code: number | null; stderr: string };
}

function startWriter(name: string, cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [loopingWriter, name], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Outcome>((resolve) =>
    child.on('exit', (code, signal) =>
      resolve(signal === 'SIGKILL' ? { name } : { name, exited: { code, stderr } }),
    ),
  );
  return { child, exit };
}

describe('SIGKILL with two writers through different names of one file', () => {
  it(`${rounds} rounds: one writer holds, the other is refused (exit 6), the file stays contiguous`, async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'data', 'crash.jsonl');
      await mkdir(path.join(dir, 'data', 'sub'), { recursive: true });
      await symlink(path.join(dir, 'data', 'sub'), path.join(dir, 'sublink'));
      await symlink(file, path.join(dir, 'link.jsonl'));
      const env = { ...process.env, CANARY_CACHE_DIR: path.join(dir, 'cache') };
      // The hard link needs the file: a first writer creates it (its lock is taken over below).
      const first = startWriter(file, dir, env);
      while (((await stat(file).catch(() => undefined))?.size ?? 0) === 0) await sleep(5);
      first.child.kill('SIGKILL');
      await first.exit;
      await link(file, path.join(dir, 'hard.jsonl'));
      const names = [
        file,
        path.join(dir, 'link.jsonl'),
        path.join(dir, 'hard.jsonl'),
        `${path.join(dir, 'sublink')}/../crash.jsonl`,
      ];

      const seed = 4242;
      const next = seededRandom(seed);
      let refused = 0;
      let known = 0;
      for (let round = 1; round <= rounds; round++) {
        const a = Math.floor(next() * names.length);
        const b = (a + 1 + Math.floor(next() * (names.length - 1))) % names.length;
        const where = `round ${round} (seed ${seed}): ${names[a]} and ${names[b]}`;
        const writers = [startWriter(names[a]!, dir, env), startWriter(names[b]!, dir, env)];
        await sleep(300 + next() * 500);
        for (const { child } of writers) child.kill('SIGKILL');
        const outcomes = await Promise.all(writers.map((w) => w.exit));
        for (const { exited } of outcomes) {
          if (!exited) continue;
          expect(exited.code, `${where}: ${exited.stderr}`).toBe(ExitCode.busy);
          expect(exited.stderr, where).toMatch(/is being written by another canary run/);
          refused++;
        }
        const history = await readResults(file).catch((error: unknown) => {
          throw new Error(`${where}: the normal reader failed: ${String(error)}`);
        });
        const numbers = history.loops.map((l) => l.loop);
        expect(numbers, `${where}: contiguous loop numbers, none twice`).toEqual(
          numbers.map((_, i) => i + 1),
        );
        expect(numbers.length, `${where}: loops already on disk were lost`).toBeGreaterThanOrEqual(known);
        known = numbers.length;
      }
      // Most rounds had both racers past start-up: the loser of the race was refused each time.
      expect(refused).toBeGreaterThanOrEqual(rounds / 2);
      expect(known).toBeGreaterThan(rounds);
      // The links are still links to the one file.
      expect((await stat(path.join(dir, 'hard.jsonl'))).ino).toBe((await stat(file)).ino);
      expect((await lstat(path.join(dir, 'link.jsonl'))).isSymbolicLink()).toBe(true);
      console.info(`${rounds} rounds: ${known} loops on disk, ${refused} writers refused`);
    });
  }, 300_000);
});
