/**
 * Retention for the local result file (`canary run --keep N`, spec.retention.keep): loops older than
 * the latest N are folded into aggregates, the way the cluster store folds them (foldLoop). Pinned
 * loops stay in full, every header of a kept loop stays, the latest header always stays. Invalid
 * loops are not aggregated (they must not count in trends): only their number and reason remain.
 *
 * Crash safety: the compacted file is written next to the old one, flushed, then renamed over it in
 * one step. Until the rename the old file is untouched; after it, the new one is complete.
 */
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { emptySummary, foldLoop } from './cluster-store-summary.js';
import { effectiveMarks } from './marks.js';
import type { AnyResultRecord, LoopRecord, MarkRecord, SummaryRecord } from './records.js';
import { invalidMark, parseResults } from './result-history.js';
import { ResultFileError } from './result-scan.js';
import { withAppendGuard } from './result-lock.js';
import { resolveResultPath } from './result-path.js';

export interface CompactionResult {
  /** Loops folded into the aggregates by this compaction. */
  folded: number;
  /** Invalid loops dropped (kept as number and reason only). */
  dropped: number;
  /** Why the file was left as it was, when it was. */
  skipped?: string;
}

export interface CompactOptions {
  /** Called with the new file's path just before the rename (tests stop here to simulate a crash). */
  beforeRename?: (temporary: string) => Promise<void>;
  now?: () => Date;
  /**
   * Called just before the rename: throws when the caller no longer holds the file's lock (a run that
   * lost it to another must not replace that run's file). `canary run` passes its writer's check.
   */
  verifyLock?: () => Promise<void>;
}

/** The records of a compacted file, or undefined when nothing needs folding. Pure. */
export function compactRecords(
  records: readonly AnyResultRecord[],
  keep: number,
  now: Date = new Date(),
): { records: AnyResultRecord[]; folded: number; dropped: number } | undefined {
  const loops = records.filter((r): r is LoopRecord => r.kind === 'loop');
  const marks = records.filter((r): r is MarkRecord => r.kind === 'mark');
  const previous = records.filter((r): r is SummaryRecord => r.kind === 'summary').at(-1);
  const { pins, invalid } = effectiveMarks([
    ...(previous?.invalid ?? []).map(({ loop, reason }) => invalidMark(loop, reason)),
    ...marks,
  ]);
  const pinnedLoops = new Set([...pins.values()].map((m) => m.loop));
  const old = loops.slice(0, Math.max(0, loops.length - Math.max(1, keep)));
  const leaving = old.filter((loop) => !pinnedLoops.has(loop.loop));
  if (leaving.length === 0) return undefined;
  const leavingNumbers = new Set(leaving.map((l) => l.loop));

  let summary = previous?.summary ?? emptySummary();
  const droppedInvalid = [...(previous?.invalid ?? [])];
  for (const loop of leaving) {
    const mark = invalid.get(loop.loop);
    if (mark) droppedInvalid.push({ loop: loop.loop, reason: mark.reason ?? 'no reason given' });
    else summary = foldLoop(summary, loop);
  }
  const summaryRecord: SummaryRecord = {
    kind: 'summary',
    at: now.toISOString(),
    summary,
    ...(droppedInvalid.length > 0 ? { invalid: droppedInvalid } : {}),
  };

  // Headers: the latest one, and every one whose segment still has a loop in full.
  const lastHeader = records.findLastIndex((r) => r.kind === 'header');
  const keptHeader = new Set<number>();
  let segmentHeader = -1;
  records.forEach((record, index) => {
    if (record.kind === 'header') segmentHeader = index;
    else if (record.kind === 'loop' && !leavingNumbers.has(record.loop) && segmentHeader >= 0) {
      keptHeader.add(segmentHeader);
    }
  });
  if (lastHeader >= 0) keptHeader.add(lastHeader);
  // Only an end after the last header and loop still holds (a later run replaced the others).
  const lastEnd = records.findLastIndex((r) => r.kind === 'end');
  const lastRun = records.findLastIndex((r) => r.kind === 'header' || r.kind === 'loop');
  const end = lastEnd > lastRun ? records[lastEnd] : undefined;

  const out: AnyResultRecord[] = [];
  records.forEach((record, index) => {
    if (record.kind === 'header' && keptHeader.has(index)) {
      out.push(record);
      if (!out.some((r) => r.kind === 'summary')) out.push(summaryRecord);
    } else if (record.kind === 'loop' && !leavingNumbers.has(record.loop)) {
      out.push(record);
    }
  });
  if (!out.some((r) => r.kind === 'summary')) out.unshift(summaryRecord);

  // Marks still in effect, restated with where the file stands now (see MarkRecord).
  const lastLoop = loops.at(-1);
  const where = lastLoop
    ? {
        lastLoop: lastLoop.loop,
        experimentHash: lastLoop.experimentHash,
        experimentStart: lastLoop.experimentStart,
      }
    : undefined;
  const kept = new Set(loops.filter((l) => !leavingNumbers.has(l.loop)).map((l) => l.loop));
  const restated = [...pins.values(), ...[...invalid.values()].filter((m) => kept.has(m.loop))];
  for (const mark of restated.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    out.push({ ...mark, ...(where ?? {}) });
  }
  if (end) out.push(end);
  return {
    records: out,
    folded: summary.loops - (previous?.summary.loops ?? 0),
    dropped: droppedInvalid.length - (previous?.invalid?.length ?? 0),
  };
}

/**
 * Compact `file` in place, keeping the latest `keep` loops (and pinned ones) in full. A file with a
 * line that does not parse, or a record of a kind this canary does not know, is left alone: rewriting
 * it would lose that line. Runs while `canary run` holds the file's lock (it takes no lock itself);
 * notes appended beside the run (`canary results pin`) share the append guard with the rename.
 * Through a symlink, the link's target is replaced and the link stays; a file with hard links is left
 * alone, since a renamed copy would split it from its other names.
 */
export async function compactResultFile(
  given: string,
  keep: number,
  options: CompactOptions = {},
): Promise<CompactionResult> {
  const resolved = await resolveResultPath(given);
  const file = 'real' in resolved ? resolved.real : given;
  const { nlink } = await stat(file);
  if (nlink > 1) {
    return {
      folded: 0,
      dropped: 0,
      skipped: `not compacted: ${given} has ${nlink} hard links, and a compacted copy would split them (use a symlink instead)`,
    };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    // Bytes, not text: decoding would turn a line that is not UTF-8 into one that passes.
    const data = await readFile(file);
    let history;
    try {
      history = parseResults(file, data);
    } catch (error) {
      if (error instanceof ResultFileError) {
        return { folded: 0, dropped: 0, skipped: `not compacted: ${error.message}` };
      }
      throw error;
    }
    const unknownOrTorn = (w: string) =>
      w.includes('skipped a record of kind') || w.startsWith('ignored a torn');
    if (history.warnings.some(unknownOrTorn)) {
      return { folded: 0, dropped: 0, skipped: `not compacted: ${history.warnings.join('; ')}` };
    }
    const records = data
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AnyResultRecord);
    const compacted = compactRecords(records, keep, options.now?.() ?? new Date());
    if (!compacted) return { folded: 0, dropped: 0 };
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.compact-${process.pid}.tmp`);
    try {
      await writeDurably(temporary, compacted.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      await options.beforeRename?.(temporary);
      const replaced = await withAppendGuard(file, async () => {
        // Something appended meanwhile (a pin beside the run): start over rather than lose it.
        if ((await stat(file)).size !== data.length) return false;
        await options.verifyLock?.();
        await rename(temporary, file);
        return true;
      });
      if (!replaced) {
        await rm(temporary, { force: true });
        continue;
      }
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(path.dirname(file));
    return { folded: compacted.folded, dropped: compacted.dropped };
  }
  return { folded: 0, dropped: 0, skipped: 'not compacted: the file kept changing while compacting' };
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The rename itself is durable only once the directory is flushed. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open a directory for syncing; the rename has happened regardless.
  } finally {
    await handle?.close();
  }
}
