import { link, lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { readResults } from '../../src/results/result-file.js';
import { withTempDir } from '../engine/helpers.js';
import { runCli } from './cli-harness.js';

// Each loop sleeps, so the first run holds the file while the others start.
const experiment = `apiVersion: canary/v1
kind: Experiment
metadata: {name: names}
spec:
  tasks:
    - run: "sleep 0.2"
`;

describe('canary run: one writer per result file, whatever names it', () => {
  it('a second and third run through a symlink and a hard link are refused (exit 6) while the first writes', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'e.yaml'), experiment);
      await mkdir(path.join(dir, 'data'));
      const file = path.join(dir, 'data', 'r.jsonl');
      const env = { CANARY_CACHE_DIR: path.join(dir, 'cache') };
      const seed = await runCli(['run', 'e.yaml', '-q', '--no-assert', '--results', file], { cwd: dir, env });
      expect(seed.code, seed.stderr).toBe(0);
      await symlink(file, path.join(dir, 'link.jsonl'));
      await link(file, path.join(dir, 'hard.jsonl'));

      const others: Promise<Awaited<ReturnType<typeof runCli>>>[] = [];
      let started = false;
      const first = runCli(['run', 'e.yaml', '--no-assert', '--loops', '8', '--results', file], {
        cwd: dir,
        env,
        onStderr: (text) => {
          if (started || !text.includes('loop 2 started')) return;
          started = true;
          for (const name of ['link.jsonl', 'hard.jsonl']) {
            const args = ['run', 'e.yaml', '-q', '--no-assert', '--loops', '2', '--results', name];
            others.push(runCli(args, { cwd: dir, env }));
          }
        },
      });
      const ended = await first;
      expect(ended.code, ended.stderr).toBe(0);
      expect(started).toBe(true);
      for (const other of await Promise.all(others)) {
        expect(other.code, other.stderr).toBe(ExitCode.busy);
        expect(other.stderr).toMatch(/is being written by another canary run \(pid \d+/);
      }
      const history = await readResults(path.join(dir, 'hard.jsonl'));
      expect(history.loops.map((l) => l.loop)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect((await lstat(path.join(dir, 'link.jsonl'))).isSymbolicLink()).toBe(true);
    });
  }, 120_000);
});

describe('a result path that cannot be reached: exit 2 with the path, never exit 1 or a raw ENOENT', () => {
  it('run, report, assert, results list|pin, diff: a dangling symlink into a missing folder', async () => {
    await withTempDir(async (dir) => {
      await writeFile(path.join(dir, 'e.yaml'), experiment);
      const target = path.join(dir, 'gone', 'r.jsonl');
      await symlink(target, path.join(dir, 'dangling.jsonl'));
      const commands = [
        ['run', 'e.yaml', '-q', '--no-assert', '--results', 'dangling.jsonl'],
        ['report', '--results', 'dangling.jsonl'],
        ['assert', '--completed', '--results', 'dangling.jsonl'],
        ['results', 'list', '-r', 'dangling.jsonl'],
        ['results', 'pin', '1', '--as', 'golden', '-r', 'dangling.jsonl'],
        ['diff', 'dangling.jsonl', 'dangling.jsonl'],
      ];
      for (const args of commands) {
        const result = await runCli(args, { cwd: dir, env: { CANARY_CACHE_DIR: path.join(dir, 'cache') } });
        const what = `canary ${args.join(' ')}: ${result.stderr}`;
        expect(result.code, what).toBe(ExitCode.usage);
        expect(result.stderr, what).toContain(
          `dangling.jsonl (a symbolic link to ${target}, whose folder ${path.join(dir, 'gone')} does not exist)`,
        );
        expect(result.stderr, what).toContain('hint: ');
        expect(result.stderr, what).not.toContain('ENOENT');
      }
    });
  }, 120_000);
});
