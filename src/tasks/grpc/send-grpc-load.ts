import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { createLatencyHistogram, recordLatencyMs, type LatencyHistogram } from '../http/latency-histogram.js';
import type { GrpcLoadPlan } from './load-plan.js';

export interface StatusCount {
  count: number;
  /** The first message seen with this status (none for OK), as an example. */
  message?: string;
}

export interface GrpcLoadResult {
  /** Calls that ended and were counted (skipFirst and calls cut short by an abort are not). */
  requestCount: number;
  /** Calls that ended with a status other than OK (deadlines and connection failures included). */
  errorCount: number;
  /** By gRPC status code: 0 OK, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, ... */
  statusCounts: Map<number, StatusCount>;
  /** Latencies of every counted call, in microseconds. */
  histogram: LatencyHistogram;
  elapsedMs: number;
  stopped?: 'aborted' | 'unreachable';
}

/** A run whose first calls all fail to reach the server gives up after this many. */
export const unreachableAfter = 50;

export interface GrpcTarget {
  clients: readonly grpc.Client[];
  /** `/package.Service/Method`. */
  path: string;
  requests: readonly Buffer[];
  metadata: Readonly<Record<string, string>>;
}

/** Makes one endpoint's calls and measures them. */
export function sendGrpcLoad(
  target: GrpcTarget,
  plan: GrpcLoadPlan,
  signal: AbortSignal,
): Promise<GrpcLoadResult> {
  return new GrpcLoadRun(target, plan, signal).start();
}

const passBuffer = (value: Buffer): Buffer => value;

class GrpcLoadRun {
  private readonly histogram = createLatencyHistogram();
  private readonly statusCounts = new Map<number, StatusCount>();
  private readonly metadata: grpc.Metadata | undefined;
  private readonly limit: number;
  private requestCount = 0;
  private errorCount = 0;
  private ended = 0;
  private reached = 0;
  private issued = 0;
  private inFlight = 0;
  private startTime = 0;
  private deadline = Infinity;
  /** Constant rate: intended send times of calls that are due but wait for a free slot. */
  private readonly backlog: number[] = [];
  private stopping = false;
  /** Constant rate: every call of the plan is issued or in the backlog. */
  private scheduled = false;
  private stopped: GrpcLoadResult['stopped'];
  private done = false;
  private timer: NodeJS.Timeout | undefined;
  private resolve: (result: GrpcLoadResult) => void = () => {};
  private readonly onAbort = () => this.abort();

  constructor(
    private readonly target: GrpcTarget,
    private readonly plan: GrpcLoadPlan,
    private readonly signal: AbortSignal,
  ) {
    const entries = Object.entries(target.metadata);
    if (entries.length > 0) {
      this.metadata = new grpc.Metadata();
      for (const [name, value] of entries) this.metadata.set(name, value);
    }
    const byRate =
      plan.rps !== undefined && plan.durationMs !== undefined
        ? Math.ceil((plan.durationMs * plan.rps) / 1000 - 1e-9)
        : Infinity;
    // As in ghz, a duration replaces the call count.
    this.limit = plan.durationMs !== undefined ? byRate : plan.total;
  }

  start(): Promise<GrpcLoadResult> {
    const result = new Promise<GrpcLoadResult>((resolve) => (this.resolve = resolve));
    if (this.signal.aborted) {
      this.stopped = 'aborted';
      this.finish();
      return result;
    }
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    this.startTime = performance.now();
    if (this.plan.durationMs !== undefined) this.deadline = this.startTime + this.plan.durationMs;
    if (this.plan.rps !== undefined) {
      this.sendDue();
    } else {
      for (let i = 0; i < this.plan.concurrency && this.mayIssue(this.startTime); i++)
        this.issue(this.startTime);
      if (this.inFlight === 0) this.finish();
    }
    return result;
  }

  private mayIssue(now: number): boolean {
    return !this.stopping && this.issued < this.limit && now < this.deadline;
  }

  /** One call; `startedAt` starts its latency clock (the intended time, at a constant rate). */
  private issue(startedAt: number): void {
    const index = this.issued++;
    this.inFlight++;
    const { clients, requests, path } = this.target;
    const client = clients[index % clients.length]!;
    const request = requests[index % requests.length]!;
    const options = { deadline: Date.now() + this.plan.timeoutMs };
    const callback = (error: grpc.ServiceError | null) => this.settle(startedAt, error);
    // Bytes in, bytes out: the request is encoded once, the response is not decoded.
    if (this.metadata) {
      client.makeUnaryRequest(
        path,
        passBuffer,
        passBuffer,
        request,
        this.metadata.clone(),
        options,
        callback,
      );
    } else {
      client.makeUnaryRequest(path, passBuffer, passBuffer, request, options, callback);
    }
  }

  private settle(startedAt: number, error: grpc.ServiceError | null): void {
    if (this.done) return;
    this.inFlight--;
    this.count(startedAt, error);
    const now = performance.now();
    if (this.plan.rps !== undefined) {
      const intended = this.stopping ? undefined : this.backlog.shift();
      if (intended !== undefined) this.issue(intended);
      else if ((this.scheduled || this.stopping) && this.inFlight === 0) this.finish();
      return;
    }
    if (this.mayIssue(now)) this.issue(now);
    else if (this.inFlight === 0) this.finish();
  }

  private count(startedAt: number, error: grpc.ServiceError | null): void {
    const latencyMs = performance.now() - startedAt;
    const code = error ? error.code : grpc.status.OK;
    if (code !== grpc.status.UNAVAILABLE) this.reached++;
    // ghz's skipFirst: the first calls to end are left out of the tally.
    if (this.ended++ < this.plan.skipFirst) return;
    this.requestCount++;
    if (code !== grpc.status.OK) this.errorCount++;
    const status = this.statusCounts.get(code);
    if (status) status.count++;
    else
      this.statusCounts.set(code, {
        count: 1,
        ...(error ? { message: error.details || error.message } : {}),
      });
    recordLatencyMs(this.histogram, latencyMs);
    if (this.reached === 0 && this.ended >= unreachableAfter && !this.stopping) {
      this.stopping = true;
      this.stopped = 'unreachable';
      this.backlog.length = 0;
    }
  }

  /** Constant rate: call k is due at start + k / rps; due calls beyond `concurrency` wait in the backlog. */
  private sendDue(): void {
    this.timer = undefined;
    const intervalMs = 1000 / this.plan.rps!;
    const now = performance.now();
    while (!this.stopping && this.issued + this.backlog.length < this.limit) {
      const intended = this.startTime + (this.issued + this.backlog.length) * intervalMs;
      if (intended > now || intended >= this.deadline) break;
      if (this.inFlight < this.plan.concurrency && this.backlog.length === 0) this.issue(intended);
      else this.backlog.push(intended);
    }
    const next = this.startTime + (this.issued + this.backlog.length) * intervalMs;
    if (this.stopping || this.issued + this.backlog.length >= this.limit || next >= this.deadline) {
      this.scheduled = true;
      if (this.inFlight === 0 && this.backlog.length === 0) this.finish();
      return;
    }
    this.timer = setTimeout(() => this.sendDue(), Math.max(0, next - performance.now()));
  }

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
    this.signal.removeEventListener('abort', this.onAbort);
    this.resolve({
      requestCount: this.requestCount,
      errorCount: this.errorCount,
      statusCounts: this.statusCounts,
      histogram: this.histogram,
      elapsedMs: this.startTime === 0 ? 0 : performance.now() - this.startTime,
      ...(this.stopped ? { stopped: this.stopped } : {}),
    });
  }
}

/** `DEADLINE_EXCEEDED` for 4. */
export function statusName(code: number): string {
  return (grpc.status as unknown as Record<number, string | undefined>)[code] ?? `STATUS_${code}`;
}
