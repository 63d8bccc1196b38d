/**
 * `canary k results pin|unpin|invalidate`: the local rules (write-marks.ts) applied to a group's
 * cluster store. Pure: each returns the changed store and what was done; the caller writes it
 * (and may run it again after a write conflict).
 */
import { UsageError } from '../errors.js';
import { toResultHistory, type ClusterStore } from './cluster-store.js';
import { isInvalid, pinNamePattern } from './marks.js';
import { selectLoop } from './select-loop.js';

export interface MarkOutcome {
  store: ClusterStore;
  message: string;
}

function historyOf(store: ClusterStore, label: string) {
  return { ...toResultHistory(store, label), ...(store.earlier.loops > 0 ? { earlier: store.earlier } : {}) };
}

function checkPinName(name: string): void {
  if (!pinNamePattern.test(name)) {
    throw new UsageError(`pin name ${JSON.stringify(name)} is not valid`, [
      'use letters, digits, _ . - (starting with a letter or digit), e.g. --as golden',
    ]);
  }
}

/** Pins the loop whole under `name`, moving the name if it pinned another loop. */
export function pinInStore(store: ClusterStore, label: string, loopSpec: string, name: string): MarkOutcome {
  checkPinName(name);
  const history = historyOf(store, label);
  const record = selectLoop(history, loopSpec);
  if (isInvalid(history, record.loop)) {
    throw new UsageError(`loop ${record.loop} is marked invalid (${history.invalid![record.loop]})`, [
      'an invalid loop is no baseline: pin another loop',
    ]);
  }
  const previous = store.pins?.[name];
  if (previous?.loop === record.loop) return { store, message: `${name} already pins loop ${record.loop}` };
  return {
    store: { ...store, pins: { ...store.pins, [name]: record } },
    message: previous
      ? `${name} now pins loop ${record.loop} (was loop ${previous.loop})`
      : `pinned loop ${record.loop} as ${name}`,
  };
}

export function unpinInStore(store: ClusterStore, label: string, name: string): MarkOutcome {
  checkPinName(name);
  const record = store.pins?.[name];
  if (!record) {
    const names = Object.keys(store.pins ?? {});
    throw new UsageError(`no pin named ${name} in ${label}`, [
      names.length > 0 ? `pins: ${names.join(', ')}` : 'the store has no pins',
    ]);
  }
  const pins = { ...store.pins };
  delete pins[name];
  return { store: { ...store, pins }, message: `unpinned ${name} (loop ${record.loop})` };
}

export function invalidateInStore(
  store: ClusterStore,
  label: string,
  loopSpec: string,
  reason: string,
): MarkOutcome {
  if (reason.trim() === '') throw new UsageError('--reason must say why the loop is invalid');
  const history = historyOf(store, label);
  const record = selectLoop(history, loopSpec);
  const pins = Object.entries(store.pins ?? {}).filter(([, pinned]) => pinned.loop === record.loop);
  if (pins.length > 0) {
    throw new UsageError(`loop ${record.loop} is pinned as ${pins.map(([n]) => n).join(', ')}`, [
      `unpin it first: canary k results unpin ${pins[0]![0]}`,
    ]);
  }
  if (isInvalid(history, record.loop)) return { store, message: `loop ${record.loop} is already invalid` };
  return {
    store: { ...store, invalid: { ...store.invalid, [String(record.loop)]: reason.trim() } },
    message: `loop ${record.loop} marked invalid: ${reason.trim()}`,
  };
}
