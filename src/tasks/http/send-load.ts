import { performance } from 'node:perf_hooks';
import { formatDuration } from '../../util/duration.js';
import type { StatusClassifier } from './error-ranges.js';
import { createLatencyHistogram, recordLatencyMs, type LatencyHistogram } from './latency-histogram.js';
import type { ConnectionSet } from './connection-set.js';
import { RequestSlot, type SlotOwner } from './request-slot.js';

export interface LoadPlan {
  /** Requests to send; without it, `durationMs` ends the run. */
  requests?: number;
  durationMs?: number;
  /** Constant rate; absent: `connections` workers send back to back. */
  qps?: number;
  connections: number;
  timeoutMs: number;
}

export interface FailureCount {
  count: number;
  /** The first message seen, as an example. */
  message: string;
}

export interface LoadResult {
  /** Requests that ended (with a response or a failure); requests cut short by an abort are not counted. */
  requestCount: number;
  errorCount: number;
  /** Requests that got a response, whatever its status. */
  responseCount: number;
  /** Requests sent a second time because the server closed the idle connection they went out on. */
  retriedCount: number;
  statusCounts: Map<number, number>;
  /** Requests that ended without a response, by error code (`timeout`, `ECONNREFUSED`, ...). */
  failures: Map<string, FailureCount>;
  /** Latencies of responses and of timed-out requests, in microseconds. */
  histogram: LatencyHistogram;
  elapsedMs: number;
  /** Why the run ended before its plan did. */
  stopped?: 'aborted' | 'unreachable';
}

/** A run that got no response at all after this many requests gives up: the target is not there. */
export const unreachableAfter = 50;

export class RequestTimeoutError extends Error {
  readonly code = 'timeout';
  constructor(timeoutMs: number) {
    super(`timed out after ${formatDuration(timeoutMs)}`);
    this.name = 'RequestTimeoutError';
  }
}

/** Sends one endpoint's load on its connections and measures it. */
export function sendLoad(
  connections: ConnectionSet,
  plan: LoadPlan,
  isError: StatusClassifier,
  signal: AbortSignal,
): Promise<LoadResult> {
  return new LoadRun(connections, plan, isError, signal).start();
}

class LoadRun implements SlotOwner {
  private readonly histogram = createLatencyHistogram();
  private readonly statusCounts = new Map<number, number>();
  private readonly failures = new Map<string, FailureCount>();
  private readonly slots: RequestSlot[] = [];
  /** Idle slots, reused in constant-rate mode. */
  private readonly idle: RequestSlot[] = [];
  private requestCount = 0;
  private errorCount = 0;
  private responseCount = 0;
  private retriedCount = 0;
  private issued = 0;
  private inFlight = 0;
  private startTime = 0;
  private deadline = Infinity;
  private readonly limit: number;
  /** No new requests; the run ends when the last one in flight does. */
  private stopping = false;
  private stopped: LoadResult['stopped'];
  private done = false;
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private resolve: (result: LoadResult) => void = () => {};
  private readonly onAbort = () => this.abort();

  constructor(
    private readonly connections: ConnectionSet,
    private readonly plan: LoadPlan,
    private readonly isError: StatusClassifier,
    private readonly signal: AbortSignal,
  ) {
    const byRate =
      plan.qps !== undefined && plan.durationMs !== undefined
        ? Math.ceil((plan.durationMs * plan.qps) / 1000 - 1e-9)
        : Infinity;
    this.limit = Math.min(plan.requests ?? Infinity, byRate);
  }

  start(): Promise<LoadResult> {
    const result = new Promise<LoadResult>((resolve) => (this.resolve = resolve));
    if (this.signal.aborted) {
      this.stopped = 'aborted';
      this.finish();
      return result;
    }
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    this.startTime = performance.now();
    if (this.plan.durationMs !== undefined) this.deadline = this.startTime + this.plan.durationMs;
    const sweepMs = Math.min(100, Math.max(5, this.plan.timeoutMs / 20));
    this.sweeper = setInterval(() => this.sweepTimeouts(), sweepMs);
    if (this.plan.qps !== undefined) {
      this.sendDue();
    } else {
      for (let i = 0; i < this.plan.connections && this.mayIssue(this.startTime); i++) {
        this.issue(this.newSlot(), this.startTime, this.startTime);
      }
      if (this.inFlight === 0) this.finish();
    }
    return result;
  }

  settle(slot: RequestSlot, error: Error | undefined): void {
    if (!slot.active) return;
    slot.active = false;
    this.inFlight--;
    if (this.stopped !== 'aborted') this.count(slot, error);
    // The connection is free again: the next request goes out at once, as autocannon's does.
    this.proceed(slot);
  }

  private proceed(slot: RequestSlot): void {
    this.connections.release(slot);
    if (this.plan.qps !== undefined) {
      this.idle.push(slot);
      if (this.stopping && this.inFlight === 0) this.finish();
      return;
    }
    const now = performance.now();
    if (this.mayIssue(now)) {
      this.issue(slot, now, now);
    } else if (this.inFlight === 0) {
      this.finish();
    }
  }

  private count(slot: RequestSlot, error: Error | undefined): void {
    const latencyMs = performance.now() - slot.startedAt;
    this.requestCount++;
    if (slot.retried) this.retriedCount++;
    if (error === undefined) {
      this.responseCount++;
      this.statusCounts.set(slot.status, (this.statusCounts.get(slot.status) ?? 0) + 1);
      if (this.isError(slot.status)) this.errorCount++;
      recordLatencyMs(this.histogram, latencyMs);
      return;
    }
    this.errorCount++;
    const reason = slot.timeoutError ?? error;
    const code = failureCodeOf(reason);
    const failure = this.failures.get(code);
    if (failure) failure.count++;
    else this.failures.set(code, { count: 1, message: reason.message });
    // A timeout is a very slow response, not a missing one: leaving it out would flatter the tail. It
    // took at least the timeout, which runs from the hand-over, before the write that may start the clock.
    if (code === 'timeout') {
      recordLatencyMs(this.histogram, Math.max(latencyMs, performance.now() - slot.sentAt));
    }
    if (this.responseCount === 0 && this.requestCount >= unreachableAfter && !this.stopping) {
      this.stopping = true;
      this.stopped = 'unreachable';
    }
  }

  private mayIssue(now: number): boolean {
    return !this.stopping && this.issued < this.limit && now < this.deadline;
  }

  /** `startedAt` starts the latency clock, `sentAt` the timeout's. */
  private issue(slot: RequestSlot, startedAt: number, sentAt: number): void {
    slot.begin(startedAt, sentAt);
    this.issued++;
    this.inFlight++;
    this.connections.send(slot);
  }

  private newSlot(): RequestSlot {
    const slot = new RequestSlot(this, { startsOnWrite: this.plan.qps === undefined });
    this.slots.push(slot);
    return slot;
  }

  /** Constant rate: request k is due at start + k / qps; late timers send the backlog at once. */
  private sendDue(): void {
    this.timer = undefined;
    const intervalMs = 1000 / this.plan.qps!;
    const now = performance.now();
    while (!this.stopping && this.issued < this.limit) {
      const intended = this.startTime + this.issued * intervalMs;
      if (intended > now) break;
      this.issue(this.idle.pop() ?? this.newSlot(), intended, now);
    }
    if (this.stopping || this.issued >= this.limit) {
      this.stopping = true;
      if (this.inFlight === 0) this.finish();
      return;
    }
    const next = this.startTime + this.issued * intervalMs;
    this.timer = setTimeout(() => this.sendDue(), Math.max(0, next - performance.now()));
  }

  /** Times out requests in flight and requests still waiting for a connection alike. */
  private sweepTimeouts(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      if (!slot.active || slot.timeoutError || now - slot.sentAt < this.plan.timeoutMs) continue;
      const error = new RequestTimeoutError(this.plan.timeoutMs);
      if (this.connections.withdraw(slot)) {
        slot.timeoutError = error;
        this.settle(slot, error);
      } else {
        slot.timeOut(error);
      }
    }
  }

  /** Stop now: requests in flight are abandoned (the caller destroys the connections) and not counted. */
  private abort(): void {
    if (this.done) return;
    this.stopping = true;
    this.stopped = 'aborted';
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.signal.removeEventListener('abort', this.onAbort);
    this.resolve({
      requestCount: this.requestCount,
      errorCount: this.errorCount,
      responseCount: this.responseCount,
      retriedCount: this.retriedCount,
      statusCounts: this.statusCounts,
      failures: this.failures,
      histogram: this.histogram,
      elapsedMs: this.startTime === 0 ? 0 : performance.now() - this.startTime,
      ...(this.stopped ? { stopped: this.stopped } : {}),
    });
  }
}

/** Socket and TLS errors carry a code (ECONNREFUSED, ECONNRESET, CERT_HAS_EXPIRED), and so do canary's. */
function failureCodeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
