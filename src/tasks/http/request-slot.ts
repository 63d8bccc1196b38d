import { performance } from 'node:perf_hooks';
import type { Client, Dispatcher } from 'undici';

/** What a slot reports back to. */
export interface SlotOwner {
  /** The request ended: called at once, so the latency clock stops at the response's last byte. */
  settle(slot: RequestSlot, error: Error | undefined): void;
  /** Called in a microtask after `settle`, once undici has finished with the response. */
  proceed(slot: RequestSlot): void;
}

/**
 * The undici handler of one request at a time, reused for the next: no promise, stream or closure per
 * request. The body is read and dropped chunk by chunk, so the connection is reusable at once.
 */
export class RequestSlot implements Dispatcher.DispatchHandlers {
  /** When the latency clock started: the intended send time in constant-rate mode, else the write. */
  startedAt = 0;
  /**
   * Restart the clock when undici writes the request (unlimited mode): the wait for the connection's
   * turn (undici checks an idle keep-alive socket for a stray close before reusing it) is the client's.
   */
  readonly startsOnWrite: boolean;
  private written = false;
  /** When the request was handed to undici: the timeout counts from here. */
  sentAt = 0;
  status = 0;
  active = false;
  /** The connection carrying the request; none while it waits for one. */
  client: Client | undefined;
  /** Bound once, so that scheduling the follow-up allocates nothing. */
  readonly proceed = () => this.owner.proceed(this);
  /** Set by the timeout sweep; a request still queued is aborted as soon as undici picks it up. */
  timeoutError: Error | undefined;
  private abortRequest: ((error?: Error) => void) | undefined;

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
    this.timeoutError = undefined;
    this.abortRequest = undefined;
    this.written = false;
  }

  abort(error: Error): void {
    if (this.abortRequest) this.abortRequest(error);
  }

  timeOut(error: Error): void {
    this.timeoutError = error;
    this.abort(error);
  }

  /** Called by undici just before it writes the request (again, if it retries it). */
  onConnect(abort: (error?: Error) => void): void {
    this.abortRequest = abort;
    if (this.startsOnWrite && !this.written) this.startedAt = performance.now();
    this.written = true;
    if (this.timeoutError) abort(this.timeoutError);
  }

  onHeaders(statusCode: number): boolean {
    // Called again after a 1xx; the final status wins.
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    this.owner.settle(this, undefined);
  }

  onError(error: Error): void {
    this.owner.settle(this, error);
  }
}
