import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir } from '../util/cache-dir.js';
import { ResultLock, type LockHolder, type LockOptions } from './result-lock.js';

/**
 * The one-writer lock of a result file, keyed by both of the file's identities, so that every name for
 * it meets the same lock:
 * - its real path: `REAL.lock` beside the file, where the same path from another host (a shared
 *   volume) meets it too, and symlinks and `..` paths resolve to it;
 * - its device and inode: a lock in canary's cache directory, which hard links (other real paths to
 *   the same inode) meet. A file not there yet has no inode: it is created under the path lock first.
 */
export class WriterLock {
  readonly notes: string[];
  private inodeLock?: ResultLock;

  private constructor(
    readonly real: string,
    private readonly pathLock: ResultLock,
    private readonly options: LockOptions & { env?: Record<string, string | undefined> },
  ) {
    this.notes = [...pathLock.notes];
  }

  /** Takes the path lock; call `guardInode` once the file exists. */
  static async acquire(
    real: string,
    options: LockOptions & { env?: Record<string, string | undefined> } = {},
  ): Promise<WriterLock> {
    return new WriterLock(real, await ResultLock.acquire(real, options), options);
  }

  /**
   * Takes the lock of the file's current inode (and drops the previous one: a compaction renames a new
   * inode over the file). Refused (exit 6) when a run writes the same inode through another name.
   */
  async guardInode(): Promise<void> {
    const { dev, ino } = await stat(this.real, { bigint: true });
    const folder = path.join(path.resolve(defaultCacheDir(this.options.env ?? process.env)), 'result-locks');
    const lockPath = path.join(folder, `${dev}-${ino}.lock`);
    if (this.inodeLock?.path === lockPath) return;
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      this.notes.push(
        `hard links to ${this.real} are not guarded: cannot create ${folder} (${(error as NodeJS.ErrnoException).code}); set CANARY_CACHE_DIR to a writable folder`,
      );
      return;
    }
    // Its takeover notes are left out: the path lock already said when a crashed run left the file.
    const stillHeld = async (holder: LockHolder): Promise<boolean> => {
      if (holder.file === undefined) return true;
      const now = await stat(holder.file, { bigint: true }).catch(() => undefined);
      return now?.dev === dev && now.ino === ino;
    };
    const next = await ResultLock.acquire(this.real, this.options, { lockPath, stillHeld });
    const previous = this.inodeLock;
    this.inodeLock = next;
    await previous?.release();
  }

  /** Throws (exit 6) when another run took either lock over. */
  async verify(): Promise<void> {
    await this.pathLock.verify();
    await this.inodeLock?.verify();
  }

  async release(): Promise<void> {
    await this.inodeLock?.release();
    await this.pathLock.release();
  }
}
