import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpTask, type HttpInput } from '../../../src/tasks/http/http.js';
import { classifyStatusWith } from '../../../src/tasks/http/error-ranges.js';
import { measureEndpoints } from '../../../src/tasks/http/measure-endpoints.js';
import { prepareRequest } from '../../../src/tasks/http/prepare-request.js';
import { withTempDir } from '../../engine/helpers.js';
import { makeTestCertificate } from '../../support/test-certificate.js';
import { taskContext, valueOf } from './loopback-server.js';
import { okResponse, startRawServer, writeApart, type RawResponder } from './raw-server.js';
import { closedAfterEach } from '../../support/closed-after-each.js';

const serve = closedAfterEach((respond: RawResponder) => startRawServer(respond));

async function run(input: HttpInput) {
  const context = taskContext();
  const result = await httpTask.run({ qps: 0, ...input }, context);
  return {
    output: result?.output ?? '',
    requests: valueOf(context, 'request-count'),
    errors: valueOf(context, 'error-count'),
  };
}

describe('http client: response framing', () => {
  it('reads responses split at awkward bytes: status line, header, chunk size, chunk end', async () => {
    const server = await serve((socket) =>
      writeApart(socket, [
        'HT',
        'TP/1.1 2',
        '00 OK\r\nTransfer-Enc',
        'oding: chunked\r',
        '\n\r\n0',
        'a;ext=1\r\nabcdefghij\r',
        '\n5\r\nklmno\r\n0\r\nX-Tr',
        'ailer: t\r\n\r',
        '\n',
      ]),
    );
    const result = await run({ url: server.url, numRequests: 6, connections: 2 });
    expect(result).toMatchObject({ requests: 6, errors: 0 });
    expect(result.output).toContain('status 200 x6');
    // Each response ended where it should: both connections stayed open for the next request.
    expect(server.connections).toBe(2);
  });

  it('reads no body after HEAD, 204 and 304, and keeps the connection', async () => {
    const server = await serve((socket, n) =>
      socket.write(
        n <= 4
          ? 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n'
          : `HTTP/1.1 ${n % 2 ? 204 : 304} X\r\nContent-Length: 5\r\n\r\n`,
      ),
    );
    const head = await run({ url: server.url, method: 'HEAD', numRequests: 4, connections: 1 });
    expect(head).toMatchObject({ requests: 4, errors: 0 });
    const empty = await run({ url: server.url, numRequests: 4, connections: 1 });
    expect(empty.output).toContain('status 204 x2, 304 x2');
    expect(server.connections).toBe(2);
  });

  it('skips 100 Continue before the response', async () => {
    const server = await serve((socket) =>
      writeApart(socket, ['HTTP/1.1 100 Continue\r\n\r\n', okResponse('done')]),
    );
    const result = await run({ url: server.url, numRequests: 5, connections: 1 });
    expect(result).toMatchObject({ requests: 5, errors: 0 });
    expect(result.output).toContain('status 200 x5');
  });

  it('reads a body without length until the server closes, then reconnects', async () => {
    const server = await serve((socket) =>
      writeApart(socket, ['HTTP/1.1 200 OK\r\n\r\nsome ', 'body'], () => socket.end()),
    );
    const result = await run({ url: server.url, numRequests: 5, connections: 1 });
    expect(result).toMatchObject({ requests: 5, errors: 0 });
    expect(server.connections).toBe(5);
  });

  it('opens a new connection after Connection: close', async () => {
    const server = await serve((socket) => socket.end(okResponse('bye', 'Connection: close\r\n')));
    const result = await run({ url: server.url, numRequests: 10, connections: 2 });
    expect(result).toMatchObject({ requests: 10, errors: 0 });
    expect(server.connections).toBe(10);
  });

  it("opens a new connection when the server's keep-alive timeout is about to run out", async () => {
    const server = await serve((socket) => socket.write(okResponse('ok', 'Keep-Alive: timeout=1\r\n')));
    const result = await run({ url: server.url, numRequests: 3, connections: 1 });
    expect(result).toMatchObject({ requests: 3, errors: 0 });
    expect(server.connections).toBe(3);
  });

  it('drops a connection that sent more than the response asked for', async () => {
    const server = await serve((socket) => socket.write(okResponse('one') + okResponse('two')));
    const result = await run({ url: server.url, numRequests: 4, connections: 1 });
    expect(result).toMatchObject({ requests: 4, errors: 0 });
    expect(server.connections).toBe(4);
  });
});

describe('http client: closed connections and errors', () => {
  it('reconnects after the server closed an idle keep-alive connection', async () => {
    const server = await serve((socket) => {
      socket.write(okResponse());
      setTimeout(() => socket.end(), 5);
    });
    // 50 ms between requests: each connection is closed well before the next request.
    const result = await run({ url: server.url, numRequests: 5, qps: 20, connections: 1 });
    expect(result).toMatchObject({ requests: 5, errors: 0 });
    expect(result.output).not.toContain('sent again');
    expect(server.connections).toBe(5);
  });

  it('sends a GET again when the server closes a reused connection without answering', async () => {
    // The second request on every connection is met by a close, as when an idle timeout races it.
    const server = await serve((socket, _n, k) => (k === 2 ? socket.destroy() : socket.write(okResponse())));
    const result = await run({ url: server.url, numRequests: 6, connections: 1 });
    expect(result).toMatchObject({ requests: 6, errors: 0 });
    expect(result.output).toContain('5 sent again after the server closed an idle connection');
    expect(server.requests).toBe(11);
  });

  it('counts a POST met by such a close as an error: it may have had an effect', async () => {
    const server = await serve((socket, _n, k) => (k === 2 ? socket.destroy() : socket.write(okResponse())));
    const result = await run({ url: server.url, numRequests: 6, connections: 1, payload: 'x' });
    expect(result).toMatchObject({ requests: 6, errors: 3 });
    expect(result.output).toContain(
      'connection-closed x3: the server closed the connection before responding',
    );
  });

  it('counts a response cut short by a close as an error', async () => {
    const server = await serve((socket, n) =>
      n % 2 === 0
        ? writeApart(socket, ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], () => socket.destroy())
        : socket.write(okResponse()),
    );
    const result = await run({ url: server.url, numRequests: 10, connections: 1 });
    expect(result).toMatchObject({ requests: 10, errors: 5 });
    expect(result.output).toContain('connection-closed x5: the server closed the connection in the middle');
  });

  it('counts a malformed response as an error and reconnects', async () => {
    const server = await serve((socket, n) =>
      socket.write(n % 2 === 0 ? 'HTTP/1.1 abc\r\n\r\n' : okResponse()),
    );
    const result = await run({ url: server.url, numRequests: 10, connections: 1 });
    expect(result).toMatchObject({ requests: 10, errors: 5 });
    expect(result.output).toContain(
      'malformed-response x5: malformed response: bad status line "HTTP/1.1 abc"',
    );
    // Requests 2, 4, ... 10 each leave a connection the client cannot trust any more.
    expect(server.connections).toBe(5);
  });

  it('counts a reset connection as ECONNRESET', async () => {
    const server = await serve((socket, n) =>
      n % 2 === 0 ? socket.resetAndDestroy() : socket.write(okResponse()),
    );
    const result = await run({ url: server.url, numRequests: 6, connections: 1, payload: 'x' });
    expect(result).toMatchObject({ requests: 6, errors: 3 });
    expect(result.output).toMatch(/ECONNRESET x3: .*ECONNRESET/);
  });

  it('times out a response whose body stops coming, and goes on on a new connection', async () => {
    const server = await serve((socket, n) =>
      socket.write(n === 1 ? 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc' : okResponse()),
    );
    const result = await run({ url: server.url, numRequests: 3, connections: 1, timeout: '100ms' });
    expect(result).toMatchObject({ requests: 3, errors: 1 });
    expect(result.output).toContain('timeout x1: timed out after 100ms');
    expect(server.connections).toBe(2);
  });
});

describe('http client: https', () => {
  it('loads an https endpoint over TLS, verifying its certificate', async () => {
    await withTempDir(async (dir) => {
      const { key, cert: ca } = makeTestCertificate(dir);
      let served = 0;
      const server = https.createServer({ key, cert: ca }, (_request, response) => {
        served++;
        response.end('secure');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        const request = await prepareRequest(
          { version: 0, url, method: 'GET', headers: {}, headersFrom: {}, path: [] },
          { env: {}, baseDir: dir },
        );
        const [measured] = await measureEndpoints([request], {
          plan: { requests: 8, connections: 2, timeoutMs: 5_000 },
          isError: classifyStatusWith(undefined),
          signal: new AbortController().signal,
          tls: { ca },
        });
        expect(measured?.result).toMatchObject({ requestCount: 8, responseCount: 8, errorCount: 0 });
        expect(served).toBe(8);

        // Without the authority that signed it, the certificate is refused.
        const untrusted = await run({ url, numRequests: 2 }).catch((error: unknown) => error);
        expect(String(untrusted)).toMatch(
          /could not reach https:\/\/127\.0\.0\.1:\d+\/: self.signed certificate/,
        );
        expect(served).toBe(8);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});
