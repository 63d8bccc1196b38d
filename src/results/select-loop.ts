/** Finding a loop a user named on the command line (`7`, `latest`), with errors that say what exists. */
import { UsageError } from '../errors.js';
import type { LoopRecord } from './records.js';
import type { ResultHistory } from './result-file.js';
import { comparableLoops, isInvalid } from './marks.js';

/** `7` or `latest` (the latest loop not marked invalid). */
export function selectLoop(history: ResultHistory, spec: string, what = 'loop'): LoopRecord {
  if (spec === 'latest') {
    const latest = comparableLoops(history).at(-1);
    if (!latest) {
      throw new UsageError(`${history.file} has no valid loop`, [
        history.loops.length > 0
          ? 'every loop is marked invalid; see `canary results list`'
          : 'run the experiment first',
      ]);
    }
    return latest;
  }
  if (!/^[0-9]+$/.test(spec)) {
    throw new UsageError(`${what} must be a loop number or "latest" (got ${JSON.stringify(spec)})`);
  }
  const number = Number(spec);
  const record = history.loops.find((loop) => loop.loop === number);
  if (record) return record;
  const compacted =
    history.earlier?.firstLoop !== undefined &&
    history.earlier.lastLoop !== undefined &&
    number >= history.earlier.firstLoop &&
    number <= history.earlier.lastLoop;
  throw new UsageError(
    compacted || isInvalid(history, number)
      ? `loop ${number} of ${history.file} was compacted into aggregates; only its counts remain`
      : `${history.file} has no loop ${number}`,
    [`loops held in full: ${describeLoops(history.loops)}; see \`canary results list\``],
  );
}

/** `1-5, 9, 12-14` (or `none`). */
export function describeLoops(loops: readonly LoopRecord[]): string {
  const ranges: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const { loop } of loops) {
    if (start !== undefined && previous !== undefined && loop === previous + 1) {
      previous = loop;
      continue;
    }
    if (start !== undefined) ranges.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = previous = loop;
  }
  if (start !== undefined) ranges.push(start === previous ? `${start}` : `${start}-${previous}`);
  return ranges.length > 0 ? ranges.join(', ') : 'none';
}
