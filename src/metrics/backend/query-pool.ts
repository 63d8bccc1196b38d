/**
 * Bounds how many backend queries run at once: 2 versions × 50 metrics should not run
 * one after another, nor open 100 connections to one Prometheus.
 */
import pLimit from 'p-limit';

export type QueryPool = <T>(job: () => Promise<T>) => Promise<T>;

/**
 * Jobs start in the order scheduled, with at most `concurrency` in flight (the custommetrics task's
 * `concurrency`, default `defaultQueryConcurrency` there).
 */
export function createQueryPool(concurrency: number): QueryPool {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`query concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const limit = pLimit(concurrency);
  // Do not schedule a job from inside another job of the same pool: it could wait forever.
  return (job) => limit(job);
}
