const linkedUnder = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * A signal that aborts when `parent` aborts, and a function that unlinks it. However many are linked
 * at once, `parent` carries one listener: one listener per query, per attempt or per retry wait would
 * pass Node's 10-listener warning (MaxListenersExceededWarning) with a few queries in flight, and
 * AbortSignal.any keeps each combined signal registered on the long-lived parent until collected.
 */
export function linkAbort(
  parent: AbortSignal,
  controller = new AbortController(),
): {
  signal: AbortSignal;
  unlink: () => void;
} {
  if (parent.aborted) controller.abort(parent.reason);
  let linked = linkedUnder.get(parent);
  if (linked === undefined) {
    const children = new Set<AbortController>();
    linkedUnder.set(parent, (linked = children));
    parent.addEventListener('abort', () => children.forEach((c) => c.abort(parent.reason)), { once: true });
  }
  linked.add(controller);
  const set = linked;
  return { signal: controller.signal, unlink: () => set.delete(controller) };
}
