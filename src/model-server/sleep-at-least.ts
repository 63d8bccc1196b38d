import { setTimeout as delay } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/**
 * Waits at least `ms` milliseconds by the monotonic clock. setTimeout alone can fire up to a
 * millisecond early, which would let an injected 50 ms delay be recorded as 49 ms.
 */
export async function sleepAtLeast(ms: number): Promise<void> {
  if (!(ms > 0)) return;
  const until = performance.now() + ms;
  for (let left = ms; left > 0; left = until - performance.now()) await delay(Math.ceil(left));
}
