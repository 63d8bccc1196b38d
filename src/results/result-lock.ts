import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** Who holds a result file: written into `FILE.lock` when the lock is taken. */
export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  /** Tells this holder from a later one with a reused pid. */
  token: string;
  /** The result file's real path as the holder named it (hard links give one file several). */
  file?: string;
}

export interface LockOptions {
  /**
   * A lock not refreshed for this long is stale even when its pid looks alive: the pid may have been
   * reused, the holder may be on another host (a shared volume), or it was suspended.
   */
  staleAfterMs?: number;
  /** How often the holder refreshes the lock file's mtime. */
  heartbeatMs?: number;
}

/** Another `canary run` writes the file (or took it over from this one). */
export class ResultFileBusyError extends CanaryError {}

/** A lock file too fresh to judge: its creator may still be writing the holder into it. */
const unwrittenGraceMs = 2000;
/** A takeover guard older than this was left by a taker that died in the middle. */
const takeoverGraceMs = 5000;

export function lockPathOf(file: string): string {
  return `${file}.lock`;
}

/**
 * One writer per result file. The lock is a file created with O_EXCL holding the holder's pid, host
 * and a random token; readers (report, assert) take no lock. A lock whose holder is gone (its pid no
 * longer runs on this host, or no heartbeat for `staleAfterMs`) is taken over with a note, so a run
 * killed with SIGKILL never blocks the next one.
 */
export class ResultLock {
  readonly notes: string[] = [];
  private heartbeat?: NodeJS.Timeout;
  private released = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
    readonly path: string,
  ) {}

  /**
   * Lock `file` with the lock file `key.lockPath` (by default `FILE.lock` beside it). `key.stillHeld`
   * tells a live holder whose lock no longer applies (a lock keyed by an inode the holder's file no
   * longer has: the file was deleted and its inode reused).
   */
  static async acquire(
    file: string,
    options: LockOptions = {},
    key: { lockPath?: string; stillHeld?: (holder: LockHolder) => Promise<boolean> } = {},
  ): Promise<ResultLock> {
    const lockPath = key.lockPath ?? lockPathOf(file);
    const staleAfterMs = options.staleAfterMs ?? 60_000;
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      started: new Date().toISOString(),
      token: randomUUID(),
      file,
    };
    const lock = new ResultLock(file, holder, lockPath);
    const giveUpAt = Date.now() + unwrittenGraceMs + takeoverGraceMs + 1000;
    for (;;) {
      if (await createExclusive(lockPath, `${JSON.stringify(holder)}\n`)) {
        lock.startHeartbeat(options.heartbeatMs ?? 10_000);
        return lock;
      }
      const seen = await inspectLock(lockPath);
      if (!seen) continue; // released between our attempt and the look: try again
      let verdict = judgeHolder(seen, staleAfterMs);
      if (verdict.state === 'held' && key.stillHeld && !(await key.stillHeld(seen.holder!))) {
        verdict = { state: 'stale', why: `its holder's file ${seen.holder!.file} is another file now` };
      }
      if (verdict.state === 'held') throw busyError(file, seen.holder, lockPath);
      if (verdict.state === 'unknown' || !(await removeStaleLock(lockPath, seen))) {
        if (Date.now() > giveUpAt) throw busyError(file, seen.holder, lockPath);
        await sleep(25);
        continue;
      }
      lock.notes.push(`took over the lock on ${file}: ${verdict.why}`);
    }
  }

  /** Throws when the lock file no longer names this holder (another run took it over). */
  async verify(): Promise<void> {
    const seen = await inspectLock(this.path);
    if (seen?.holder?.token === this.holder.token) return;
    throw new ResultFileBusyError(
      seen?.holder
        ? `lost the lock on ${this.file}: pid ${seen.holder.pid} on ${seen.holder.host} took it over (this run was presumed dead)`
        : `lost the lock on ${this.file}: ${this.path} was removed while this run was writing`,
      {
        exitCode: ExitCode.busy,
        hints: [
          'nothing more is appended by this run, so the two runs do not interleave',
          'run one canary per result file; give each its own --results PATH',
        ],
      },
    );
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.stop();
    const seen = await inspectLock(this.path);
    if (seen?.holder?.token === this.holder.token) await unlink(this.path).catch(() => undefined);
  }

  /** On process.exit (a second Ctrl-C), async work no longer runs. */
  releaseSync(): void {
    if (this.released) return;
    this.stop();
    try {
      const holder = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<LockHolder>;
      if (holder.token === this.holder.token) unlinkSync(this.path);
    } catch {
      // gone already, or not ours: nothing to release
    }
  }

  private startHeartbeat(intervalMs: number): void {
    this.heartbeat = setInterval(() => {
      const now = new Date();
      utimes(this.path, now, now).catch(() => undefined);
    }, intervalMs);
    this.heartbeat.unref();
    if (heldLocks.size === 0) process.on('exit', releaseHeldLocks);
    heldLocks.add(this);
  }

  private stop(): void {
    this.released = true;
    clearInterval(this.heartbeat);
    heldLocks.delete(this);
    if (heldLocks.size === 0) process.off('exit', releaseHeldLocks);
  }
}

const heldLocks = new Set<ResultLock>();

function releaseHeldLocks(): void {
  for (const lock of heldLocks) lock.releaseSync();
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return true;
}

interface SeenLock {
  holder?: LockHolder;
  ino: number;
  mtimeMs: number;
}

async function inspectLock(lockPath: string): Promise<SeenLock | undefined> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    let holder: LockHolder | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<LockHolder>;
      if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') holder = parsed as LockHolder;
    } catch {
      holder = undefined;
    }
    return { ...(holder ? { holder } : {}), ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

type HolderVerdict = { state: 'held' } | { state: 'unknown' } | { state: 'stale'; why: string };

function judgeHolder(seen: SeenLock, staleAfterMs: number): HolderVerdict {
  const age = Date.now() - seen.mtimeMs;
  if (!seen.holder) {
    // Created but not yet written, or its creator died in between.
    return age > unwrittenGraceMs
      ? { state: 'stale', why: 'its lock file names no holder (its creator died while writing it)' }
      : { state: 'unknown' };
  }
  const { pid, host } = seen.holder;
  if (host === hostname() && !isAlive(pid)) {
    return { state: 'stale', why: `pid ${pid}, which held it, is no longer running` };
  }
  if (age > staleAfterMs) {
    return {
      state: 'stale',
      why: `pid ${pid} on ${host} has not refreshed it for ${Math.round(age / 1000)} s`,
    };
  }
  return { state: 'held' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the stale lock we judged, and only that one: a guard file (O_EXCL again) lets one taker at a
 * time check that the lock is still the same file (inode and mtime) before unlinking it. Without the
 * guard, two takers could both judge the old lock stale and the slower one would delete the lock the
 * faster one had just created.
 */
async function removeStaleLock(lockPath: string, seen: SeenLock): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  if (!(await createExclusive(guard, `${process.pid}\n`))) {
    const info = await stat(guard).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > takeoverGraceMs) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const now = await inspectLock(lockPath);
    if (!now) return true;
    const same =
      now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.holder?.token === seen.holder?.token;
    if (!same) return false;
    await unlink(lockPath);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function busyError(file: string, holder: LockHolder | undefined, lockPath: string): ResultFileBusyError {
  const where = holder?.file !== undefined && holder.file !== file ? `, through ${holder.file}` : '';
  const who = holder
    ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${holder.started}${where}`
    : 'a process that is still creating its lock';
  return new ResultFileBusyError(`${file} is being written by another canary run (${who})`, {
    exitCode: ExitCode.busy,
    hints: [
      holder
        ? `wait for it to finish, or stop it (kill ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}) and run again`
        : 'wait a moment and run again',
      'to run side by side, give this run its own file: --results OTHER.jsonl',
      `if no canary is writing it, delete ${lockPath}`,
    ],
  });
}

/** An append guard older than this was left by a process that died while holding it. */
const appendGuardStaleMs = 5000;

/**
 * A guard for the moments a second writer may touch a file a run holds: a note (`canary results pin`)
 * appended beside the run, and retention's last look at the file before it renames the compacted copy
 * over it. Holding it across both steps means a note lands either before that look (so compaction
 * starts over) or in the new file, never in the old file just replaced. Held for milliseconds only.
 */
export async function withAppendGuard<T>(file: string, work: () => Promise<T>): Promise<T> {
  const guard = `${lockPathOf(file)}.append`;
  const giveUpAt = Date.now() + 2 * appendGuardStaleMs;
  while (!(await createExclusive(guard, `${process.pid}\n`))) {
    const info = await stat(guard).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > appendGuardStaleMs) {
      await unlink(guard).catch(() => undefined);
      continue;
    }
    if (Date.now() > giveUpAt) {
      throw new ResultFileBusyError(`${file} stayed busy: ${guard} was not released`, {
        exitCode: ExitCode.busy,
        hints: [`if no canary is running on this file, delete ${guard}`],
      });
    }
    await sleep(10);
  }
  try {
    return await work();
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}
