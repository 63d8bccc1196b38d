import { appendFile, mkdir, open, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { ResultFileBusyError, withAppendGuard, type LockOptions } from './result-lock.js';
import { resolveResultPath, whyMissing, type ResolvedResultPath } from './result-path.js';
import {
  checkRegularFile,
  MissingResultsError,
  readTail,
  ResultFileError,
  type ResultTail,
} from './result-scan.js';
import { readStampedTail, stampTail } from './tail-stamp.js';
import { WriterLock } from './writer-lock.js';
import { resultFormat, type AnyResultRecord, type LoopRecord } from './records.js';

/** Appends records as whole lines with one write each, flushed to disk before returning. */
export class ResultWriter {
  readonly warnings: string[] = [];
  private positionKnown = true;
  private constructor(
    readonly file: string,
    private tail: ResultTail,
    private readonly lock: WriterLock,
  ) {}

  /**
   * Lock the file, then open (or create) it; with `fresh`, an existing file is renamed and kept. A file
   * the readers would refuse (damaged line, newer format, not a file) is refused here too, untouched.
   * The writer works on the file's real path (`file` may be a symlink or a hard link, see WriterLock):
   * appends, `--fresh` and compaction reach the file itself and leave a link to it a link.
   */
  static async open(
    file: string,
    options: { fresh?: boolean; env?: Record<string, string | undefined> } & LockOptions = {},
  ): Promise<ResultWriter> {
    await mkdir(path.dirname(file), { recursive: true }).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    const resolved = await resolveResultPath(file).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    if ('missingFolder' in resolved) throw unreachable(file, resolved);
    const real = resolved.real;
    await checkRegularFile(real).catch((error: unknown) => {
      if (!(error instanceof MissingResultsError)) throw error;
    });
    const lock = await WriterLock.acquire(real, options).catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    try {
      return await ResultWriter.openLocked(real, options, lock);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async openLocked(file: string, options: { fresh?: boolean }, lock: WriterLock) {
    if (options.fresh && (await exists(file))) {
      const archived = await freeArchiveName(file);
      // A rename is atomic: a crash leaves either the old file in place or the archive and no file.
      await rename(file, archived);
      await syncFolder(path.dirname(file));
      lock.notes.push(`previous results kept as ${archived}`);
    }
    // The inode lock needs an inode: an empty file reads like a missing one ("no results recorded yet").
    const handle = await open(file, 'a').catch((error: unknown) => {
      throw cannotWrite(file, error);
    });
    await handle.close();
    await lock.guardInode();
    const warnings = [...lock.notes];
    // A file unchanged since a writer checked it whole and closed it needs no second pass.
    const stamped = await readStampedTail(file);
    const tail = stamped ? { ...stamped, tornBytes: 0 } : await readTail(file);
    const writer = new ResultWriter(file, tail, lock);
    writer.warnings.push(...warnings);
    if (tail.tornBytes > 0) {
      const handle = await open(file, 'r+');
      try {
        await handle.truncate(tail.size - tail.tornBytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      writer.warnings.push(`dropped a torn last line (${tail.tornBytes} bytes) left by an interrupted write`);
      writer.tail = { ...tail, size: tail.size - tail.tornBytes, tornBytes: 0 };
    } else if (tail.unterminated) {
      // A whole last record without its newline (a hand edit, or a write cut just before it):
      // end the line, or the next record would be glued onto it and both be lost.
      await appendFile(file, '\n');
      writer.tail = { ...tail, size: tail.size + 1, unterminated: false };
    }
    return writer;
  }

  /** When the experiment in this file started, if the file has it (undefined for a new segment). */
  get experimentStart(): string | undefined {
    return this.tail.experimentStart;
  }

  get lastLoop(): number {
    return this.tail.lastLoop;
  }

  /** The latest loop in the file, if it belongs to this experiment's current segment. */
  previousLoop(experimentHash: string): LoopRecord | undefined {
    const loop = this.tail.lastLoopRecord;
    return !this.needsHeader(experimentHash) && loop?.experimentHash === experimentHash ? loop : undefined;
  }

  /** A header starts the file, and a new segment when the experiment (or the result format) changed. */
  needsHeader(experimentHash: string): boolean {
    return this.tail.experimentHash !== experimentHash || (this.tail.format ?? resultFormat) !== resultFormat;
  }

  /** Where the file stands: the last loop and the experiment (hash, start) it belongs to. */
  get position(): Pick<ResultTail, 'lastLoop' | 'experimentHash' | 'experimentStart'> {
    const { lastLoop, experimentHash, experimentStart } = this.tail;
    return {
      lastLoop,
      ...(experimentHash !== undefined ? { experimentHash } : {}),
      ...(experimentStart !== undefined ? { experimentStart } : {}),
    };
  }

  /** Throws (exit 6) when another run took this one's lock over: nothing more may be written then. */
  async verifyLock(): Promise<void> {
    await this.lock.verify();
  }

  async append(record: AnyResultRecord): Promise<void> {
    // Another run may have taken the lock over (this one was suspended past the heartbeat): stop
    // rather than interleave with it.
    await this.lock.verify();
    const created = this.tail.size === 0;
    const offset = this.tail.size;
    const bytes = await appendLine(this.file, record);
    // A new file's name must survive a power loss too, not only its content.
    if (created) await syncFolder(path.dirname(this.file));
    this.tail = { ...this.tail, size: this.tail.size + bytes };
    if (record.kind === 'loop') {
      this.tail = {
        ...this.tail,
        lastLoop: record.loop,
        lastLoopRecord: record,
        lastLoopAt: { loop: record.loop, offset, length: bytes - 1 },
        experimentHash: record.experimentHash,
        experimentStart: record.experimentStart,
      };
    } else if (record.kind === 'header') {
      this.tail = {
        ...this.tail,
        experimentHash: record.experimentHash,
        experimentStart: record.created,
        format: record.format,
      };
    }
  }

  /**
   * The file was replaced behind the writer (retention compacted it): its size and offsets are no
   * longer known, so the next writer checks it whole.
   */
  forgetPosition(): void {
    this.positionKnown = false;
  }

  /** Retention renamed a compacted copy (a new inode) over the file: forget the position, lock the new inode. */
  async followReplacement(): Promise<void> {
    this.forgetPosition();
    await this.lock.guardInode();
  }

  /** Release the lock; the file stays as written, stamped as checked when the writer knows where it ends. */
  async close(): Promise<void> {
    if (this.positionKnown && (await this.holdsLock())) {
      const { lastLoop, experimentHash, experimentStart, format, lastLoopAt, size } = this.tail;
      await stampTail(this.file, { lastLoop, experimentHash, experimentStart, format, lastLoopAt, size });
    }
    await this.lock.release();
  }

  private async holdsLock(): Promise<boolean> {
    try {
      await this.lock.verify();
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Append one note (a `mark` record) to a result file. With no run writing the file, it is written under
 * the file's lock like any record. While a run holds the lock (a cron experiment may hold it for days),
 * the note goes in beside it: one whole line in one append cannot interleave with the run's records,
 * and the append guard keeps it from landing in a file retention is replacing.
 */
export async function appendNote(
  file: string,
  note: (where: ResultWriter['position']) => AnyResultRecord,
): Promise<AnyResultRecord> {
  let writer: ResultWriter | undefined;
  try {
    writer = await ResultWriter.open(file);
  } catch (error) {
    if (!(error instanceof ResultFileBusyError)) throw error;
  }
  if (writer) {
    try {
      const record = note(writer.position);
      await writer.append(record);
      return record;
    } finally {
      await writer.close();
    }
  }
  // The run repaired any torn or unterminated last line when it opened the file; readTail still
  // refuses a damaged one. The run locked the real path, so the append guard is keyed by it too.
  const resolved = await resolveResultPath(file);
  if ('real' in resolved) file = resolved.real;
  const { lastLoop, experimentHash, experimentStart } = await readTail(file);
  const record = note({
    lastLoop,
    ...(experimentHash !== undefined ? { experimentHash } : {}),
    ...(experimentStart !== undefined ? { experimentStart } : {}),
  });
  await withAppendGuard(file, () => appendLine(file, record));
  return record;
}

/** One record as one whole line in one write, flushed to disk; returns the bytes written. */
async function appendLine(file: string, record: AnyResultRecord): Promise<number> {
  const line = Buffer.from(`${JSON.stringify(record, finiteNumbers)}\n`, 'utf8');
  const handle = await open(file, 'a');
  try {
    await handle.write(line);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  return line.length;
}

function cannotWrite(file: string, error: unknown): unknown {
  if (error instanceof CanaryError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const known = ['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'ELOOP'];
  if (!known.includes(code ?? '')) return error;
  return new ResultFileError(
    `cannot write results next to ${file}: ${code}`,
    [
      'canary run needs write access to the result file and its folder (for FILE.lock); choose another with --results PATH',
    ],
    error,
  );
}

/** `NAME.<time>.jsonl`, with a counter when that exists: rename would silently replace it. */
export async function freeArchiveName(file: string, now = new Date()): Promise<string> {
  const stem = `${file.replace(/\.jsonl$/, '')}.${now.toISOString().replace(/[:.]/g, '-')}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? `${stem}.jsonl` : `${stem}-${n}.jsonl`;
    if (!(await exists(name))) return name;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot sync a directory; the data itself was synced.
  } finally {
    await handle.close();
  }
}

/** JSON has no NaN or Infinity; a stray one becomes null instead of an unreadable file. */
function finiteNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** `canary run` creates a missing folder, but never one a symlink points into: that is likely a mistake. */
function unreachable(file: string, resolved: ResolvedResultPath): CanaryError {
  return new CanaryError(`cannot write results to ${file}${whyMissing(resolved)}`, {
    exitCode: ExitCode.usage,
    hints: [
      'create that folder, point the link at a folder that exists, or choose another file with --results PATH',
    ],
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
