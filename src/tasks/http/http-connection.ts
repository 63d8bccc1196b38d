import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { PreparedRequest } from './prepare-request.js';
import type { RequestSlot } from './request-slot.js';
import { ResponseParser } from './response-parser.js';

/** The server closed the connection before the response was complete. */
export class ConnectionClosedError extends Error {
  readonly code = 'connection-closed';
  constructor(partly: boolean) {
    super(
      `the server closed the connection ${partly ? 'in the middle of the response' : 'before responding'}`,
    );
    this.name = 'ConnectionClosedError';
  }
}

/** Methods whose requests may be sent again without changing their effect (RFC 9110, 9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** A server's `Keep-Alive: timeout` is cut by this much (undici's default), not to reuse a socket as it expires. */
const keepAliveMarginMs = 2_000;

/**
 * One keep-alive HTTP/1.1 connection (TCP, or TLS for https) carrying one request at a time, connected
 * when a request needs it and again after the server closes it. The request is the prepared bytes,
 * written as they are; the response is parsed as it arrives and its body dropped.
 *
 * A request on a reused connection that the server closes before sending a single byte back is sent
 * once more on a new connection when its method is idempotent: the server most likely closed the idle
 * connection as the request went out (Go's net/http does the same). Any other close or socket error
 * while a request is in flight fails that request.
 */
export class HttpConnection {
  private socket: net.Socket | undefined;
  private connected = false;
  /** Responses completed on the current socket: more than 0 means the socket is being reused. */
  private responses = 0;
  /** When the server's keep-alive timeout (minus a margin) runs out for the current socket. */
  private expiresAt = Infinity;
  private slot: RequestSlot | undefined;
  private readonly parser = new ResponseParser();
  /** Where plain TCP reads land; the parser is done with them before the next read. */
  private readonly readBuffer = Buffer.allocUnsafe(16 * 1024);
  private readonly headRequest: boolean;
  private readonly retryable: boolean;

  constructor(
    private readonly request: PreparedRequest,
    private readonly tlsOptions: tls.ConnectionOptions = {},
  ) {
    this.headRequest = request.method === 'HEAD';
    this.retryable = idempotentMethods.has(request.method);
  }

  /** Sends the slot's request; the slot is settled when its response has arrived or it failed. */
  send(slot: RequestSlot): void {
    this.slot = slot;
    slot.connection = this;
    this.parser.reset(this.headRequest);
    if (this.socket && this.expiresAt !== Infinity && performance.now() >= this.expiresAt) this.dropSocket();
    if (!this.socket) this.connect();
    else if (this.connected) this.write();
  }

  /** Fails the request in flight (a timeout): its socket cannot be reused, the answer may still come. */
  abort(error: Error): void {
    const slot = this.slot;
    if (!slot) return;
    this.slot = undefined;
    this.dropSocket();
    slot.settle(error);
  }

  /** Closes the socket; a request in flight is dropped without being settled. */
  destroy(): void {
    this.slot = undefined;
    this.dropSocket();
  }

  private connect(): void {
    const { hostname, port, secure } = this.request;
    const socket: net.Socket = secure
      ? tls.connect({
          host: hostname,
          port,
          ...(net.isIP(hostname) === 0 ? { servername: hostname } : {}),
          ALPNProtocols: ['http/1.1'],
          ...this.tlsOptions,
        })
      : net.connect({
          host: hostname,
          port,
          // Reads land in one buffer per connection and go straight to the parser, past the stream
          // machinery and without a new Buffer per read.
          onread: { buffer: this.readBuffer, callback: (size) => this.onRead(socket, size) },
        });
    this.socket = socket;
    this.connected = false;
    this.responses = 0;
    this.expiresAt = Infinity;
    socket.setNoDelay(true);
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      if (socket !== this.socket) return;
      this.connected = true;
      if (this.slot) this.write();
    });
    if (secure) {
      // TLS sockets do not take `onread`: their decrypted data comes as events.
      socket.on('data', (chunk: Buffer) => {
        if (socket === this.socket) this.receive(chunk, chunk.length);
      });
    }
    socket.on('end', () => {
      if (socket === this.socket) this.closed(undefined);
    });
    socket.on('error', (error: Error) => {
      if (socket === this.socket) this.closed(error);
    });
    socket.on('close', () => {
      if (socket === this.socket) this.closed(undefined);
    });
  }

  private onRead(socket: net.Socket, size: number): boolean {
    if (socket === this.socket) this.receive(this.readBuffer, size);
    return true;
  }

  private write(): void {
    this.slot!.onWrite();
    this.socket!.write(this.request.bytes);
  }

  /** `size` bytes of `data` came in. */
  private receive(data: Buffer, size: number): void {
    const slot = this.slot;
    if (!slot) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.dropSocket();
      return;
    }
    let end: number;
    try {
      end = this.parser.execute(data, 0, size);
    } catch (error) {
      this.slot = undefined;
      this.dropSocket();
      slot.settle(error as Error);
      return;
    }
    if (end >= 0) this.complete(slot, end === size);
  }

  /** The response is whole; the socket stays for the next request if both sides want it. */
  private complete(slot: RequestSlot, nothingAfter: boolean): void {
    this.slot = undefined;
    slot.status = this.parser.status;
    if (this.parser.keepAlive && nothingAfter && this.socket) {
      this.responses++;
      const timeoutMs = this.parser.keepAliveTimeoutMs;
      if (timeoutMs !== undefined) this.expiresAt = performance.now() + timeoutMs - keepAliveMarginMs;
    } else {
      this.dropSocket();
    }
    slot.settle(undefined);
  }

  /** The socket ended, failed or closed (whichever comes first); `error` is undefined for a plain close. */
  private closed(error: Error | undefined): void {
    const slot = this.slot;
    const reused = this.responses > 0;
    this.dropSocket();
    if (!slot) return;
    if (error === undefined && this.parser.finish()) {
      this.complete(slot, true);
      return;
    }
    const nothingBack = this.parser.receivedBytes === 0;
    if (reused && nothingBack && this.retryable && !slot.retried) {
      slot.retried = true;
      this.parser.reset(this.headRequest);
      this.connect();
      return;
    }
    this.slot = undefined;
    slot.settle(error ?? new ConnectionClosedError(!nothingBack));
  }

  private dropSocket(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    this.connected = false;
    // Errors after the drop (a late RST) have no one to report to.
    socket.on('error', () => {});
    socket.destroy();
  }
}
