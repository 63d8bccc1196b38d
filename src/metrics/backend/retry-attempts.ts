import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { AttemptFailure } from './attempt-failure.js';
import { linkAbort } from '../../util/linked-abort.js';

export interface RetryPolicy {
  /** Further attempts after the first (so `retries: 2` makes at most 3 attempts). */
  retries: number;
  /** First backoff delay; doubles per retry, with jitter (×1–2). */
  minRetryDelayMs: number;
  /** Backoff ceiling. */
  maxRetryDelayMs: number;
  /** Longest `Retry-After` honoured; a server asking for longer gets no retry. */
  maxRetryAfterMs: number;
  signal?: AbortSignal | undefined;
  /** Before each retry: the failed attempt (from 1), the failure, and the `Retry-After` wait. */
  onRetry?: (attempt: number, failure: AttemptFailure, retryAfterMs: number | undefined) => void;
}

export type RetryOutcome<T> =
  { ok: true; value: T; attempts: number } | { ok: false; failure: AttemptFailure; attempts: number };

/**
 * Runs `attempt` until it succeeds, fails for good (`retryable: false`) or runs out of retries,
 * with exponential backoff and the server's `Retry-After` honoured up to `maxRetryAfterMs`. A
 * server asking for a longer wait ends the retries at once: retrying sooner would ignore it, and
 * waiting the longest allowed would only stretch the loop for the same answer. Only an abort
 * through `signal`, or an error that is not an AttemptFailure (a bug), throws.
 */
export async function retryAttempts<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
): Promise<RetryOutcome<T>> {
  let attempts = 0;
  // p-retry and the Retry-After wait each listen on the signal they get: a linked one per call keeps
  // the caller's signal at one listener however many queries retry at once.
  const link = policy.signal ? linkAbort(policy.signal) : undefined;
  const signal = link?.signal;
  try {
    const value = await pRetry(
      () => {
        attempts++;
        return attempt();
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minRetryDelayMs,
        maxTimeout: policy.maxRetryDelayMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => error instanceof AttemptFailure && error.retryable,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!(error instanceof AttemptFailure) || !error.retryable || retriesLeft === 0) return;
          const retryAfterMs = error.retryAfterMs;
          if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs)
            throw error.notRetried(
              `the server asked to retry after ${seconds(retryAfterMs)}, longer than canary waits (${seconds(policy.maxRetryAfterMs)}); not retried`,
            );
          policy.onRetry?.(attemptNumber, error, retryAfterMs);
          if (retryAfterMs) await sleep(retryAfterMs, undefined, { signal });
        },
      },
    );
    return { ok: true, value, attempts };
  } catch (error) {
    if (policy.signal?.aborted) throw policy.signal.reason;
    if (!(error instanceof AttemptFailure)) throw error;
    return { ok: false, failure: error, attempts };
  } finally {
    link?.unlink();
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
