import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MetricBoard } from '../../../src/metrics/metric-board.js';
import type { TaskContext } from '../../../src/tasks/task-definition.js';

export interface SeenRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface LoopbackServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Answers a request; `n` counts requests from 1 in arrival order. */
export type Responder = (n: number, request: SeenRequest, response: http.ServerResponse) => void;

/** A node:http server on 127.0.0.1 with an ephemeral port that records every request it reads. */
export async function startServer(respond: Responder = ok): Promise<LoopbackServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
      };
      seen.push(entry);
      respond(seen.length, entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function ok(_n: number, _request: SeenRequest, response: http.ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('ok');
}

/**
 * Answers after at least `ms` by the shared performance clock (re-arming if a timer fires early), so the
 * client, which started its clock before the server saw the request, measures at least `ms`.
 */
export function after(ms: number, then: () => void): void {
  const until = performance.now() + ms;
  const wait = () => {
    const left = until - performance.now();
    if (left <= 0) then();
    else setTimeout(wait, Math.ceil(left));
  };
  setTimeout(wait, ms);
}

/** A port nothing listens on: bound once, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

export function taskContext(
  options: { experimentDir?: string; signal?: AbortSignal; versions?: string[] } = {},
): TaskContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    taskId: 'http',
    loop: 1,
    iteration: 1,
    experiment: { name: 't' },
    versions: options.versions ?? [],
    experimentDir: options.experimentDir ?? process.cwd(),
    experimentStart: new Date(),
    env: {},
    workDir: options.experimentDir ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    metrics: new MetricBoard(),
    slos: [],
    log: (message) => logs.push(message),
    logs,
  };
}

/** The recorded value of http/<metric> for a version (undefined when not recorded). */
export function valueOf(context: TaskContext, metric: string, version = 0): number | null | undefined {
  return context.metrics.get(version, `http/${metric}`)?.value;
}
