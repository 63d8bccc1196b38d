import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createSeededRandom } from '../seeded-random.js';
import { countPromptTokens, emulatedToken } from './emulated-tokens.js';
import { VllmMetrics } from './vllm-metrics.js';

export interface LlmRevisionOptions {
  /** Labels the metrics (`llm_isvc_name`-style revision name) and is the served model id unless `model` is set. */
  revisionName: string;
  model?: string;
  host?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** From request arrival to the first content token (default 50 ms). */
  firstTokenDelayMs?: number;
  /** Between consecutive tokens (default 10 ms). */
  tokenIntervalMs?: number;
  /** Up to this fraction (0..1) more on each delay, from a PRNG seeded with `seed` (default 0). */
  jitter?: number;
  /** Tokens generated when the request gives no max_tokens (default 16). */
  defaultMaxTokens?: number;
  /** Fraction (0..1) of requests that fail: half with a 500 before streaming, half mid-stream. */
  errorRate?: number;
  seed?: number;
}

/** What the server itself observed for one request, in ms from arrival: the truth a client measures against. */
export interface ServedRequestTiming {
  firstTokenMs: number;
  tokenTimesMs: number[];
  endMs: number;
  failed: 'before-stream' | 'mid-stream' | undefined;
}

export interface ServedLlm {
  revisionName: string;
  model: string;
  /** OpenAI API base, e.g. http://127.0.0.1:8000/v1 */
  url: string;
  metricsUrl: string;
  port: number;
  metrics: VllmMetrics;
  /** Requests served so far, oldest first (bounded to the last 10000). */
  timings: ServedRequestTiming[];
  close(): Promise<void>;
}

const maxTimings = 10_000;

/** One emulated vLLM revision: OpenAI chat and completions, streaming or not, and vLLM's /metrics. */
export async function startLlmServer(options: LlmRevisionOptions): Promise<ServedLlm> {
  const model = options.model ?? options.revisionName;
  const metrics = new VllmMetrics({ model_name: model, llm_isvc_name: options.revisionName });
  const timings: ServedRequestTiming[] = [];
  const random = createSeededRandom(options.seed ?? 1);
  const settings = {
    firstTokenDelayMs: options.firstTokenDelayMs ?? 50,
    tokenIntervalMs: options.tokenIntervalMs ?? 10,
    jitter: options.jitter ?? 0,
    defaultMaxTokens: options.defaultMaxTokens ?? 16,
    errorRate: options.errorRate ?? 0,
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const arrival = performance.now();
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(metrics.render());
      return;
    }
    if (request.method === 'GET' && path === '/v1/models') {
      sendJson(response, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'canary' }] });
      return;
    }
    const api =
      path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completions' : undefined;
    if (request.method !== 'POST' || api === undefined) {
      sendJson(response, 404, {
        error: { message: `no route for ${request.method} ${path}`, type: 'not_found' },
      });
      return;
    }
    const body = await readBody(request);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      sendJson(response, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
      return;
    }
    const prompt = promptTextOf(api, parsed);
    if (prompt === undefined) {
      const want = api === 'chat' ? 'messages' : 'prompt';
      sendJson(response, 400, { error: { message: `${want} is missing`, type: 'invalid_request_error' } });
      return;
    }
    const maxTokens =
      positiveInt(parsed.max_tokens ?? parsed.max_completion_tokens) ?? settings.defaultMaxTokens;
    const promptTokens = countPromptTokens(prompt);
    const draw = random();
    const failure =
      draw < settings.errorRate / 2 ? 'before-stream' : draw < settings.errorRate ? 'mid-stream' : undefined;
    const stretch = () => 1 + settings.jitter * random();
    const firstAt = arrival + settings.firstTokenDelayMs * stretch();
    // Absolute due times: a late timer does not push every later token back.
    const dueTimes = [firstAt];
    for (let i = 1; i < maxTokens; i++)
      dueTimes.push(dueTimes[i - 1]! + settings.tokenIntervalMs * stretch());
    const timing: ServedRequestTiming = { firstTokenMs: NaN, tokenTimesMs: [], endMs: NaN, failed: failure };
    record(timing);
    metrics.running++;
    try {
      if (failure === 'before-stream') {
        await sleepUntil(firstAt);
        timing.endMs = performance.now() - arrival;
        sendJson(response, 500, { error: { message: 'emulated failure', type: 'server_error' } });
        return;
      }
      const id = `cmpl-${options.revisionName}-${timings.length}`;
      const created = Math.floor(Date.now() / 1000);
      const object = api === 'chat' ? 'chat.completion.chunk' : 'text_completion';
      const stream = parsed.stream === true;
      const includeUsage = isRecord(parsed.stream_options) && parsed.stream_options.include_usage === true;
      const choiceOf = (text: string, finish: string | null) =>
        api === 'chat'
          ? { index: 0, delta: text === '' ? {} : { content: text }, finish_reason: finish }
          : { index: 0, text, finish_reason: finish };
      const usage = {
        prompt_tokens: promptTokens,
        completion_tokens: maxTokens,
        total_tokens: promptTokens + maxTokens,
      };
      if (stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        response.flushHeaders();
        if (api === 'chat') {
          writeEvent(response, {
            id,
            object,
            created,
            model,
            choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
          });
        }
      }
      let text = '';
      const failAfter = failure === 'mid-stream' ? Math.max(1, Math.floor(maxTokens / 2)) : Infinity;
      for (let i = 0; i < maxTokens; i++) {
        await sleepUntil(dueTimes[i]!);
        if (response.destroyed) return;
        if (i >= failAfter) {
          timing.endMs = performance.now() - arrival;
          if (stream) {
            writeEvent(response, {
              error: { message: 'emulated failure mid-stream', type: 'server_error', code: 500 },
            });
            response.end();
          } else {
            sendJson(response, 500, { error: { message: 'emulated failure', type: 'server_error' } });
          }
          return;
        }
        const token = emulatedToken(i);
        text += token;
        const now = performance.now();
        if (stream) writeEvent(response, { id, object, created, model, choices: [choiceOf(token, null)] });
        timing.tokenTimesMs.push(now - arrival);
      }
      const finish = 'length';
      if (stream) {
        writeEvent(response, { id, object, created, model, choices: [choiceOf('', finish)] });
        if (includeUsage) writeEvent(response, { id, object, created, model, choices: [], usage });
        response.end('data: [DONE]\n\n');
      } else {
        const choice =
          api === 'chat'
            ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }
            : { index: 0, text, finish_reason: finish };
        sendJson(response, 200, {
          id,
          object: api === 'chat' ? 'chat.completion' : 'text_completion',
          created,
          model,
          choices: [choice],
          usage,
        });
      }
      const end = performance.now();
      timing.endMs = end - arrival;
      timing.firstTokenMs = timing.tokenTimesMs[0] ?? NaN;
      observe(timing, promptTokens, maxTokens);
    } finally {
      metrics.running--;
    }
  }

  function record(timing: ServedRequestTiming): void {
    timings.push(timing);
    if (timings.length > maxTimings) timings.shift();
  }

  function observe(timing: ServedRequestTiming, promptTokens: number, outputTokens: number): void {
    const seconds = (ms: number) => ms / 1000;
    metrics.ttft.observe(seconds(timing.firstTokenMs));
    metrics.e2e.observe(seconds(timing.endMs));
    metrics.queueTime.observe(0);
    const times = timing.tokenTimesMs;
    for (let i = 1; i < times.length; i++) metrics.interToken.observe(seconds(times[i]! - times[i - 1]!));
    if (times.length > 1) {
      metrics.timePerOutputToken.observe(seconds((times.at(-1)! - times[0]!) / (times.length - 1)));
    }
    metrics.promptTokens += promptTokens;
    metrics.generationTokens += outputTokens;
    metrics.succeeded('length');
  }

  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const host = options.host ?? '127.0.0.1';
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    revisionName: options.revisionName,
    model,
    url: `${base}/v1`,
    metricsUrl: `${base}/metrics`,
    port,
    metrics,
    timings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function promptTextOf(api: 'chat' | 'completions', body: Record<string, unknown>): string | undefined {
  if (api === 'completions') {
    const prompt = body.prompt;
    if (typeof prompt === 'string') return prompt;
    if (Array.isArray(prompt) && prompt.every((p) => typeof p === 'string')) return prompt.join('\n');
    return undefined;
  }
  if (!Array.isArray(body.messages)) return undefined;
  return body.messages
    .map((m: unknown) => (isRecord(m) && typeof m.content === 'string' ? m.content : ''))
    .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

function writeEvent(response: ServerResponse, data: unknown): void {
  response.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** setTimeout may fire up to a ms early on some platforms; waiting again keeps the delay a lower bound. */
async function sleepUntil(at: number): Promise<void> {
  for (let left = at - performance.now(); left > 0; left = at - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, left));
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
