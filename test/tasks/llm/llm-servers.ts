import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricBoard } from '../../../src/metrics/metric-board.js';
import type { TaskContext } from '../../../src/tasks/task-definition.js';

export interface RawServer {
  url: string;
  /** Arrival times (Date.now()) and bodies of the requests seen. */
  seen: Array<{ at: number; body: string; headers: http.IncomingHttpHeaders; path: string }>;
  close(): Promise<void>;
}

/** A loopback server whose handler writes whatever bytes a test needs. */
export async function startRawServer(
  handle: (n: number, response: http.ServerResponse) => void | Promise<void>,
): Promise<RawServer> {
  const seen: RawServer['seen'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        at: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
        path: request.url ?? '',
      });
      void handle(seen.length - 1, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function llmContext(options: { env?: Record<string, string>; experimentDir?: string } = {}) {
  const logs: string[] = [];
  const context: TaskContext & { logs: string[] } = {
    taskId: 'llm',
    loop: 1,
    iteration: 1,
    experiment: { name: 't' },
    versions: [],
    experimentDir: options.experimentDir ?? process.cwd(),
    experimentStart: new Date(),
    env: options.env ?? {},
    workDir: process.cwd(),
    signal: new AbortController().signal,
    metrics: new MetricBoard(),
    slos: [],
    log: (message) => logs.push(message),
    logs,
  };
  return context;
}

export function llmValue(context: TaskContext, metric: string, version = 0): number | null | undefined {
  return context.metrics.get(version, `llm/${metric}`)?.value;
}

export const sseHeaders = { 'content-type': 'text/event-stream' };

export function chatChunk(content: string): string {
  return `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
}
