import { performance } from 'node:perf_hooks';
import type { HttpConnection } from './http-connection.js';

/** What a slot reports back to. */
export interface SlotOwner {
  /** The request ended, with its response (`error` undefined) or without; called at once. */
  settle(slot: RequestSlot, error: Error | undefined): void;
}

/** One request at a time, reused for the next: no promise, closure or object per request. */
export class RequestSlot {
  /** When the latency clock started: the intended send time in constant-rate mode, else the write. */
  startedAt = 0;
  /**
   * Restart the clock when the request is written (unlimited mode): the wait for a connection (a new
   * one, after a close) is the client's, not the server's. Autocannon measures from the write too.
   */
  readonly startsOnWrite: boolean;
  /** When the request was handed over: the timeout counts from here. */
  sentAt = 0;
  status = 0;
  active = false;
  /** Sent again on a new connection after the server closed an idle keep-alive one (at most once). */
  retried = false;
  /** The connection carrying the request; none while it waits for one. */
  connection: HttpConnection | undefined;
  /** Set by the timeout sweep. */
  timeoutError: Error | undefined;

  constructor(
    private readonly owner: SlotOwner,
    options: { startsOnWrite: boolean },
  ) {
    this.startsOnWrite = options.startsOnWrite;
  }

  /** Prepares for the next request. */
  begin(startedAt: number, sentAt: number): void {
    this.active = true;
    this.startedAt = startedAt;
    this.sentAt = sentAt;
    this.status = 0;
    this.retried = false;
    this.timeoutError = undefined;
  }

  /** The connection is writing the request now. */
  onWrite(): void {
    if (this.startsOnWrite) this.startedAt = performance.now();
  }

  timeOut(error: Error): void {
    this.timeoutError = error;
    this.connection?.abort(error);
  }

  settle(error: Error | undefined): void {
    this.owner.settle(this, error);
  }
}
