import type tls from 'node:tls';
import { HttpConnection } from './http-connection.js';
import type { PreparedRequest } from './prepare-request.js';
import type { RequestSlot } from './request-slot.js';

export interface ConnectionOptions {
  connections: number;
  /** Extra TLS settings for https (tests pass their own certificate authority). */
  tls?: tls.ConnectionOptions;
}

/**
 * `connections` keep-alive connections to one origin, one request on each at a time; requests beyond
 * that wait here, in order. A connection freed by a response is handed the next request at once, and a
 * waiting request is visible to the timeout sweep and to an abort.
 */
export class ConnectionSet {
  private readonly all: HttpConnection[] = [];
  private readonly idle: HttpConnection[] = [];
  private readonly waiting: RequestSlot[] = [];

  constructor(request: PreparedRequest, settings: ConnectionOptions) {
    for (let i = 0; i < settings.connections; i++) {
      const connection = new HttpConnection(request, settings.tls);
      this.all.push(connection);
      this.idle.push(connection);
    }
  }

  send(slot: RequestSlot): void {
    const connection = this.idle.pop();
    if (connection) connection.send(slot);
    else this.waiting.push(slot);
  }

  /** The slot's request ended: its connection takes the next waiting request, or idles. */
  release(slot: RequestSlot): void {
    const connection = slot.connection;
    if (!connection) return;
    slot.connection = undefined;
    const next = this.waiting.shift();
    if (next) connection.send(next);
    else this.idle.push(connection);
  }

  /** Takes a request that is still waiting for a connection; false when it already has one. */
  withdraw(slot: RequestSlot): boolean {
    if (slot.connection) return false;
    const index = this.waiting.indexOf(slot);
    if (index >= 0) this.waiting.splice(index, 1);
    return index >= 0;
  }

  /** Closes every connection; requests in flight (after an abort) are dropped, not settled. */
  close(): void {
    this.waiting.length = 0;
    for (const connection of this.all) connection.destroy();
  }
}
