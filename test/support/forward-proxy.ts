/**
 * A tiny real forward proxy on 127.0.0.1: absolute-URI requests (plain http) are forwarded,
 * CONNECT (https) is tunnelled. It records what it was asked for, so tests can tell whether a
 * request went through it. Forwards to loopback targets only.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Absolute URI for plain http, `host:port` for CONNECT. */
  target: string;
  proxyAuthorization: string | undefined;
}

export interface ForwardProxy {
  url: string;
  port: number;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `credentials` ("user:pass"): requests without that Proxy-Authorization get 407. */
export async function startForwardProxy(options: { credentials?: string } = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const expected =
    options.credentials === undefined
      ? undefined
      : `Basic ${Buffer.from(options.credentials).toString('base64')}`;
  const authorized = (header: string | undefined) => expected === undefined || header === expected;

  /** Client connections and tunnels' upstream sockets, destroyed by close(). */
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    const proxyAuthorization = request.headers['proxy-authorization'];
    requests.push({ method: request.method ?? '', target: request.url ?? '', proxyAuthorization });
    if (!authorized(proxyAuthorization)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(request.url ?? '');
    } catch {
      response.writeHead(400).end('absolute URI expected');
      return;
    }
    if (!loopback.has(target.hostname)) {
      response.writeHead(403).end('loopback targets only');
      return;
    }
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port || 80,
        method: request.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end('upstream unreachable'));
    request.pipe(upstream);
  });

  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const proxyAuthorization = request.headers['proxy-authorization'];
    const target = request.url ?? '';
    requests.push({ method: 'CONNECT', target, proxyAuthorization });
    const match = /^(.+):(\d+)$/.exec(target);
    const host = match?.[1]?.replace(/^\[|\]$/g, '');
    if (!authorized(proxyAuthorization)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    if (!match || !host || !loopback.has(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    // A tunnel ends as a whole: either side closing closes the other.
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
