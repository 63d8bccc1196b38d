import { performance } from 'node:perf_hooks';
import { createLatencyHistogram, recordLatencyMs, type LatencyHistogram } from '../http/latency-histogram.js';
import type { LlmOutcome } from './stream-request.js';

export interface LlmLoadPlan {
  requests?: number;
  durationMs?: number;
  qps?: number;
  concurrency: number;
  timeoutMs: number;
}

export interface LlmLoadResult {
  requestCount: number;
  errorCount: number;
  /** Failures by kind (`HTTP 429`, `timeout`, `no [DONE]`, ...), with the first message as an example. */
  failures: Map<string, { count: number; message: string }>;
  ttft: LatencyHistogram;
  itl: LatencyHistogram;
  e2e: LatencyHistogram;
  /** Per successful request with 2+ tokens: (e2e - ttft) / (tokens - 1), ms. */
  tpotSumMs: number;
  tpotCount: number;
  outputTokens: number;
  inputTokens: number;
  /** Successful requests whose input tokens the server reported. */
  inputTokenReports: number;
  successCount: number;
  usageFromServer: number;
  usageFromChunks: number;
  elapsedMs: number;
}

/** Sends one request whose clock starts at `startedAt`. */
export type SendOne = (index: number, startedAt: number) => Promise<LlmOutcome>;

/**
 * Runs the plan: back to back on `concurrency` workers, or at a constant `qps` with at most
 * `concurrency` in flight (a request waiting for a slot is late, and its TTFT says so). A 429 or 503
 * with Retry-After holds a back-to-back worker for that long (at most the timeout).
 */
export async function runLlmLoad(
  plan: LlmLoadPlan,
  send: SendOne,
  signal: AbortSignal,
): Promise<LlmLoadResult> {
  const result: LlmLoadResult = {
    requestCount: 0,
    errorCount: 0,
    failures: new Map(),
    ttft: createLatencyHistogram(),
    itl: createLatencyHistogram(),
    e2e: createLatencyHistogram(),
    tpotSumMs: 0,
    tpotCount: 0,
    outputTokens: 0,
    inputTokens: 0,
    inputTokenReports: 0,
    successCount: 0,
    usageFromServer: 0,
    usageFromChunks: 0,
    elapsedMs: 0,
  };
  const start = performance.now();
  const deadline = plan.durationMs !== undefined ? start + plan.durationMs : Infinity;
  const byRate =
    plan.qps !== undefined && plan.durationMs !== undefined
      ? Math.ceil((plan.durationMs * plan.qps) / 1000 - 1e-9)
      : Infinity;
  const limit = Math.min(plan.requests ?? Infinity, byRate);
  let issued = 0;
  const mayIssue = () => !signal.aborted && issued < limit && performance.now() < deadline;

  const count = (outcome: LlmOutcome) => {
    if (signal.aborted) return;
    result.requestCount++;
    if (outcome.failure) {
      result.errorCount++;
      const key = outcome.failure.kind === 'http' ? `HTTP ${outcome.failure.status}` : outcome.failure.kind;
      const entry = result.failures.get(key);
      if (entry) entry.count++;
      else result.failures.set(key, { count: 1, message: outcome.failure.message });
      return;
    }
    result.successCount++;
    if (outcome.ttftMs !== undefined) recordLatencyMs(result.ttft, outcome.ttftMs);
    for (const gap of outcome.itlMs) recordLatencyMs(result.itl, gap);
    recordLatencyMs(result.e2e, outcome.e2eMs);
    if (outcome.outputTokens > 1 && outcome.ttftMs !== undefined) {
      result.tpotSumMs += (outcome.e2eMs - outcome.ttftMs) / (outcome.outputTokens - 1);
      result.tpotCount++;
    }
    result.outputTokens += outcome.outputTokens;
    if (outcome.inputTokens !== undefined) {
      result.inputTokens += outcome.inputTokens;
      result.inputTokenReports++;
    }
    if (outcome.usageFrom === 'server') result.usageFromServer++;
    else result.usageFromChunks++;
  };

  if (plan.qps === undefined) {
    const worker = async () => {
      while (mayIssue()) {
        const outcome = await send(issued++, performance.now());
        count(outcome);
        if (outcome.retryAfterMs !== undefined && mayIssue()) {
          const wait = Math.min(outcome.retryAfterMs, plan.timeoutMs, deadline - performance.now());
          await sleep(wait, signal);
        }
      }
    };
    await Promise.all(Array.from({ length: plan.concurrency }, worker));
  } else {
    const intervalMs = 1000 / plan.qps;
    const inFlight = new Set<Promise<void>>();
    while (mayIssue()) {
      const intended = start + issued * intervalMs;
      await sleep(intended - performance.now(), signal);
      if (signal.aborted) break;
      while (inFlight.size >= plan.concurrency) await Promise.race(inFlight);
      const task = send(issued++, intended).then(count);
      const tracked = task.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
  }
  result.elapsedMs = performance.now() - start;
  return result;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
