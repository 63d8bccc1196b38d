/**
 * Pins and invalid loops: small `mark` records appended to the result file, folded into the history
 * when it is read. Appending keeps writes O(1) and never rewrites what a run recorded.
 */
import type { LoopRecord, MarkRecord } from './records.js';
import type { ResultHistory } from './result-file.js';

/** Pin names: what `--as` accepts (they appear in flags, YAML and metric labels). */
export const pinNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The marks still in effect, in file order: the latest pin of each name, the invalidation of each loop. */
export function effectiveMarks(marks: readonly MarkRecord[]): {
  pins: Map<string, MarkRecord & { loop: number; name: string }>;
  invalid: Map<number, MarkRecord & { loop: number }>;
} {
  const pins = new Map<string, MarkRecord & { loop: number; name: string }>();
  const invalid = new Map<number, MarkRecord & { loop: number }>();
  for (const mark of marks) {
    const { loop, name } = mark;
    if (mark.action === 'pin' && name !== undefined && loop !== undefined) {
      pins.delete(name);
      pins.set(name, { ...mark, loop, name });
    } else if (mark.action === 'unpin' && name !== undefined) {
      pins.delete(name);
    } else if (mark.action === 'invalidate' && loop !== undefined && !invalid.has(loop)) {
      invalid.set(loop, { ...mark, loop });
    }
  }
  return { pins, invalid };
}

/** Apply `marks` in file order: later pins of a name move it, unpin removes it. */
export function foldMarks(history: ResultHistory, marks: readonly MarkRecord[]): void {
  if (marks.length === 0) return;
  const effective = effectiveMarks(marks);
  const pinned = new Map([...effective.pins].map(([name, mark]) => [name, mark.loop]));
  const invalid: Record<number, string> = {};
  for (const [loop, mark] of effective.invalid) invalid[loop] = mark.reason ?? 'no reason given';
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
