/**
 * Pins and invalid loops: small `mark` records appended to the result file, folded into the history
 * when it is read. Appending keeps writes O(1) and never rewrites what a run recorded.
 */
import type { LoopRecord, MarkRecord } from './records.js';
import type { ResultHistory } from './result-file.js';

/** Pin names: what `--as` accepts (they appear in flags, YAML and metric labels). */
export const pinNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Apply `marks` in file order: later pins of a name move it, unpin removes it. */
export function foldMarks(history: ResultHistory, marks: readonly MarkRecord[]): void {
  if (marks.length === 0) return;
  const pinned = new Map<string, number>();
  const invalid: Record<number, string> = {};
  for (const mark of marks) {
    if (mark.action === 'pin' && mark.name !== undefined && mark.loop !== undefined) {
      pinned.set(mark.name, mark.loop);
    } else if (mark.action === 'unpin' && mark.name !== undefined) {
      pinned.delete(mark.name);
    } else if (mark.action === 'invalidate' && mark.loop !== undefined) {
      invalid[mark.loop] = mark.reason ?? 'no reason given';
    }
  }
  const byNumber = new Map(history.loops.map((loop) => [loop.loop, loop]));
  const pins: Record<string, LoopRecord> = {};
  for (const [name, number] of pinned) {
    const record = byNumber.get(number);
    if (record) pins[name] = record;
    else history.warnings.push(`pin ${name} names loop ${number}, which the file does not hold in full`);
  }
  history.pins = pins;
  history.invalid = invalid;
}

/** The loop pinned as `name`, if any; an invalidated loop is no baseline. */
export function pinnedLoop(history: ResultHistory, name: string): LoopRecord | undefined {
  const record = history.pins?.[name];
  return record && !isInvalid(history, record.loop) ? record : undefined;
}

export function isInvalid(history: ResultHistory, loop: number): boolean {
  return history.invalid?.[loop] !== undefined;
}

/** Loops that comparisons and trends may use: every loop not marked invalid, oldest first. */
export function comparableLoops(history: ResultHistory): LoopRecord[] {
  return history.invalid ? history.loops.filter((loop) => !isInvalid(history, loop.loop)) : history.loops;
}

/** Pin names per loop number, for listings. */
export function pinsByLoop(history: ResultHistory): Map<number, string[]> {
  const names = new Map<number, string[]>();
  for (const [name, record] of Object.entries(history.pins ?? {})) {
    names.set(record.loop, [...(names.get(record.loop) ?? []), name]);
  }
  return names;
}
