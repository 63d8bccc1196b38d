import { createHash } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir } from '../util/cache-dir.js';
import { toolVersion } from '../version.js';
import { parseResultLine } from './result-lines.js';
import { migrateRecord, readsFormat } from './result-migrations.js';
import type { LoopRecord } from './records.js';

/** Where a loop record's line is in the file (without its newline). */
export interface LoopPlace {
  loop: number;
  offset: number;
  length: number;
}

/** Where the file ends, as a writer that checked every line left it: what a stamp keeps. */
export interface StampedTail {
  lastLoop: number;
  experimentHash?: string;
  experimentStart?: string;
  format?: string;
  /** Where the last loop record's line is (without its newline): re-read instead of kept twice. */
  lastLoopAt?: LoopPlace;
  size: number;
}

/** The file as `stat` saw it when the stamp was made: any write changes at least one of these. */
interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

interface TailStamp {
  stamp: 1;
  tool: string;
  file: string;
  identity: FileIdentity;
  tail: StampedTail;
}

/**
 * Opening a result file for writing checks every line (a writer appends only to a file the readers
 * accept), which costs one pass over a file that grows by a loop at a time. A stamp remembers the
 * outcome: the file's identity (device, inode, size, change and modify times, in ns) and where it
 * ends. While all of them are unchanged the file is byte for byte the one that was checked, so the
 * next writer trusts the stamp and reads only the last loop record. Any other write, rename or
 * truncation changes the identity and the next writer checks the file whole again.
 *
 * Stamps live in canary's cache directory, never beside the results, and are best effort: a stamp
 * that cannot be read or written only costs the full check. Readers (report, assert) never use them:
 * they check every line anyway. One limit: file systems keep times at a clock tick (a few ms), so a
 * same-size overwrite by another program within one tick of canary's last write keeps the identity;
 * the writer would then append to it and the readers still report any damaged line (exit 7).
 */
export async function readStampedTail(
  file: string,
  env: Record<string, string | undefined> = process.env,
): Promise<(StampedTail & { lastLoopRecord?: LoopRecord }) | undefined> {
  try {
    const real = await realpath(file);
    const stampFile = stampPath(real, env);
    const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as TailStamp;
    if (stamp.stamp !== 1 || stamp.tool !== toolVersion || stamp.file !== real) return undefined;
    if (!sameIdentity(stamp.identity, await identityOf(file))) return undefined;
    const { tail } = stamp;
    if (tail.format !== undefined && !readsFormat(tail.format)) return undefined;
    if (!tail.lastLoopAt) return tail;
    const lastLoopRecord = await readLoopAt(file, tail);
    return lastLoopRecord ? { ...tail, lastLoopRecord } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remember `tail` as where `file` ends, if the file is still the size the writer thinks. Call it
 * holding the file's lock, after the last append.
 */
export async function stampTail(
  file: string,
  tail: StampedTail,
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  try {
    const identity = await identityOf(file);
    // A note appended beside the run, or a compaction, changed the file: let the next writer check it.
    if (identity.size !== String(tail.size)) return;
    const real = await realpath(file);
    const stamp: TailStamp = { stamp: 1, tool: toolVersion, file: real, identity, tail };
    const stampFile = stampPath(real, env);
    await mkdir(path.dirname(stampFile), { recursive: true });
    const temporary = `${stampFile}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(stamp));
    await rename(temporary, stampFile).catch(async (error: unknown) => {
      await rm(temporary, { force: true });
      throw error;
    });
  } catch {
    // Best effort: without a stamp the next writer checks the file whole.
  }
}

/** Where the stamp of the file at `realFile` lives (its real path: a symlink and its target share one). */
function stampPath(realFile: string, env: Record<string, string | undefined>): string {
  const key = createHash('sha256').update(realFile).digest('hex');
  return path.join(path.resolve(defaultCacheDir(env)), 'result-checks', `${key.slice(0, 32)}.json`);
}

async function identityOf(file: string): Promise<FileIdentity> {
  const info = await stat(file, { bigint: true });
  return {
    dev: String(info.dev),
    ino: String(info.ino),
    size: String(info.size),
    mtimeNs: String(info.mtimeNs),
    ctimeNs: String(info.ctimeNs),
  };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

/** The stamped last loop record, if its line is still a whole loop record with the stamped number. */
async function readLoopAt(file: string, tail: StampedTail): Promise<LoopRecord | undefined> {
  const { loop, offset, length } = tail.lastLoopAt!;
  if (offset + length >= tail.size) return undefined;
  const handle = await open(file, 'r');
  try {
    // The byte before the line (a newline, unless it starts the file) and the newline after it.
    const start = offset === 0 ? 0 : offset - 1;
    const bytes = Buffer.alloc(offset + length + 1 - start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    if (bytesRead !== bytes.length) return undefined;
    if ((offset > 0 && bytes[0] !== 0x0a) || bytes.at(-1) !== 0x0a) return undefined;
    const parsed = parseResultLine(bytes.subarray(offset - start, offset - start + length));
    if (parsed.type !== 'record' || parsed.record.kind !== 'loop') return undefined;
    if (parsed.record.loop !== loop) return undefined;
    return migrateRecord(parsed.record, tail.format) as LoopRecord;
  } finally {
    await handle.close();
  }
}
