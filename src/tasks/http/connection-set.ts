import { Client, type Dispatcher } from 'undici';
import type { PreparedRequest } from './prepare-request.js';
import type { RequestSlot } from './request-slot.js';

export interface ConnectionOptions {
  connections: number;
  timeoutMs: number;
}

/**
 * `connections` keep-alive undici clients to one origin, one request on each at a time; requests beyond
 * that wait here, in order. Unlike undici's Pool, a connection freed by a response is handed the next
 * request directly, without waiting for the pool's drain event, and a waiting request is visible to the
 * timeout sweep and to an abort.
 */
export class ConnectionSet {
  private readonly clients: Client[] = [];
  private readonly idle: Client[] = [];
  private readonly waiting: RequestSlot[] = [];
  private readonly options: Dispatcher.DispatchOptions;

  constructor(request: PreparedRequest, settings: ConnectionOptions) {
    // One options object for every request: undici copies what it needs into its own request.
    this.options = {
      path: request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
    };
    for (let i = 0; i < settings.connections; i++) {
      const client = new Client(request.origin, {
        pipelining: 1,
        connectTimeout: settings.timeoutMs,
        // Backstops only: the task's own sweep times requests out first.
        headersTimeout: settings.timeoutMs + 1_000,
        bodyTimeout: settings.timeoutMs + 1_000,
      });
      this.clients.push(client);
      this.idle.push(client);
    }
  }

  send(slot: RequestSlot): void {
    const client = this.idle.pop();
    if (client) this.dispatch(client, slot);
    else this.waiting.push(slot);
  }

  /** The slot's request ended: its connection takes the next waiting request, or idles. */
  release(slot: RequestSlot): void {
    const client = slot.client;
    if (!client) return;
    slot.client = undefined;
    const next = this.waiting.shift();
    if (next) this.dispatch(client, next);
    else this.idle.push(client);
  }

  /** Takes a request that is still waiting for a connection; false when it already has one. */
  withdraw(slot: RequestSlot): boolean {
    if (slot.client) return false;
    const index = this.waiting.indexOf(slot);
    if (index >= 0) this.waiting.splice(index, 1);
    return index >= 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  /** Cuts requests in flight off (their handlers see an error) and drops the waiting ones. */
  async destroy(): Promise<void> {
    this.waiting.length = 0;
    await Promise.all(this.clients.map((client) => client.destroy()));
  }

  private dispatch(client: Client, slot: RequestSlot): void {
    slot.client = client;
    client.dispatch(this.options, slot);
  }
}
