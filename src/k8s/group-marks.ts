/** Applies a pin, unpin or invalidation (cluster-store-marks.ts) to a group's store in the cluster. */
import type { ClusterStore } from '../results/cluster-store.js';
import type { MarkOutcome } from '../results/cluster-store-marks.js';
import { readGroupStore, storeLabel, updateGroupStore, type GroupTarget } from './group-results.js';

const markTimeoutMs = 60_000;

export async function markGroup(
  target: GroupTarget,
  mark: (store: ClusterStore, label: string) => MarkOutcome,
): Promise<string> {
  const signal = AbortSignal.timeout(markTimeoutMs);
  const label = storeLabel(target);
  // Fails clearly (no results for the group) instead of creating an empty store.
  const current = await readGroupStore(target, signal);
  const first = mark(current, label);
  if (first.store === current) return first.message;
  let message = first.message;
  await updateGroupStore(
    target,
    (store) => {
      const outcome = mark(store, label);
      message = outcome.message;
      return outcome.store;
    },
    { signal },
  );
  return message;
}
