/**
 * `canary results pin|unpin|invalidate`: check the request against the history, then append one
 * mark record. Nothing already in the file is rewritten.
 */
import { UsageError } from '../errors.js';
import type { MarkRecord } from './records.js';
import { appendNote, readResults } from './result-file.js';
import { isInvalid, pinNamePattern } from './marks.js';
import { selectLoop } from './select-loop.js';

type MarkRequest = Pick<MarkRecord, 'action' | 'loop' | 'name' | 'reason'>;

async function appendMark(file: string, request: MarkRequest): Promise<void> {
  await appendNote(file, (where) => {
    const mark: MarkRecord = {
      kind: 'mark',
      at: new Date().toISOString(),
      ...request,
      lastLoop: where.lastLoop,
      experimentHash: where.experimentHash ?? '',
      ...(where.experimentStart ? { experimentStart: where.experimentStart } : {}),
    };
    return mark;
  });
}

function checkPinName(name: string): void {
  if (!pinNamePattern.test(name)) {
    throw new UsageError(`pin name ${JSON.stringify(name)} is not valid`, [
      'use letters, digits, _ . - (starting with a letter or digit), e.g. --as golden',
    ]);
  }
}

/** Pin a loop under `name` (moving the name if it pinned another loop). Returns what was done. */
export async function pinLoop(file: string, loopSpec: string, name: string): Promise<string> {
  checkPinName(name);
  const history = await readResults(file);
  const record = selectLoop(history, loopSpec);
  if (isInvalid(history, record.loop)) {
    throw new UsageError(`loop ${record.loop} is marked invalid (${history.invalid![record.loop]})`, [
      'an invalid loop is no baseline: pin another loop',
    ]);
  }
  const previous = history.pins?.[name];
  if (previous?.loop === record.loop) return `${name} already pins loop ${record.loop}`;
  await appendMark(file, { action: 'pin', loop: record.loop, name });
  return previous
    ? `${name} now pins loop ${record.loop} (was loop ${previous.loop})`
    : `pinned loop ${record.loop} as ${name}`;
}

export async function unpinLoop(file: string, name: string): Promise<string> {
  checkPinName(name);
  const history = await readResults(file);
  const record = history.pins?.[name];
  if (!record) {
    const names = Object.keys(history.pins ?? {});
    throw new UsageError(`no pin named ${name} in ${file}`, [
      names.length > 0 ? `pins: ${names.join(', ')}` : 'the file has no pins',
    ]);
  }
  await appendMark(file, { action: 'unpin', name });
  return `unpinned ${name} (loop ${record.loop})`;
}

export async function invalidateLoop(file: string, loopSpec: string, reason: string): Promise<string> {
  if (reason.trim() === '') throw new UsageError('--reason must say why the loop is invalid');
  const history = await readResults(file);
  const record = selectLoop(history, loopSpec);
  const pins = Object.entries(history.pins ?? {}).filter(([, pinned]) => pinned.loop === record.loop);
  if (pins.length > 0) {
    throw new UsageError(`loop ${record.loop} is pinned as ${pins.map(([n]) => n).join(', ')}`, [
      `unpin it first: canary results unpin ${pins[0]![0]}`,
    ]);
  }
  if (isInvalid(history, record.loop)) return `loop ${record.loop} is already invalid`;
  await appendMark(file, { action: 'invalidate', loop: record.loop, reason: reason.trim() });
  return `loop ${record.loop} marked invalid: ${reason.trim()}`;
}
