import net from 'node:net';

export interface RawServer {
  url: string;
  /** Requests read so far, over all connections. */
  requests: number;
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/** What the server does with request `n` (from 1, over all connections), the `k`-th on its connection. */
export type RawResponder = (socket: net.Socket, n: number, k: number) => void;

/**
 * A TCP server on 127.0.0.1 that answers with whatever bytes the test writes, for responses node:http
 * would never send. It reads requests without bodies (the client's GETs): a head ends at an empty line.
 */
export async function startRawServer(respond: RawResponder): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const state = { requests: 0, connections: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let received = '';
    let onThisConnection = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      let end: number;
      while ((end = received.indexOf('\r\n\r\n')) >= 0) {
        received = received.slice(end + 4);
        state.requests++;
        onThisConnection++;
        respond(socket, state.requests, onThisConnection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get requests() {
      return state.requests;
    },
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A complete response with a Content-Length body. */
export function okResponse(body = 'ok', extraHeaders = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n${body}`;
}

/** Writes `pieces` one by one, each a few milliseconds after the previous, so that they arrive apart. */
export function writeApart(socket: net.Socket, pieces: string[], then?: () => void): void {
  const [first, ...rest] = pieces;
  if (first === undefined) {
    then?.();
    return;
  }
  if (!socket.destroyed) socket.write(first, 'latin1');
  setTimeout(() => writeApart(socket, rest, then), 3);
}
