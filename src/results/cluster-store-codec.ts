/**
 * The cluster store as bytes: gzipped JSON, the value of one Secret key. Size accounting keeps it
 * far from the 1 MiB Secret limit even when single loops are unusually large.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { CanaryError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { clusterStoreFormat, emptyStore, foldOldest, type ClusterStore } from './cluster-store.js';
import { emptySummary } from './cluster-store-summary.js';

/** Kubernetes rejects a Secret whose data exceeds 1 MiB. */
export const secretLimitBytes = 1024 * 1024;

/**
 * Gzipped bytes a store may take: half the Secret limit, leaving room for the Secret's metadata
 * and for base64 on the wire (which makes 512 KiB into 683 KiB of request body).
 */
export const storeBudgetBytes = secretLimitBytes / 2;

export class StoreFormatError extends CanaryError {
  constructor(message: string, hints: string[] = []) {
    super(message, { exitCode: ExitCode.executionError, hints });
    this.name = 'StoreFormatError';
  }
}

export function encodeStore(store: ClusterStore): Buffer {
  return gzipSync(JSON.stringify(store, finiteNumbers), { level: 9 });
}

/** An empty or absent value is a new store (`k launch` creates the Secret empty). */
export function decodeStore(bytes: Buffer | undefined): ClusterStore {
  if (bytes === undefined || bytes.length === 0) return emptyStore();
  let value: unknown;
  try {
    value = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (error) {
    throw new StoreFormatError(`the result store is not gzipped JSON: ${(error as Error).message}`, [
      'launch the group again to start a fresh store (the old one is archived)',
    ]);
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== clusterStoreFormat) {
    throw new StoreFormatError(
      `the result store has format ${JSON.stringify(format)}; this canary reads ${clusterStoreFormat}`,
      ['use the canary version that wrote it, or upgrade canary'],
    );
  }
  const store = value as ClusterStore;
  // Tolerate hand-made or older stores that left out the empty parts.
  return {
    ...store,
    loops: store.loops ?? [],
    pods: store.pods ?? {},
    earlier: store.earlier ?? emptySummary(),
  };
}

export interface StoreSize {
  /** Bytes of the JSON before compression. */
  json: number;
  /** Bytes stored in the Secret (what the 1 MiB limit counts). */
  gzip: number;
  /** Characters of the base64 form sent to and from the API server. */
  base64: number;
}

export function measureStore(store: ClusterStore): StoreSize {
  const gzip = encodeStore(store).length;
  return {
    json: Buffer.byteLength(JSON.stringify(store, finiteNumbers)),
    gzip,
    base64: Math.ceil(gzip / 3) * 4,
  };
}

/**
 * The store and its bytes, under `budget`: the oldest full loops are folded into the aggregates
 * until it fits. One loop that alone exceeds the budget is an error, never a store that the API
 * server would refuse.
 */
export function fitStore(
  store: ClusterStore,
  budget = storeBudgetBytes,
): { store: ClusterStore; bytes: Buffer; folded: number } {
  let current = store;
  let bytes = encodeStore(current);
  let folded = 0;
  while (bytes.length > budget && current.loops.length > 1) {
    // Fold in proportion to the excess, at least one loop per pass, so a large store fits in a few passes.
    const keep = Math.max(
      1,
      Math.min(current.loops.length - 1, Math.floor((current.loops.length * budget) / bytes.length)),
    );
    folded += current.loops.length - keep;
    current = foldOldest(current, keep);
    bytes = encodeStore(current);
  }
  if (bytes.length > budget) {
    throw new StoreFormatError(
      `the result store needs ${Math.ceil(bytes.length / 1024)} KiB compressed, over its ${budget / 1024} KiB budget, even with only the latest loop kept`,
      [
        'a task records very large outputs or metric queries; make them smaller',
        ...(Object.keys(current.pins ?? {}).length > 0
          ? ['pinned loops are kept whole: unpin those no longer needed (canary k results unpin NAME)']
          : []),
      ],
    );
  }
  return { store: current, bytes, folded };
}

/** JSON has no NaN or Infinity; a stray one becomes null instead of an unreadable store. */
function finiteNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
