import { spawn, spawnSync } from 'node:child_process';
import { appendFile, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CanaryError } from '../../src/errors.js';
import { ExitCode } from '../../src/exit-codes.js';
import { readResults, ResultWriter } from '../../src/results/result-file.js';
import { lockPathOf, ResultLock, withAppendGuard, type LockHolder } from '../../src/results/result-lock.js';
import { pinLoop } from '../../src/results/write-marks.js';
import { binary, runCli } from '../cli/cli-harness.js';
import { withTempDir } from '../engine/helpers.js';
import { header, loopRecord } from './fixtures.js';

/** A pid that ran and is gone: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid;
}

async function writeLock(file: string, holder: Partial<LockHolder>, ageMs = 0): Promise<void> {
  const lockPath = lockPathOf(file);
  await writeFile(lockPath, JSON.stringify({ started: '2024-05-01T10:00:00.000Z', token: 't', ...holder }));
  const when = new Date(Date.now() - ageMs);
  await utimes(lockPath, when, when);
}

async function holderOf(file: string): Promise<LockHolder> {
  return JSON.parse(await readFile(lockPathOf(file), 'utf8')) as LockHolder;
}

describe('ResultLock', () => {
  it('a second holder is refused with the first one’s pid, how to proceed, and exit code 6', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const first = await ResultLock.acquire(file);
      expect(await holderOf(file)).toMatchObject({ pid: process.pid, host: hostname() });
      const error = await ResultLock.acquire(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CanaryError);
      expect((error as CanaryError).exitCode).toBe(ExitCode.busy);
      expect((error as CanaryError).message).toBe(
        `${file} is being written by another canary run (pid ${process.pid}, since ${first.holder.started})`,
      );
      expect((error as CanaryError).hints).toEqual([
        `wait for it to finish, or stop it (kill ${process.pid}) and run again`,
        'to run side by side, give this run its own file: --results OTHER.jsonl',
        `if no canary is writing it, delete ${file}.lock`,
      ]);
      await first.release();
      await expect(stat(lockPathOf(file))).rejects.toThrow();
      const again = await ResultLock.acquire(file);
      expect(again.notes).toEqual([]);
      await again.release();
    });
  });

  it('takes over a lock whose process is gone, with a note', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const pid = deadPid();
      await writeLock(file, { pid, host: hostname() });
      const lock = await ResultLock.acquire(file);
      expect(lock.notes).toEqual([
        `took over the lock on ${file}: pid ${pid}, which held it, is no longer running`,
      ]);
      expect((await holderOf(file)).token).toBe(lock.holder.token);
      await lock.release();
    });
  });

  it('judges a holder on another host by its heartbeat alone', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeLock(file, { pid: 4242, host: 'elsewhere' }, 1000);
      const busy = await ResultLock.acquire(file, { staleAfterMs: 60_000 }).catch((e: unknown) => e);
      expect((busy as CanaryError).message).toMatch(/\(pid 4242 on elsewhere, since /);
      expect((busy as CanaryError).hints[0]).toBe(
        'wait for it to finish, or stop it (kill 4242 on elsewhere) and run again',
      );

      await writeLock(file, { pid: 4242, host: 'elsewhere' }, 120_000);
      const lock = await ResultLock.acquire(file, { staleAfterMs: 60_000 });
      expect(lock.notes).toEqual([
        `took over the lock on ${file}: pid 4242 on elsewhere has not refreshed it for 120 s`,
      ]);
      await lock.release();
    });
  });

  it('a live pid whose lock stopped beating (a reused pid) is stale too', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      // process.ppid is alive, but the lock has not been refreshed for far longer than allowed.
      await writeLock(file, { pid: process.ppid, host: hostname() }, 10_000);
      const lock = await ResultLock.acquire(file, { staleAfterMs: 5000 });
      expect(lock.notes[0]).toMatch(/has not refreshed it for 10 s$/);
      await lock.release();
    });
  });

  it('a lock file whose creator died before writing it is taken over once it is a few seconds old', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeFile(lockPathOf(file), '');
      const old = new Date(Date.now() - 10_000);
      await utimes(lockPathOf(file), old, old);
      const lock = await ResultLock.acquire(file);
      expect(lock.notes).toEqual([
        `took over the lock on ${file}: its lock file names no holder (its creator died while writing it)`,
      ]);
      await lock.release();
    });
  });

  it('of many takers racing for one stale lock, exactly one wins', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      await writeLock(file, { pid: deadPid(), host: hostname() });
      const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => ResultLock.acquire(file)));
      const winners = attempts.filter((a) => a.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const loser of attempts.filter((a) => a.status === 'rejected'))
        expect((loser.reason as CanaryError).exitCode).toBe(ExitCode.busy);
      const [winner] = winners as [PromiseFulfilledResult<ResultLock>];
      expect((await holderOf(file)).token).toBe(winner.value.holder.token);
      await winner.value.release();
    });
  });

  it('refreshes the lock file’s mtime while held', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const lock = await ResultLock.acquire(file, { heartbeatMs: 20 });
      const old = new Date(Date.now() - 60_000);
      await utimes(lockPathOf(file), old, old);
      for (let i = 0; i < 100 && (await stat(lockPathOf(file))).mtimeMs < Date.now() - 30_000; i++)
        await sleep(20);
      expect((await stat(lockPathOf(file))).mtimeMs).toBeGreaterThan(Date.now() - 30_000);
      await lock.release();
    });
  });

  it('a writer whose lock was taken over stops appending instead of interleaving', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'demo.jsonl');
      const writer = await ResultWriter.open(file);
      await writer.append(header());
      await writeLock(file, { pid: 999_999, host: 'other' });
      const error = await writer.append(loopRecord(1)).catch((e: unknown) => e);
      expect((error as CanaryError).exitCode).toBe(ExitCode.busy);
      expect((error as CanaryError).message).toBe(
        `lost the lock on ${file}: pid 999999 on other took it over (this run was presumed dead)`,
      );
      expect((await readResults(file)).loops).toEqual([]);
      // Closing leaves the new holder's lock in place.
      await writer.close();
      expect((await holderOf(file)).pid).toBe(999_999);
    });
  });
});

describe('two canary runs on one result file (built binary)', () => {
  it('the second exits 6 naming the first; after the first is killed, the next run takes over', async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        path.join(dir, 'slow.yaml'),
        'apiVersion: canary/v1\nkind: Experiment\nmetadata: {name: slow}\nspec:\n  tasks:\n    - run: "sleep 0.2"\n',
      );
      const file = path.join(dir, 'slow.jsonl');
      const first = spawn(
        process.execPath,
        [binary, 'run', 'slow.yaml', '--loops', '1000', '-q', '--results', file],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
      const exited = new Promise((resolve) => first.on('exit', resolve));
      try {
        // Wait for its first loop, so that it surely holds the lock.
        for (let i = 0; i < 600; i++) {
          const text = await readFile(file, 'utf8').catch(() => '');
          if (text.includes('"kind":"loop"')) break;
          await sleep(50);
        }
        const second = await runCli(['run', 'slow.yaml', '--loops', '1', '-q', '--results', file], {
          cwd: dir,
        });
        expect(second.code).toBe(ExitCode.busy);
        expect(second.stderr).toContain(
          `canary: ${file} is being written by another canary run (pid ${first.pid}, since `,
        );
        expect(second.stderr).toContain(
          `hint: wait for it to finish, or stop it (kill ${first.pid}) and run again`,
        );
      } finally {
        first.kill('SIGKILL');
        await exited;
      }
      const before = (await readResults(file)).loops.map((l) => l.loop);
      const third = await runCli(
        ['run', 'slow.yaml', '--loops', '2', '-q', '--no-assert', '--results', file],
        {
          cwd: dir,
        },
      );
      expect(third.code).toBe(0);
      expect(third.stderr).toContain(
        `canary: took over the lock on ${file}: pid ${first.pid}, which held it, is no longer running`,
      );
      const after = await readResults(file);
      const n = before.length;
      expect(after.loops.map((l) => l.loop)).toEqual(Array.from({ length: n + 2 }, (_, i) => i + 1));
      await expect(stat(lockPathOf(file))).rejects.toThrow();
    });
  });
});

describe("the append guard (notes beside a run, retention's rename)", () => {
  it('holds a note beside a run back until the guard is released, then appends it', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      await writeFile(file, `${JSON.stringify(header())}\n${JSON.stringify(loopRecord(1))}\n`);
      const writer = await ResultWriter.open(file);
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        const guarded = withAppendGuard(file, async () => {
          await held;
          await appendFile(file, `${JSON.stringify(loopRecord(2))}\n`);
        });
        await sleep(20);
        const pin = pinLoop(file, '1', 'golden');
        await sleep(150);
        // The pin waits: nothing was appended while the guard was held.
        expect((await readFile(file, 'utf8')).includes('"mark"')).toBe(false);
        release();
        await guarded;
        expect(await pin).toBe('pinned loop 1 as golden');
        const lines = (await readFile(file, 'utf8')).trim().split('\n');
        expect(lines.map((l) => (JSON.parse(l) as { kind: string }).kind)).toEqual([
          'header',
          'loop',
          'loop',
          'mark',
        ]);
        await expect(stat(`${lockPathOf(file)}.append`)).rejects.toThrow();
      } finally {
        await writer.close();
      }
    });
  });

  it('removes a guard left by a process that died holding it', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'r.jsonl');
      const guard = `${lockPathOf(file)}.append`;
      await writeFile(guard, '4242\n');
      const old = new Date(Date.now() - 60_000);
      await utimes(guard, old, old);
      expect(await withAppendGuard(file, async () => 'ran')).toBe('ran');
      await expect(stat(guard)).rejects.toThrow();
    });
  });
});
