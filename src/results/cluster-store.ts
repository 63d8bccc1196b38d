/**
 * The in-cluster result store of one experiment group: the latest header, the last N loops in full,
 * and running aggregates of every older loop. Bounded by design, so it fits in one Secret however
 * long a CronJob runs. Pure functions here; reading and writing the Secret is in src/k8s.
 */
import type { EndRecord, HeaderRecord, LoopRecord } from './records.js';
import type { ResultHistory } from './result-file.js';
import { emptySummary, foldLoop, type LoopSummary } from './cluster-store-summary.js';

export const clusterStoreFormat = 'canary.cluster-store/v1';

/** Loops kept in full unless the caller says otherwise. */
export const defaultKeptLoops = 50;

export interface ClusterStore {
  format: typeof clusterStoreFormat;
  /** The experiment as last run (a changed experiment replaces it). */
  header?: HeaderRecord;
  /** The most recent loops, oldest first. */
  loops: LoopRecord[];
  /** Loop number -> the pod that ran it (LoopRecord has no pod field); only for loops kept in full. */
  pods: Record<string, string>;
  /** Aggregates of the loops that were dropped from `loops`. */
  earlier: LoopSummary;
  /** Pin name -> the pinned loop, whole: folding never drops it (`canary k results pin`). */
  pins?: Record<string, LoopRecord>;
  /** Loop number -> why it is invalid: never compared (`canary k results invalidate`). */
  invalid?: Record<string, string>;
  /** Written when nothing more will come (spec.maxLoops reached). */
  end?: EndRecord;
  /** When the store was last written. */
  updated?: string;
}

export function emptyStore(): ClusterStore {
  return { format: clusterStoreFormat, loops: [], pods: {}, earlier: emptySummary() };
}

/** Number of the latest loop, in full or summarized; 0 for a new store. */
export function lastLoopOf(store: ClusterStore): number {
  return Math.max(
    0,
    store.loops.at(-1)?.loop ?? 0,
    store.earlier.lastLoop ?? 0,
    (store.header?.firstLoop ?? 1) - 1,
  );
}

/** Whether a run of the experiment with this hash starts a new segment (and needs a header). */
export function needsHeader(store: ClusterStore, experimentHash: string): boolean {
  return store.header?.experimentHash !== experimentHash;
}

/** When the current segment started, for `elapsedTimeSeconds`; undefined when a new one begins. */
export function experimentStartOf(store: ClusterStore, experimentHash: string): string | undefined {
  if (needsHeader(store, experimentHash)) return undefined;
  const latest = store.loops.at(-1);
  return latest?.experimentHash === experimentHash ? latest.experimentStart : store.header?.created;
}

/** Loops run so far under the current header (what spec.maxLoops counts). */
export function loopsInSegment(store: ClusterStore): number {
  if (!store.header) return 0;
  return Math.max(0, lastLoopOf(store) - store.header.firstLoop + 1);
}

/** The store with a new header: a new segment starts, and an earlier end no longer holds. */
export function appendHeader(store: ClusterStore, header: HeaderRecord): ClusterStore {
  const next: ClusterStore = { ...store, header };
  delete next.end;
  return next;
}

export interface AppendOptions {
  /** Loops to keep in full (at least 1). */
  keep?: number;
  /** Name of the pod that ran the loop. */
  pod?: string;
}

/**
 * The store with `record` appended. A loop numbered at or below the latest one (another pod
 * appended first) is renumbered after it, so loop numbers stay unique and contiguous. Loops beyond
 * `keep` are folded into the aggregates, oldest first.
 */
export function appendLoop(
  store: ClusterStore,
  record: LoopRecord,
  options: AppendOptions = {},
): { store: ClusterStore; record: LoopRecord } {
  const keep = Math.max(1, options.keep ?? defaultKeptLoops);
  const last = lastLoopOf(store);
  const appended = record.loop > last ? record : { ...record, loop: last + 1 };
  const pods = { ...store.pods };
  if (options.pod !== undefined) pods[String(appended.loop)] = options.pod;
  const next = foldOldest({ ...store, loops: [...store.loops, appended], pods }, keep);
  return { store: next, record: appended };
}

/** Folds the oldest full loops into the aggregates until at most `keep` remain. */
export function foldOldest(store: ClusterStore, keep: number): ClusterStore {
  const excess = store.loops.length - Math.max(0, keep);
  if (excess <= 0) return store;
  const dropped = store.loops.slice(0, excess);
  const loops = store.loops.slice(excess);
  let earlier = store.earlier;
  for (const record of dropped) earlier = foldLoop(earlier, record);
  const pods = { ...store.pods };
  for (const record of dropped) delete pods[String(record.loop)];
  const folded: ClusterStore = { ...store, loops, pods, earlier };
  if (store.invalid) {
    // A folded loop is never compared again: its mark has nothing left to do.
    const invalid = { ...store.invalid };
    for (const record of dropped) delete invalid[String(record.loop)];
    folded.invalid = invalid;
  }
  return folded;
}

/** The store as the local result file's history, so `k assert` and `k report` reuse the local code. */
export function toResultHistory(store: ClusterStore, label: string): ResultHistory {
  return {
    file: label,
    ...(store.header ? { header: store.header } : {}),
    loops: store.loops,
    ...(store.end ? { end: store.end } : {}),
    ...(store.pins && Object.keys(store.pins).length > 0 ? { pins: { ...store.pins } } : {}),
    ...(store.invalid && Object.keys(store.invalid).length > 0
      ? {
          invalid: Object.fromEntries(
            Object.entries(store.invalid).map(([loop, why]) => [Number(loop), why]),
          ),
        }
      : {}),
    warnings: [],
  };
}
